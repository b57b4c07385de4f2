use super::*;
use crate::workspace::DiscoverOptions;

fn words(s: &str) -> Vec<String> {
    split_commands(s).into_iter().next().unwrap_or_default()
}

fn runner(s: &str) -> Option<String> {
    runner_of(&words(s), 0)
}

#[test]
fn runners() {
    for (cmd, want) in [
        ("npx jest --ci", "jest"),
        ("vitest run", "vitest"),
        ("./node_modules/.bin/mocha test/", "mocha"),
        ("pytest -q tests", "pytest"),
        ("python -m pytest", "python -m pytest"),
        ("python3 -m unittest discover", "python -m unittest"),
        ("poetry run pytest", "pytest"),
        ("uv run --frozen pytest", "pytest"),
        ("coverage run -m pytest", "coverage run -m pytest"),
        (
            "coverage run --source=app manage.py test",
            "python manage.py test",
        ),
        ("python manage.py test bookings", "python manage.py test"),
        ("tox -e py311", "tox"),
        ("nox -s tests", "nox"),
        ("go test ./...", "go test"),
        ("node --test", "node --test"),
        ("bun test", "bun test"),
        ("pnpm -r test", "pnpm test (every workspace)"),
        ("npm test --workspaces", "npm test (every workspace)"),
        (
            "yarn workspaces foreach -A run test",
            "yarn test (every workspace)",
        ),
        ("npx turbo run test", "turbo test"),
        ("nx run-many -t test", "nx test"),
        ("yarn jest --coverage", "yarn jest"),
        ("docker compose run --rm -e CI=1 api pytest", "pytest"),
        ("docker exec bot python -m pytest", "python -m pytest"),
        ("bash -c 'cd api && npm ci && npx vitest run'", "vitest"),
        ("hatch run test:cov", "hatch run test:cov"),
        ("CI=true npx playwright test", "playwright test"),
        ("timeout 600 pytest", "pytest"),
        ("python tests/run_all.py", "python tests/run_all.py"),
        (
            "docker compose exec -T backend bash /app/tests-start.sh \"cov\"",
            "script `/app/tests-start.sh`",
        ),
        ("./scripts/run_tests.sh", "script `./scripts/run_tests.sh`"),
    ] {
        assert_eq!(runner(cmd).as_deref(), Some(want), "{cmd}");
    }
    for cmd in [
        "npm test",
        "npm run test",
        "echo pytest",
        "jest --version",
        "pip install pytest",
        "npm ci",
        "python bot.py",
        "python -m bot",
        "flake8 .",
        "docker compose up -d",
        "vitest bench",
        "npx prisma migrate deploy",
        "pnpm -r build",
        "bash scripts/lint.sh",
        "./deploy.sh",
    ] {
        assert_eq!(runner(cmd), None, "{cmd}");
    }
}

#[test]
fn actions_by_name() {
    assert!(uses_runs_tests("cypress-io/github-action@v6", false).is_some());
    assert!(uses_runs_tests("docker://tiangolo/latest-changes:0.3.0", false).is_none());
    assert!(uses_runs_tests("test-summary/action@v2", false).is_none());
    assert!(uses_runs_tests("actions/checkout@v4", false).is_none());
    assert!(uses_runs_tests("acme/ci/.github/workflows/python.yml@v2", true).is_some());
}

#[test]
fn test_names() {
    for yes in [
        "test",
        "test:unit",
        "tests",
        "run_tests",
        "e2e",
        "test-ci",
        "ci:test",
    ] {
        assert!(is_test_name(yes), "{yes}");
    }
    for no in [
        "pretest", "posttest", "latest", "contest", "lint", "build", "start",
    ] {
        assert!(!is_test_name(no), "{no}");
    }
}

fn ws_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    let ws = Workspace::discover(
        dir.path(),
        &DiscoverOptions {
            threads: 1,
            ..Default::default()
        },
    )
    .expect("discover");
    (dir, ws)
}

