use super::*;

fn shown(steps: &[CiStep]) -> Vec<(u32, String, String, Option<String>)> {
    steps
        .iter()
        .map(|s| {
            (
                s.line,
                s.command.clone(),
                s.cwd.clone(),
                s.inactive.as_ref().map(Inactive::describe),
            )
        })
        .collect()
}

#[test]
fn job_classification() {
    assert!(test_only(&["ci", "CI", "test", "Run tests"]));
    assert!(!test_only(&["ci", "CI", "deploy", ""]));
    assert!(!test_only(&["build-latest", "", "build", ""]));
    assert!(!test_only(&["Deploy", "e2e", "", ""]));
}

#[test]
fn failure_ignored_forms() {
    assert!(failure_ignored("pytest || true").is_some());
    assert!(failure_ignored("npm test || echo 'tests failed'").is_some());
    assert!(failure_ignored("npm test || exit 0").is_some());
    assert!(failure_ignored("npm test || exit 1").is_none());
    assert!(failure_ignored("pytest || (cat log && false)").is_none());
    assert!(failure_ignored("npm ci && npm test").is_none());
}

#[test]
fn github_steps_conditions_and_directories() {
    let wf = r#"name: CI
on: [push, pull_request]
defaults:
  run:
    working-directory: ./app
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          npm ci
          cd ../api
          pytest
      - run: npm test
        continue-on-error: true
      - run: npm run e2e
        if: ${{ false }}
      - uses: cypress-io/github-action@v6
  shared:
    uses: acme/ci/.github/workflows/python.yml@v2
  flaky:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: npm run test:flaky
"#;
    let s = steps(".github/workflows/ci.yml", wf).expect("parses");
    let real: Vec<_> = s.iter().filter(|x| x.uses.is_none()).collect();
    assert_eq!(
        shown(&real.iter().map(|x| (*x).clone()).collect::<Vec<_>>()),
        vec![
            (12, "npm ci".to_string(), "app".to_string(), None),
            (13, "cd ../api".to_string(), "app".to_string(), None),
            (14, "pytest".to_string(), "api".to_string(), None),
            (
                15,
                "npm test".to_string(),
                "app".to_string(),
                Some("failure ignored: `continue-on-error: true`".to_string())
            ),
            (
                17,
                "npm run e2e".to_string(),
                "app".to_string(),
                Some("disabled: `if: false`".to_string())
            ),
            (
                26,
                "npm run test:flaky".to_string(),
                "app".to_string(),
                Some("failure ignored: job `continue-on-error: true`".to_string())
            ),
        ]
    );
    let uses: Vec<(&str, u32, &str)> = s
        .iter()
        .filter_map(|x| x.uses.as_deref().map(|u| (u, x.line, x.source.as_str())))
        .collect();
    assert_eq!(
        uses,
        vec![
            (
                "actions/checkout@v4",
                10,
                ".github/workflows/ci.yml step `actions/checkout@v4`"
            ),
            (
                "cypress-io/github-action@v6",
                19,
                ".github/workflows/ci.yml step `cypress-io/github-action@v6`"
            ),
            (
                "acme/ci/.github/workflows/python.yml@v2",
                21,
                ".github/workflows/ci.yml job `shared`"
            ),
        ]
    );
    let manual = steps(
        ".github/workflows/t.yml",
        "on: workflow_dispatch\njobs:\n  t:\n    steps:\n      - run: pytest\n",
    )
    .expect("parses");
    assert!(manual[0].manual);
}

