//! Which commands CI runs to test the code: from every CI step, through package.json
//! scripts, make targets and shell scripts, to a test runner (jest, vitest, mocha, pytest,
//! tox, `go test`…) or a script, target or file named for tests. Steps that do not really
//! run (commented out, failure ignored, disabled, started by hand) are kept with the reason,
//! for evidence.

use crate::ci::{CiStep, Inactive};
use crate::commands::{split_commands, strip_wrappers};
use crate::follow::{At, Follower, Reached, Unit};
use crate::manifest::is_placeholder_test_script;
use crate::workspace::{Workspace, join};

/// A command that runs tests, reached from a CI step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRun {
    /// Directory the tests run in, relative to the scan root.
    pub cwd: String,
    /// What runs them: `pytest`, `jest`, `npm script `test``, `make target `test``.
    pub runner: String,
    /// Where the command is: the CI file, or a package.json, Makefile or script it reaches.
    pub file: String,
    pub line: u32,
    /// Where it is declared and what reaches it: `package.json scripts.test
    /// (.github/workflows/ci.yml step `Test`)`.
    pub source: String,
    pub command: String,
    /// Why it does not count as CI running the tests (commented out, failure ignored,
    /// disabled, started by hand, the script is a placeholder); `None`: it does.
    pub inactive: Option<String>,
    /// The npm `test` script it reaches is a placeholder (`echo "Error: no test specified"`).
    pub placeholder: bool,
    /// The CI step that reaches it.
    pub ci_file: String,
    pub ci_line: u32,
}

pub(crate) fn fill(ws: &mut Workspace) {
    let mut notes = Vec::new();
    let runs = test_runs(ws, &mut notes);
    ws.test_runs = runs;
    ws.notes.extend(notes);
}

/// Why a step does not run for real, if it does not.
fn why_inactive(step: &CiStep) -> Option<String> {
    step.inactive.as_ref().map(Inactive::describe).or_else(|| {
        step.manual
            .then(|| "runs only when started by hand".to_string())
    })
}

fn test_runs(ws: &Workspace, notes: &mut Vec<flightcheck_core::Note>) -> Vec<TestRun> {
    let mut follower = Follower::new(ws, notes);
    let mut out = Vec::new();
    // Steps that really run first: a script several steps reach is followed once, for them.
    let mut steps: Vec<&CiStep> = ws.ci_steps.iter().collect();
    steps.sort_by_key(|s| why_inactive(s).is_some());
    for step in steps {
        let why = why_inactive(step);
        if let Some(uses) = &step.uses {
            if let Some(runner) = uses_runs_tests(uses, step.command.is_empty() && is_job(step)) {
                out.push(TestRun {
                    cwd: step.cwd.clone(),
                    runner,
                    file: step.file.clone(),
                    line: step.line,
                    source: step.source.clone(),
                    command: format!("uses: {uses}"),
                    inactive: why,
                    placeholder: false,
                    ci_file: step.file.clone(),
                    ci_line: step.line,
                });
            }
            continue;
        }
        let at = At::root(
            &step.file,
            step.line,
            step.source.clone(),
            &step.cwd,
            why.is_none(),
        );
        if step.inactive == Some(Inactive::CommentedOut) {
            follower.record(&at, &step.command, true);
        } else {
            follower.command(&at, &step.command);
        }
        for reached in follower.take() {
            let inactive = if reached.commented {
                Some(match &why {
                    Some(w) if w != "commented out" => format!("commented out; {w}"),
                    _ => "commented out".to_string(),
                })
            } else {
                why.clone()
            };
            let from = out.len();
            detect(ws, &reached, inactive, &mut out);
            for run in &mut out[from..] {
                run.ci_file = step.file.clone();
                run.ci_line = step.line;
            }
        }
    }
    out
}

/// A job-level `uses:` (a reusable workflow) rather than a step's action.
fn is_job(step: &CiStep) -> bool {
    step.source.contains(" job `")
}

/// Whether an action or reusable workflow runs tests: a reusable workflow from elsewhere is
/// a whole pipeline (assumed to test), an action only when its name says so.
fn uses_runs_tests(uses: &str, job_level: bool) -> Option<String> {
    let lower = uses.to_ascii_lowercase();
    if job_level && !lower.starts_with("./") {
        return Some(format!("reusable workflow `{uses}`"));
    }
    // Words, not substrings (`latest-changes` is no test); actions that only report results
    // run nothing.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let runs = words.iter().any(|w| {
        matches!(
            *w,
            "test" | "tests" | "pytest" | "jest" | "cypress" | "playwright" | "tox" | "vitest"
        )
    });
    let reports = words.iter().any(|w| {
        matches!(
            *w,
            "summary"
                | "report"
                | "reporter"
                | "results"
                | "publish"
                | "coverage"
                | "upload"
                | "comment"
        )
    });
    (runs && !reports && !lower.starts_with("./.github/workflows/"))
        .then(|| format!("action `{uses}`"))
}