fn runs(ws: &Workspace) -> Vec<(String, String, u32, String, Option<String>)> {
    ws.test_runs
        .iter()
        .map(|r| {
            (
                r.runner.clone(),
                r.file.clone(),
                r.line,
                r.cwd.clone(),
                r.inactive.clone(),
            )
        })
        .collect()
}

#[test]
fn through_scripts_make_targets_and_shell_files() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            "{\n  \"name\": \"bot\",\n  \"scripts\": {\n    \"test\": \"jest\",\n    \"ci\": \"npm run lint && npm test\",\n    \"lint\": \"eslint .\"\n  }\n}\n",
        ),
        ("index.js", "1\n"),
        ("api/requirements.txt", "fastapi\n"),
        ("api/main.py", "1\n"),
        ("api/Makefile", "test:\n\tpytest -q\n"),
        (
            "scripts/test.sh",
            "#!/bin/sh\nset -e\n./node_modules/.bin/jest --ci\n",
        ),
        (
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm run ci\n      - run: make -C api test\n      - run: sh scripts/test.sh\n",
        ),
    ]);
    let r = runs(&ws);
    assert!(
        r.contains(&("jest".into(), "package.json".into(), 4, ".".into(), None)),
        "{r:?}"
    );
    assert!(
        r.contains(&(
            "npm script `test`".into(),
            "package.json".into(),
            4,
            ".".into(),
            None
        )),
        "{r:?}"
    );
    assert!(
        r.contains(&(
            "pytest".into(),
            "api/Makefile".into(),
            2,
            "api".into(),
            None
        )),
        "{r:?}"
    );
    assert!(
        r.contains(&(
            "make target `test`".into(),
            "api/Makefile".into(),
            2,
            "api".into(),
            None
        )),
        "{r:?}"
    );
    assert!(
        r.contains(&("jest".into(), "scripts/test.sh".into(), 3, ".".into(), None)),
        "{r:?}"
    );
}

#[test]
fn inactive_steps_keep_their_reason() {
    let wf = "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      # - run: npm test\n      - run: pytest || true\n      - run: npx vitest run\n        continue-on-error: true\n      - run: echo \"run pytest here\"\n      - name: Manual\n        if: false\n        run: tox\n";
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            "{\"name\":\"x\",\"scripts\":{\"test\":\"echo \\\"Error: no test specified\\\" && exit 1\"}}",
        ),
        ("index.js", "1\n"),
        (".github/workflows/test.yml", wf),
    ]);
    let r = runs(&ws);
    let reasons: Vec<(&str, Option<&str>)> =
        r.iter().map(|x| (x.0.as_str(), x.4.as_deref())).collect();
    assert!(
        reasons.contains(&("pytest", Some("failure ignored: `|| true`"))),
        "{r:?}"
    );
    assert!(
        reasons.contains(&("vitest", Some("failure ignored: `continue-on-error: true`"))),
        "{r:?}"
    );
    assert!(
        reasons.contains(&("tox", Some("disabled: `if: false`"))),
        "{r:?}"
    );
    assert!(
        reasons.contains(&("`npm test`", Some("commented out"))),
        "{r:?}"
    );
    assert!(r.iter().all(|x| x.4.is_some()), "{r:?}");
}

#[test]
fn placeholder_test_script_is_no_test_run() {
    let (_d, ws) = ws_of(&[
        (
            "package.json",
            "{\"name\":\"x\",\"scripts\":{\"test\":\"echo \\\"Error: no test specified\\\" && exit 1\"}}",
        ),
        ("index.js", "1\n"),
        (
            ".gitlab-ci.yml",
            "test:\n  script:\n    - npm ci\n    - npm test\n",
        ),
    ]);
    assert_eq!(ws.test_runs.len(), 1, "{:?}", ws.test_runs);
    assert!(ws.test_runs[0].placeholder);
    assert_eq!(
        ws.test_runs[0].inactive.as_deref(),
        Some("the `test` script is a placeholder")
    );
}