#[test]
fn gitlab_jobs() {
    let ci = "stages: [test]\nvariables:\n  X: 1\nunit:\n  stage: test\n  script:\n    - cd backend\n    - pytest\nflaky:\n  allow_failure: true\n  script: npm test\nmanual-e2e:\n  when: manual\n  script:\n    - npm run e2e\n# old:\n#   script: tox\n";
    let s = steps(".gitlab-ci.yml", ci).expect("parses");
    let got: Vec<(u32, &str, &str, bool, Option<String>)> = s
        .iter()
        .map(|x| {
            (
                x.line,
                x.command.as_str(),
                x.cwd.as_str(),
                x.manual,
                x.inactive.as_ref().map(Inactive::describe),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (16, "old:", ".", false, Some("commented out".into())),
            (17, "tox", ".", false, Some("commented out".into())),
            (7, "cd backend", ".", false, None),
            (8, "pytest", "backend", false, None),
            (
                11,
                "npm test",
                ".",
                false,
                Some("failure ignored: `allow_failure: true`".into())
            ),
            (15, "npm run e2e", ".", true, None),
        ]
    );
}

#[test]
fn circleci_bitbucket_azure_travis() {
    let circle = "version: 2.1\norbs:\n  node: circleci/node@5\njobs:\n  build:\n    working_directory: ~/repo\n    steps:\n      - checkout\n      - run: npm ci\n      - run:\n          name: Unit tests\n          command: npx jest --ci\nworkflows:\n  main:\n    jobs:\n      - build\n      - node/test:\n          version: '20'\n";
    let s = steps(".circleci/config.yml", circle).expect("parses");
    let cmds: Vec<(&str, u32)> = s.iter().map(|x| (x.command.as_str(), x.line)).collect();
    assert_eq!(
        cmds,
        vec![("npm ci", 9), ("npx jest --ci", 12), ("npm run test", 17)]
    );

    let bb = "image: python:3.12\npipelines:\n  default:\n    - parallel:\n        - step:\n            name: Tests\n            script:\n              - pip install -r requirements.txt\n              - pytest\n  custom:\n    nightly:\n      - step:\n          script:\n            - tox\n";
    let s = steps("bitbucket-pipelines.yml", bb).expect("parses");
    let cmds: Vec<(&str, u32, bool)> = s
        .iter()
        .map(|x| (x.command.as_str(), x.line, x.manual))
        .collect();
    assert_eq!(
        cmds,
        vec![
            ("pip install -r requirements.txt", 8, false),
            ("pytest", 9, false),
            ("tox", 14, true)
        ]
    );

    let az = "trigger: [main]\nstages:\n  - stage: Test\n    jobs:\n      - job: unit\n        steps:\n          - script: npm ci\n          - bash: npm test\n            workingDirectory: web\n            continueOnError: true\n";
    let s = steps("azure-pipelines.yml", az).expect("parses");
    assert_eq!(
        shown(&s),
        vec![
            (7, "npm ci".into(), ".".into(), None),
            (
                8,
                "npm test".into(),
                "web".into(),
                Some("failure ignored: `continueOnError: true`".into())
            ),
        ]
    );

    let travis = "language: node_js\nnode_js:\n  - 20\ninstall: npm ci\n";
    let s = steps(".travis.yml", travis).expect("parses");
    let cmds: Vec<&str> = s.iter().map(|x| x.command.as_str()).collect();
    assert_eq!(
        cmds,
        vec!["npm ci", "npm test"],
        "Travis runs npm test by default"
    );
}

#[test]
fn woodpecker_drone_jenkins() {
    let wp = "steps:\n  test:\n    image: python:3.12\n    commands:\n      - pip install -e .\n      - pytest\n  lint:\n    image: python\n    failure: ignore\n    commands: ruff check\n";
    let s = steps(".woodpecker.yml", wp).expect("parses");
    assert_eq!(
        shown(&s),
        vec![
            (5, "pip install -e .".into(), ".".into(), None),
            (6, "pytest".into(), ".".into(), None),
            (
                10,
                "ruff check".into(),
                ".".into(),
                Some("failure ignored: `failure: ignore`".into())
            ),
        ]
    );
    let drone = "kind: pipeline\nname: test\nsteps:\n  - name: unit\n    image: node:20\n    commands:\n      - npm ci\n      - npm test\n---\nkind: pipeline\nname: deploy\nsteps:\n  - name: ship\n    commands:\n      - ./deploy.sh\n";
    let s = steps(".drone.yml", drone).expect("parses");
    let cmds: Vec<(&str, bool)> = s.iter().map(|x| (x.command.as_str(), x.test_job)).collect();
    assert_eq!(
        cmds,
        vec![("npm ci", true), ("npm test", true), ("./deploy.sh", false)]
    );

    let jf = "pipeline {\n  agent any\n  stages {\n    stage('Test') {\n      steps {\n        dir('api') {\n          sh 'pytest -q'\n        }\n        // sh 'npm test'\n        sh(script: 'npm run e2e', returnStatus: true)\n        sh '''\n          npm ci\n          npx jest\n        '''\n      }\n    }\n  }\n}\n";
    let s = steps("Jenkinsfile", jf).expect("parses");
    assert_eq!(
        shown(&s),
        vec![
            (7, "pytest -q".into(), "api".into(), None),
            (
                9,
                "npm test".into(),
                ".".into(),
                Some("commented out".into())
            ),
            (
                10,
                "npm run e2e".into(),
                ".".into(),
                Some("failure ignored: `returnStatus: true`".into())
            ),
            (11, "npm ci".into(), ".".into(), None),
            (11, "npx jest".into(), ".".into(), None),
        ]
    );
    assert!(s[0].test_job, "stage `Test`");
}

#[test]
fn broken_and_odd_files_never_panic() {
    for (file, text) in [
        (".github/workflows/x.yml", "jobs: ["),
        (".gitlab-ci.yml", ": : :"),
        (".circleci/config.yml", "jobs:\n  a: 3\n"),
        ("bitbucket-pipelines.yml", "pipelines: [1, {step: 2}]"),
        ("azure-pipelines.yml", "steps: {script: 1}"),
        (".travis.yml", "script: {a: 1}"),
        (".drone.yml", "---\n---\nsteps: 5\n"),
        ("Jenkinsfile", "sh '''\nunterminated\n"),
        ("Jenkinsfile", "dir('x') }}}} { sh \"a\""),
    ] {
        let _ = steps(file, text);
    }
    assert!(steps(".github/workflows/x.yml", "jobs: [").is_err());
}
