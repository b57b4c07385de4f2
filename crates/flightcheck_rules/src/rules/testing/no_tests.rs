//! `testing/no-tests`: a project without tests, or whose test script is a placeholder.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::FileKind;
use flightcheck_project::manifest::is_placeholder_test_script;
use flightcheck_project::workspace::is_test_file;

pub static META: RuleMeta = RuleMeta {
    id: "testing/no-tests",
    severity: Severity::Medium,
    category: Category::Testing,
    fix_kind: FixKind::Code,
    summary: "No test files, or the test script is a placeholder",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 240,
    docs: r#"## What it does
Looks for test files by the conventions of jest, vitest, mocha, pytest and unittest
(`*.test.*`, `*.spec.*`, `test_*.py`, `*_test.py`, `conftest.py`, files under `test/`,
`tests/`, `__tests__/`, `spec/`), and reads the package.json `test` script. Test files of
the repository's other languages count too (`*_test.go`, `*_test.rs`, `*Test.java`,
`*_spec.rb`, `*Tests.cs`, `*Test.kt`, PHPUnit's `*Test.php`): a Laravel app's tests test the
Node widget server beside it as much as anything does.

## Why it breaks production
Without tests every deploy is the first run of the changed code: regressions in payment,
booking and command handling reach users before anyone sees them. npm's placeholder script
(`echo "Error: no test specified" && exit 1`) makes `npm test` fail in CI, so teams switch CI
off. Severity: `medium` with no tests (missing tests make regressions likely, they do not
break a deploy by themselves); `low` when tests exist but `npm test` is still the placeholder
(they never run).

## Flagged
```json
{ "scripts": { "test": "echo \"Error: no test specified\" && exit 1" } }
```
A project with no test files at all.

## Not flagged
```json
{ "scripts": { "test": "vitest run" } }
```
with `src/booking.test.ts` present; a Python project with `tests/test_handlers.py`; an
assertion script a `test`/`test:*` npm script runs by path (`"test": "node
scripts/check-parser.js"`), whatever its name.

## Fix
Add tests for the paths that lose money or users first (payment webhook, booking, /start),
and a `test` script that runs them (`jest`, `vitest run`, `pytest`).
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

/// Projects with sources; a manifest-less root of stray scripts (repository tooling next to
/// real projects) is not a project that ships.
fn applies(ctx: &ProjectContext) -> bool {
    has_sources(ctx) && (!ctx.project.manifests.is_empty() || ctx.ws.projects.len() == 1)
}

/// Project files that the `test`/`test:*` npm scripts run by path.
fn test_script_files(ctx: &ProjectContext) -> usize {
    let Some(pkg) = ctx.project.package_json.as_ref() else {
        return 0;
    };
    let root = ctx.project.root.as_str();
    let mut files: Vec<usize> = pkg
        .scripts
        .iter()
        .filter(|(name, _)| *name == "test" || name.starts_with("test:"))
        .flat_map(|(_, command)| command.split_whitespace())
        .map(|t| t.trim_matches(|c| c == '"' || c == '\''))
        .filter(|t| {
            [".js", ".mjs", ".cjs", ".ts", ".mts", ".py", ".sh"]
                .iter()
                .any(|e| t.ends_with(e))
        })
        .filter_map(|t| {
            let t = t.trim_start_matches("./");
            let rel = if root == "." {
                t.to_string()
            } else {
                format!("{root}/{t}")
            };
            ctx.ws.file_index(&rel)
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    files.len()
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    // Tests in the project's other languages (a Go scraper beside a Python bot) test it too.
    let tests = ctx
        .sources
        .iter()
        .filter(|i| is_test_file(ctx.rel(**i)))
        .count()
        + ctx
            .ws
            .project_files(ctx.index)
            .filter(|i| ctx.ws.files[*i].kind == FileKind::ForeignTest)
            .count();
    // Assertion scripts a `test`/`test:*` npm script runs (`node scripts/check-parser.js`)
    // are the project's tests, whatever their names.
    let tests = tests + test_script_files(ctx);
    let placeholder = ctx
        .project
        .package_json
        .as_ref()
        .and_then(|p| p.scripts.get("test"))
        .filter(|s| is_placeholder_test_script(s));
    let manifest = ctx.manifest();
    let searched = Evidence::searched(format!(
        "searched {} of `{}` for *.test.*, *.spec.*, test_*.py, *_test.py, conftest.py, test/, tests/, __tests__/, spec/ (and *_test.go, *_test.rs, *Test.java, *_spec.rb, *Tests.cs, *Test.php in its other languages): {tests} found",
        flightcheck_core::text::count_of(ctx.sources.len(), "source file", "source files"),
        ctx.project.root
    ));
    let script_line = ctx
        .project
        .package_json
        .as_ref()
        .and_then(|p| p.script_lines.get("test"))
        .copied();
    let mut finding = match (tests, placeholder) {
        (0, Some(script)) => Finding::new(
            &META,
            format!(
                "`{}` has no test files, and its `test` script is a placeholder: `{script}`",
                ctx.project.name
            ),
        ),
        (0, None) => Finding::new(&META, format!("`{}` has no test files", ctx.project.name)),
        (n, Some(script)) => Finding::new(
            &META,
            format!(
                "`{}` has {n} test file{} but `npm test` runs the placeholder `{script}`",
                ctx.project.name,
                if n == 1 { "" } else { "s" }
            ),
        )
        .severity(Severity::Low),
        (_, None) => return Vec::new(),
    };
    if let Some(m) = manifest {
        let line = if placeholder.is_some() {
            script_line.unwrap_or(1)
        } else {
            1
        };
        finding = finding.at(m, Span::line(line));
        if let Some(script) = placeholder {
            finding = finding.evidence(Evidence::at(
                m,
                line,
                format!("\"test\": \"{}\"", script.replace('"', "\\\"")),
                "the test script",
            ));
        }
    }
    vec![
        finding
            .key(&ctx.project.root)
            .evidence(searched)
            .impact(
                "Every deploy is the first run of the changed code; regressions reach users first.",
            )
            .fix("Add tests for the money and onboarding paths and a `test` script that runs them.")
            .verify(if ctx.project.package_json.is_some() {
                "npm test"
            } else {
                "pytest"
            }),
    ]
}