fn detect(ws: &Workspace, r: &Reached, inactive: Option<String>, out: &mut Vec<TestRun>) {
    let mut push = |cwd: String, runner: String, inactive: Option<String>, placeholder: bool| {
        out.push(TestRun {
            cwd,
            runner,
            file: r.at.file.clone(),
            line: r.at.line,
            source: r.at.shown(),
            command: r.text.clone(),
            inactive,
            placeholder,
            ci_file: String::new(),
            ci_line: 0,
        });
    };
    let mut cwd = r.at.cwd.clone();
    for words in split_commands(&r.text) {
        if words.first().is_some_and(|w| w == "cd") {
            match words.get(1) {
                Some(t) if !t.contains('$') && !t.starts_with(['/', '~', '-']) => {
                    cwd = join(&cwd, t);
                }
                _ => {}
            }
            continue;
        }
        if let Some(runner) = runner_of(&words, 0) {
            push(cwd.clone(), runner, inactive.clone(), false);
        } else if r.commented
            && let Some(invoked) = invoked_tests(&words)
        {
            // Not followed (it never runs), but it shows where the tests were meant to run.
            push(cwd.clone(), invoked, inactive.clone(), false);
        }
    }
    match &r.at.unit {
        Unit::Script { root, name } if is_test_name(name) => {
            let placeholder = ws
                .projects
                .iter()
                .find(|p| p.root == *root)
                .and_then(|p| p.package_json.as_ref())
                .and_then(|p| p.scripts.get(name))
                .is_some_and(|s| is_placeholder_test_script(s));
            let inactive = inactive
                .or_else(|| placeholder.then(|| format!("the `{name}` script is a placeholder")));
            push(
                root.clone(),
                format!("npm script `{name}`"),
                inactive,
                placeholder,
            );
        }
        Unit::Make { file, target } if is_test_name(target) => {
            let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
            push(
                dir.to_string(),
                format!("make target `{target}`"),
                inactive,
                false,
            );
        }
        Unit::File(f) => {
            let name = f.rsplit('/').next().unwrap_or(f);
            let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
            if is_test_name(stem) && !r.commented {
                push(r.at.cwd.clone(), format!("script `{f}`"), inactive, false);
            }
        }
        _ => {}
    }
}

/// `npm test`, `yarn run test:unit`, `make test`, `./scripts/test.sh`: a command that runs
/// a script, target or file named for tests.
fn invoked_tests(words: &[String]) -> Option<String> {
    let w = strip_wrappers(words)?;
    let program = basename(w.first()?);
    let positional: Vec<&str> = w[1..]
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let name = match program {
        "npm" | "yarn" | "pnpm" | "bun" => match positional.first().copied() {
            Some("run" | "run-script") => positional.get(1).copied(),
            Some("t") => Some("test"),
            other => other,
        },
        "make" | "gmake" => positional.first().copied(),
        _ if program.ends_with(".sh") => Some(program.trim_end_matches(".sh")),
        _ => None,
    }?;
    is_test_name(name).then(|| format!("`{}`", w.join(" ")))
}

/// `./scripts/test.sh`, `/app/tests-start.sh`: a shell script named for tests (run where
/// the script itself may not be in this repository, e.g. inside a container).
fn test_script(path: &str) -> Option<String> {
    let name = basename(path);
    let stem = name
        .strip_suffix(".sh")
        .or_else(|| name.strip_suffix(".bash"))?;
    is_test_name(stem).then(|| format!("script `{path}`"))
}

