//! `testing/tests-not-in-ci`: the project has tests, but no CI configuration runs them.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::manifest::is_placeholder_test_script;
use flightcheck_project::testruns::TestRun;
use flightcheck_project::workspace::{is_test_file, is_within};
use flightcheck_project::{FileKind, ci};

pub static META: RuleMeta = RuleMeta {
    id: "testing/tests-not-in-ci",
    severity: Severity::Medium,
    category: Category::Testing,
    fix_kind: FixKind::Ops,
    summary: "Tests exist but no CI configuration runs them",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
When the project has test files (found as `testing/no-tests` finds them, holding at least
one test: `def test…`, `class Test…`, `test(`, `it(`, `describe(`), reads every CI
configuration of the repository: GitHub Actions workflows and composite actions, GitLab CI,
CircleCI, Bitbucket Pipelines, Azure Pipelines, Jenkinsfiles, Travis CI, Woodpecker and
Drone. It follows each step through package.json scripts (`npm test`, `npm run ci`), make
targets and shell scripts to a test runner: jest, vitest, mocha, ava, `node --test`,
playwright, cypress, pytest, `python -m unittest`, `manage.py test`, tox, nox, `go test`,
`cargo test`, workspace runs (`pnpm -r test`, `turbo run test`), or a script, target or file
named for tests. A run counts for the project when it runs in the project's directory or
above it.

A step does not count when it is commented out, when its failure is ignored (`|| true`,
`|| echo …`, `continue-on-error: true`, `allow_failure: true`, `failure: ignore`,
`returnStatus: true`), when it is disabled (`if: false`), when it only runs when started by
hand (`workflow_dispatch` only, `when: manual`, Bitbucket `custom:`), or when it only echoes.
Without any CI file the finding says so and lists what was searched.

## Why it breaks production
Tests that no pipeline runs stop protecting anything: they rot, and a change that breaks
booking, payments or `/start` merges and deploys without anyone running them. A test step
whose failure is ignored is worse: the pipeline is green while the tests are red.

## Flagged
```yaml
# .github/workflows/ci.yml: tests exist in tests/, CI only lints
jobs:
  lint:
    steps:
      - run: ruff check .
      - run: pytest || true        # a failure can never fail the build
      # - run: npm test           # switched off
```
A project with `tests/test_bot.py` and no CI configuration at all.

## Not flagged
```yaml
jobs:
  test:
    steps:
      - run: npm ci
      - run: npm test              # package.json: "test": "vitest run"
```
`make test` whose target runs `pytest`; `tox` in GitLab CI; `docker compose run app pytest`;
a reusable workflow called from another repository (what it runs is not in this
repository); a repository whose CI file cannot be parsed (a note says so: what CI runs is
then unknown). When the `test` script is npm's placeholder and CI calls it,
`testing/no-tests` reports the placeholder and this rule stays silent.

## Fix
Add a CI job that installs the dependencies and runs the tests on every push and pull
request (`npm test`, `pytest`), without `|| true` or `continue-on-error`, and make it a
required check before merging.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

/// As `testing/no-tests`: projects with sources that ship (a manifest, or the only project).
fn applies(ctx: &ProjectContext) -> bool {
    has_sources(ctx) && (!ctx.project.manifests.is_empty() || ctx.ws.projects.len() == 1)
}

/// Whether a test-named file holds a test a runner would collect (helpers and fixtures
/// under `tests/` do not).
fn holds_tests(ctx: &ProjectContext, file: usize) -> bool {
    let Some(text) = ctx.files[file].text.as_deref() else {
        return true;
    };
    let markers: &[&str] = match ctx.language(file) {
        Some(flightcheck_core::Language::Python) => {
            &["def test", "class Test", "unittest", "pytest"]
        }
        _ => &[
            "test(",
            "it(",
            "describe(",
            "expect(",
            "assert",
            "test.",
            "it.",
        ],
    };
    markers.iter().any(|m| text.contains(m))
}

/// Test runs shown in the evidence.
const SHOWN: usize = 6;

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let tests: Vec<&str> = ctx
        .sources
        .iter()
        .filter(|i| is_test_file(ctx.rel(**i)) && holds_tests(ctx, **i))
        .map(|i| ctx.rel(*i))
        .collect();
    if tests.is_empty() {
        // `testing/no-tests` reports a project without tests.
        return Vec::new();
    }
    let ws = ctx.ws;
    if !ws.ci_broken.is_empty() {
        // What the broken file runs is unknown (the scan notes name it).
        return Vec::new();
    }
    let root = ctx.project.root.as_str();
    let relevant = |r: &&TestRun| is_within(&r.cwd, root) || is_within(root, &r.cwd);
    let runs: Vec<&TestRun> = ws.test_runs.iter().filter(relevant).collect();
    if runs.iter().any(|r| r.inactive.is_none()) {
        return Vec::new();
    }
    let placeholder = ctx
        .project
        .package_json
        .as_ref()
        .and_then(|p| p.scripts.get("test"))
        .is_some_and(|s| is_placeholder_test_script(s));
    if placeholder && runs.iter().any(|r| r.placeholder) {
        // CI calls `npm test`, which is the placeholder: `testing/no-tests` reports that.
        return Vec::new();
    }
    let name = &ctx.project.name;
    let ci_files: Vec<&str> = ws
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Ci)
        .map(|f| f.rel.as_str())
        .collect();
    let found_tests = Evidence::searched(format!(
        "{} test file{} in `{root}`: {}{}",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        tests
            .iter()
            .take(3)
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", "),
        if tests.len() > 3 { ", …" } else { "" }
    ));
    let verify = "Push a commit with a failing test: the CI run fails.";
    if ci_files.is_empty() {
        let mut finding = Finding::new(
            &META,
            format!(
                "`{name}` has {} test file{} but the repository has no CI configuration: nothing runs them before a deploy",
                tests.len(),
                if tests.len() == 1 { "" } else { "s" }
            ),
        );
        if let Some(m) = ctx.manifest() {
            finding = finding.at(m, Span::line(1));
        }
        return vec![
            finding
                .key(format!("{root} no CI"))
                .evidence(found_tests)
                .evidence(Evidence::searched(format!(
                    "searched the repository for CI configuration: {}; none found",
                    ci::SEARCHED
                )))
                .impact("Nothing runs the tests before code is merged and deployed; they rot, and regressions reach users.")
                .fix("Add a CI workflow that installs dependencies and runs the tests on every push and pull request, and require it before merging.")
                .verify(verify),
        ];
    }
    let searched = Evidence::searched(format!(
        "read {} CI file{} ({}{}) and followed {} steps through package.json scripts, make targets and shell scripts: no step that really runs starts a test runner (jest, vitest, mocha, pytest, unittest, tox, nox, go test, …) or a test script in `{root}` or above it",
        ci_files.len(),
        if ci_files.len() == 1 { "" } else { "s" },
        ci_files
            .iter()
            .take(5)
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", "),
        if ci_files.len() > 5 { ", …" } else { "" },
        if ci_files.len() == 1 { "its" } else { "their" }
    ));
    let elsewhere: Vec<&TestRun> = ws
        .test_runs
        .iter()
        .filter(|r| r.inactive.is_none() && !relevant(r))
        .collect();
    let (message, at_file, at_line) = match runs.first() {
        Some(first) => (
            format!(
                "CI does not run the tests of `{name}`: the step at `{}:{}` that would run {} is inactive ({})",
                first.ci_file,
                first.ci_line,
                first.runner,
                first.inactive.as_deref().unwrap_or("inactive")
            ),
            first.ci_file.clone(),
            first.ci_line,
        ),
        None => (
            format!(
                "CI does not run the tests of `{name}` ({} test file{}): no step of {} runs them",
                tests.len(),
                if tests.len() == 1 { "" } else { "s" },
                match ci_files.as_slice() {
                    [one] => format!("`{one}`"),
                    many => format!("the {} CI files", many.len()),
                }
            ),
            ci_files[0].to_string(),
            1,
        ),
    };
    let mut finding = Finding::new(&META, message)
        .at(&at_file, Span::line(at_line))
        .key(format!("{root} tests not in CI"))
        .evidence(found_tests);
    // One piece of evidence per command: `jest` and `npm script `test`` are one line.
    let mut shown: Vec<(&str, u32, &str, Vec<&str>, &TestRun)> = Vec::new();
    for r in &runs {
        match shown
            .iter_mut()
            .find(|s| s.0 == r.file && s.1 == r.line && s.2 == r.command)
        {
            Some(s) => s.3.push(&r.runner),
            None => shown.push((&r.file, r.line, &r.command, vec![&r.runner], r)),
        }
    }
    for (file, line, command, runners, r) in shown.iter().take(SHOWN) {
        finding = finding.evidence(Evidence::at(
            file,
            *line,
            command.to_string(),
            format!(
                "runs {}, but does not count: {} ({})",
                runners.join(" / "),
                r.inactive.as_deref().unwrap_or("inactive"),
                r.source
            ),
        ));
    }
    for r in elsewhere.iter().take(3) {
        finding = finding.evidence(Evidence::at(
            &r.file,
            r.line,
            r.command.clone(),
            format!(
                "runs {} in `{}`, not in `{root}` ({})",
                r.runner, r.cwd, r.source
            ),
        ));
    }
    vec![
        finding
            .evidence(searched)
            .impact("The tests never gate a merge or deploy: they rot, and regressions reach users while the pipeline stays green.")
            .fix("Run the tests in CI on every push and pull request (`npm test`, `pytest`), without `|| true` or `continue-on-error`, and require the job before merging.")
            .verify(verify),
    ]
}