/// A script, target or file name that says it runs tests (`test`, `test:unit`,
/// `run_tests`, `e2e`); `pretest`/`posttest` hooks do not.
pub fn is_test_name(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split([':', '-', '_', '.', '/'])
        .any(|part| {
            matches!(
                part,
                "test"
                    | "tests"
                    | "spec"
                    | "specs"
                    | "e2e"
                    | "unit"
                    | "integration"
                    | "pytest"
                    | "jest"
                    | "vitest"
                    | "mocha"
            )
        })
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Test runner programs that take no subcommand.
const RUNNERS: [&str; 21] = [
    "jest",
    "vitest",
    "mocha",
    "ava",
    "tap",
    "tape",
    "jasmine",
    "karma",
    "uvu",
    "wdio",
    "testcafe",
    "pytest",
    "py.test",
    "tox",
    "nox",
    "nose2",
    "nosetests",
    "green",
    "behave",
    "ward",
    "trial",
];

/// Python modules that run tests (`python -m pytest`).
const PY_MODULES: [&str; 7] = [
    "pytest", "unittest", "tox", "nox", "nose2", "green", "behave",
];

/// Options of `docker run`/`docker compose run` that take a value.
const DOCKER_VALUE_FLAGS: [&str; 16] = [
    "-e",
    "--env",
    "-v",
    "--volume",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--name",
    "--entrypoint",
    "-p",
    "--publish",
    "--network",
    "--env-file",
    "-l",
    "--label",
];

/// The test runner a simple command runs, if any (`npm test` is not one by itself: the
/// script it runs is followed and judged).
pub fn runner_of(words: &[String], depth: u32) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let mut w = strip_wrappers(words)?;
    // Wrappers that run the rest: `poetry run`, `coverage run -m`, `nyc`, `docker compose run app`.
    loop {
        let first = basename(w.first()?);
        let second = w.get(1).map(String::as_str);
        match first {
            "poetry" | "pipenv" | "uv" | "pdm" | "hatch" | "rye" | "bundle"
                if matches!(second, Some("run" | "exec")) =>
            {
                w = &w[2..];
                while let Some(flag) = w.first().filter(|a| a.starts_with('-')) {
                    let takes_value = matches!(
                        flag.as_str(),
                        "--with"
                            | "--python"
                            | "-p"
                            | "--extra"
                            | "--group"
                            | "--env-file"
                            | "--directory"
                            | "--project"
                            | "--package"
                            | "-e"
                            | "--env"
                    );
                    w = w.get(if takes_value { 2 } else { 1 }..)?;
                }
                // `hatch run test`, `pdm run test`: a script of the tool named for tests.
                if let Some(script) = w.first()
                    && is_test_name(script)
                    && !RUNNERS.contains(&basename(script))
                {
                    return Some(format!("{first} run {script}"));
                }
            }
            "hatch" if second == Some("test") => return Some("hatch test".into()),
            "uvx" | "pipx" => {
                w = if second == Some("run") {
                    &w[2..]
                } else {
                    &w[1..]
                };
            }
            "coverage" if second == Some("run") => {
                let rest = &w[2..];
                let skip = rest
                    .iter()
                    .take_while(|a| a.starts_with('-') && *a != "-m")
                    .count();
                let rest = &rest[skip..];
                if rest.first().is_some_and(|a| a == "-m") {
                    let module = rest.get(1)?;
                    return PY_MODULES
                        .contains(&module.as_str())
                        .then(|| format!("coverage run -m {module}"));
                }
                // `coverage run manage.py test`: a Python script.
                let mut as_python = vec!["python".to_string()];
                as_python.extend(rest.iter().cloned());
                return runner_of(&as_python, depth + 1);
            }
            "nyc" | "c8" | "xvfb-run" | "dotenv" | "with-env" => {
                let skip = w[1..].iter().take_while(|a| a.starts_with('-')).count();
                w = &w[1 + skip..];
                if w.first().is_some_and(|a| a == "--") {
                    w = &w[1..];
                }
            }
            "timeout" => {
                let skip = w[1..].iter().take_while(|a| a.starts_with('-')).count();
                w = w.get(2 + skip..)?;
            }
            "docker" | "docker-compose" | "podman" | "podman-compose" => {
                let p = w.iter().position(|a| a == "run" || a == "exec")?;
                let mut j = p + 1;
                while j < w.len() && w[j].starts_with('-') {
                    j += if DOCKER_VALUE_FLAGS.contains(&w[j].as_str()) {
                        2
                    } else {
                        1
                    };
                }
                // The service or image, then its command.
                w = w.get(j + 1..)?;
            }
            "sh" | "bash" | "dash" | "zsh" => {
                if let Some(p) = w.iter().position(|a| a == "-c" || a == "-ec" || a == "-ce") {
                    let script = w.get(p + 1)?;
                    return split_commands(script)
                        .iter()
                        .find_map(|sub| runner_of(sub, depth + 1));
                }
                // `bash scripts/test.sh`: the script, by its name.
                w = &w[1 + w[1..].iter().take_while(|a| a.starts_with('-')).count()..];
                let script = w.first()?;
                return test_script(script);
            }
            _ => break,
        }
        w = strip_wrappers(w)?;
    }
    let program = basename(w.first()?);
    let args = &w[1..];
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let first_arg = positional.first().copied();
    let has = |x: &str| args.iter().any(|a| a == x);
    let named = |x: Option<&str>| x.is_some_and(is_test_name);
    match program {
        p if RUNNERS.contains(&p) => {
            // `jest --version` or `vitest bench` does not test.
            (!has("--version") && !has("--help") && first_arg != Some("bench"))
                .then(|| p.to_string())
        }
        "playwright" if first_arg == Some("test") => Some("playwright test".into()),
        "cypress" if first_arg == Some("run") => Some("cypress run".into()),
        "react-scripts" | "ng" | "vue-cli-service" | "craco" | "nuxt" | "vite-node"
            if named(first_arg) =>
        {
            Some(format!("{program} {}", first_arg.unwrap_or_default()))
        }
        "node" if has("--test") => Some("node --test".into()),
        "bun" | "deno" if first_arg == Some("test") => Some(format!("{program} test")),
        "go" | "cargo" | "dotnet" | "bazel" | "pants" | "bazelisk"
            if matches!(first_arg, Some("test" | "nextest")) =>
        {
            Some(format!("{program} test"))
        }
        "mvn" | "mvnw" | "gradle" | "gradlew"
            if matches!(first_arg, Some("test" | "verify" | "check")) =>
        {
            Some(format!("{program} {}", first_arg.unwrap_or_default()))
        }
        "nx" | "turbo" | "lerna" => {
            let target = args
                .iter()
                .find_map(|a| {
                    a.strip_prefix("--target=")
                        .or_else(|| a.strip_prefix("-t="))
                })
                .map(str::to_string)
                .or_else(|| {
                    args.iter()
                        .position(|a| a == "-t" || a == "--target")
                        .and_then(|i| args.get(i + 1).cloned())
                })
                .or_else(|| {
                    positional
                        .iter()
                        .find(|a| !matches!(**a, "run" | "run-many" | "affected" | "exec"))
                        .map(|a| a.to_string())
                });
            target
                .filter(|t| t.split(',').any(is_test_name))
                .map(|t| format!("{program} {t}"))
        }
        "npm" | "yarn" | "pnpm" | "bun" => {
            let sub = first_arg?;
            // `pnpm exec jest`, `yarn jest`, `npx`-like forms run the binary.
            let bin = if matches!(sub, "exec" | "x" | "dlx") {
                positional.get(1).copied()
            } else {
                Some(sub)
            };
            if let Some(bin) = bin
                && (RUNNERS.contains(&bin) || matches!(bin, "playwright" | "cypress"))
                && program != "npm"
            {
                return Some(format!("{program} {bin}"));
            }
            if matches!(sub, "exec" | "x")
                && program == "npm"
                && let Some(bin) = bin
                && RUNNERS.contains(&bin)
            {
                return Some(format!("npm exec {bin}"));
            }
            // Workspaces: every package's test script (`pnpm -r test`, `npm test --workspaces`,
            // `yarn workspaces foreach run test`).
            let recursive = args.iter().any(|a| {
                matches!(
                    a.as_str(),
                    "-r" | "--recursive"
                        | "--workspaces"
                        | "-ws"
                        | "--filter"
                        | "-F"
                        | "--workspace"
                        | "-w"
                ) || a.starts_with("--filter=")
                    || a.starts_with("--workspace=")
            }) || sub == "workspaces";
            let script = positional
                .iter()
                .copied()
                .filter(|a| !matches!(*a, "run" | "workspaces" | "foreach" | "run-script"))
                .find(|a| !a.contains('/') && !a.starts_with('@'));
            (recursive && named(script))
                .then(|| format!("{program} {} (every workspace)", script.unwrap_or_default()))
        }
        p if p.starts_with("python") => {
            let mut i = 0;
            while i < args.len() {
                let a = args[i].as_str();
                if a == "-m" {
                    let module = args.get(i + 1)?.as_str();
                    if PY_MODULES.contains(&module) {
                        return Some(format!("python -m {module}"));
                    }
                    if module == "django" && args.get(i + 2).is_some_and(|a| a == "test") {
                        return Some("python -m django test".into());
                    }
                    return None;
                }
                if a == "-c" {
                    return None;
                }
                if a.starts_with('-') {
                    i += 1;
                    continue;
                }
                let script = basename(a);
                let sub = args.get(i + 1).map(String::as_str);
                if matches!(script, "manage.py" | "setup.py") && sub == Some("test") {
                    return Some(format!("python {script} test"));
                }
                if (script.ends_with(".py") && is_test_name(script.trim_end_matches(".py")))
                    || a.starts_with("tests/")
                    || a.starts_with("test/")
                {
                    return Some(format!("python {a}"));
                }
                return None;
            }
            None
        }
        "django-admin" if first_arg == Some("test") => Some("django-admin test".into()),
        _ => test_script(&w[0]),
    }
}

#[cfg(test)]
mod tests;
