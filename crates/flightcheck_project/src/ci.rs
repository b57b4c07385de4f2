//! CI configurations as the commands they run: GitHub Actions (workflows and composite
//! actions), GitLab CI, CircleCI, Bitbucket Pipelines, Azure Pipelines, Jenkinsfiles, Travis
//! CI, Woodpecker and Drone. Each command line becomes a [`CiStep`] that says where it is
//! declared, the directory it runs in, and whether it really runs: commented out, failure
//! ignored (`|| true`, `continue-on-error: true`, `allow_failure: true`), disabled
//! (`if: false`) or only started by hand.

use crate::commands::{logical_lines, split_commands};
use crate::deploy::find_line;
use crate::workspace::join;
use serde::Deserialize;
use serde_yaml::Value as Yaml;

/// Why a CI command does not count as running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inactive {
    /// `# - run: npm test`
    CommentedOut,
    /// It runs, but its failure never fails the pipeline (`|| true`, `continue-on-error:
    /// true`, `allow_failure: true`, `failure: ignore`, `returnStatus: true`).
    FailureIgnored(String),
    /// It never runs (`if: false`, `condition: false`).
    Disabled(String),
}

impl Inactive {
    pub fn describe(&self) -> String {
        match self {
            Self::CommentedOut => "commented out".into(),
            Self::FailureIgnored(why) => format!("failure ignored: {why}"),
            Self::Disabled(why) => format!("disabled: {why}"),
        }
    }
}

/// One command line a CI configuration runs (or shows, commented out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiStep {
    /// The CI file, relative to the scan root.
    pub file: String,
    /// 1-based line of the command.
    pub line: u32,
    /// Where it is declared: `.github/workflows/ci.yml step `Test``, `.gitlab-ci.yml job
    /// `test``, or the file alone for commented-out lines.
    pub source: String,
    /// The command line as written (one logical line).
    pub command: String,
    /// Directory the command starts in, relative to the scan root.
    pub cwd: String,
    /// The job only tests (its name says test/lint/check, not deploy/release): migrations
    /// there run against a throwaway database.
    pub test_job: bool,
    /// The job or pipeline runs only when someone starts it (`when: manual`,
    /// `workflow_dispatch` only, Bitbucket `custom:` pipelines).
    pub manual: bool,
    pub inactive: Option<Inactive>,
    /// A GitHub step or job that calls an action or reusable workflow (`uses:`) instead of
    /// running a command (`command` is then empty): what it runs is not in this file.
    pub uses: Option<String>,
}

/// Reads every CI file of the workspace once: its steps, and notes for files that do not
/// parse (their paths are kept: a broken file leaves what CI runs unknown).
pub(crate) fn fill(ws: &mut crate::Workspace) {
    let mut steps = Vec::new();
    let mut broken = Vec::new();
    let mut notes = Vec::new();
    for f in ws.files.iter().filter(|f| f.kind == crate::FileKind::Ci) {
        let Some(text) = crate::workspace::read_text(&f.abs, &f.rel, &mut notes) else {
            broken.push(f.rel.clone());
            continue;
        };
        match self::steps(&f.rel, &text) {
            Ok(s) => steps.extend(s),
            Err(e) => {
                notes.push(flightcheck_core::Note::file(
                    &f.rel,
                    format!("{e}; ignored"),
                ));
                broken.push(f.rel.clone());
            }
        }
    }
    ws.ci_steps = steps;
    ws.ci_broken = broken;
    ws.notes.extend(notes);
}

/// Whether `rel` is a CI configuration this module reads.
pub fn is_ci_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    let under = |dir: &str| rel.starts_with(dir) || rel.contains(&format!("/{dir}"));
    (yaml
        && (under(".github/workflows/")
            || under(".circleci/")
            || under(".woodpecker/")
            || (under(".github/actions/")
                && matches!(lower.as_str(), "action.yml" | "action.yaml"))))
        || matches!(
            lower.as_str(),
            ".gitlab-ci.yml"
                | ".gitlab-ci.yaml"
                | ".travis.yml"
                | ".travis.yaml"
                | "azure-pipelines.yml"
                | "azure-pipelines.yaml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | ".drone.yaml"
                | ".woodpecker.yml"
                | ".woodpecker.yaml"
                | "jenkinsfile"
        )
}

/// The places [`is_ci_file`] looks, for "what was searched" evidence.
pub const SEARCHED: &str = ".github/workflows/*.yml, .github/actions/*/action.yml, .gitlab-ci.yml, .circleci/config.yml, bitbucket-pipelines.yml, azure-pipelines.yml, Jenkinsfile, .travis.yml, .woodpecker.yml, .woodpecker/*.yml, .drone.yml";

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

const TEST_WORDS: [&str; 6] = ["test", "lint", "check", "e2e", "spec", "verify"];
const DEPLOY_WORDS: [&str; 7] = [
    "deploy", "release", "prod", "publish", "migrat", "ship", "staging",
];

/// Whether a CI job only tests (by its file, workflow, job and stage names).
pub fn test_only(names: &[&str]) -> bool {
    // Words, not substrings: `latest` is no test.
    let words: Vec<String> = names
        .iter()
        .flat_map(|n| n.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let starts = |list: &[&str]| words.iter().any(|w| list.iter().any(|l| w.starts_with(l)));
    starts(&TEST_WORDS) && !starts(&DEPLOY_WORDS)
}

/// A commented-out line's command (`# npx knex migrate:latest`, `# - run: alembic upgrade`).
pub fn commented_command(line: &str) -> Option<&str> {
    let mut rest = line
        .trim()
        .strip_prefix('#')?
        .trim_start_matches('#')
        .trim();
    for prefix in ["- ", "run:", "script:", "command:", "- ", "\"", "'"] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest).trim();
    }
    let rest = rest.trim_end_matches(['"', '\'']);
    (!rest.is_empty()).then_some(rest)
}

/// `cmd || true`, `cmd || :`, `cmd || exit 0`, `cmd || echo …`: the line cannot fail.
pub fn failure_ignored(line: &str) -> Option<String> {
    let mut search = 0;
    while let Some(off) = line[search..].find("||") {
        let at = search + off;
        let rest = line[at + 2..].trim_start();
        let first = rest
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        let swallowed = matches!(first, "true" | ":" | "echo" | "printf" | "continue")
            || rest.starts_with("exit 0")
            || rest.starts_with("return 0");
        if swallowed {
            let shown: String = rest.chars().take(30).collect();
            return Some(format!("`|| {}`", shown.trim_end()));
        }
        search = at + 2;
    }
    None
}

/// Finds the lines of commands in order, so repeated commands get successive lines.
struct LineFinder<'t> {
    lines: Vec<&'t str>,
    cursor: usize,
    comment: &'static str,
}

impl<'t> LineFinder<'t> {
    fn new(text: &'t str, comment: &'static str) -> Self {
        LineFinder {
            lines: text.lines().collect(),
            cursor: 0,
            comment,
        }
    }

    fn find(&mut self, needle: &str) -> Option<u32> {
        let needle = needle.trim();
        if needle.is_empty() {
            return None;
        }
        let comment = self.comment;
        let hit =
            |(_, l): &(usize, &&str)| l.contains(needle) && !l.trim_start().starts_with(comment);
        let found = self
            .lines
            .iter()
            .enumerate()
            .skip(self.cursor)
            .find(hit)
            .or_else(|| self.lines.iter().enumerate().find(hit))
            .map(|(i, _)| i)?;
        self.cursor = found + 1;
        Some(found as u32 + 1)
    }
}

/// The directory after the `cd` commands of a line (paths with variables other than the
/// checkout directory leave it unchanged).
fn cd_after(cwd: &str, repo_root: &str, line: &str) -> String {
    let mut cwd = cwd.to_string();
    for words in split_commands(line) {
        if words.first().map(String::as_str) != Some("cd") {
            continue;
        }
        let Some(target) = words.get(1) else {
            cwd = repo_root.to_string();
            continue;
        };
        let mut target = target.as_str();
        let mut base = cwd.clone();
        for var in [
            "${{ github.workspace }}",
            "${{github.workspace}}",
            "$GITHUB_WORKSPACE",
            "${GITHUB_WORKSPACE}",
            "$CI_PROJECT_DIR",
            "${CI_PROJECT_DIR}",
            "$BITBUCKET_CLONE_DIR",
            "$CIRCLE_WORKING_DIRECTORY",
            "$(System.DefaultWorkingDirectory)",
            "$(Build.SourcesDirectory)",
            "$WORKSPACE",
            "$CI_WORKSPACE",
            "$DRONE_WORKSPACE",
        ] {
            if let Some(rest) = target.strip_prefix(var) {
                target = rest.trim_start_matches('/');
                base = repo_root.to_string();
            }
        }
        if target.contains('$')
            || target.starts_with('~')
            || target.starts_with('/')
            || target == "-"
        {
            continue;
        }
        let next = if target.is_empty() {
            base
        } else {
            join(&base, target)
        };
        if !next.starts_with("..") {
            cwd = next;
        }
    }
    cwd
}

/// Shared state while one CI file is read.
struct Reader<'t> {
    file: &'t str,
    text: &'t str,
    repo_root: String,
    finder: LineFinder<'t>,
    out: Vec<CiStep>,
}

/// How a block of commands runs.
#[derive(Clone, Default)]
struct Block {
    source: String,
    cwd: String,
    test_job: bool,
    manual: bool,
    inactive: Option<Inactive>,
    fallback_line: u32,
}

impl<'t> Reader<'t> {
    fn new(file: &'t str, text: &'t str, repo_root: String, comment: &'static str) -> Self {
        Reader {
            file,
            text,
            repo_root,
            finder: LineFinder::new(text, comment),
            out: Vec::new(),
        }
    }

    /// The lines of a `run:`/`script:` block as steps (one shell: `cd` carries over).
    fn block(&mut self, b: &Block, script: &str) {
        let mut cwd = b.cwd.clone();
        for (_, line) in logical_lines(script, false) {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let first = t.lines().next().unwrap_or(t);
            let probe: String = first.chars().take(60).collect();
            let line_no = self.finder.find(&probe).unwrap_or(b.fallback_line);
            let inactive = b
                .inactive
                .clone()
                .or_else(|| failure_ignored(t).map(Inactive::FailureIgnored));
            self.out.push(CiStep {
                file: self.file.to_string(),
                line: line_no,
                source: b.source.clone(),
                command: t.to_string(),
                cwd: cwd.clone(),
                test_job: b.test_job,
                manual: b.manual,
                inactive,
                uses: None,
            });
            cwd = cd_after(&cwd, &self.repo_root, t);
        }
    }

    /// Commented-out commands (`#` lines) of the file.
    fn commented(&mut self) {
        for (n, l) in self.text.lines().enumerate() {
            if let Some(cmd) = commented_command(l) {
                self.out.push(CiStep {
                    file: self.file.to_string(),
                    line: n as u32 + 1,
                    source: self.file.to_string(),
                    command: cmd.to_string(),
                    cwd: self.repo_root.clone(),
                    test_job: false,
                    manual: false,
                    inactive: Some(Inactive::CommentedOut),
                    uses: None,
                });
            }
        }
    }
}

fn str_at(v: &Yaml, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    match cur {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn is_true(v: Option<&Yaml>) -> bool {
    match v {
        Some(Yaml::Bool(b)) => *b,
        Some(Yaml::String(s)) => s.trim() == "true",
        _ => false,
    }
}

/// `if: false`, `if: ${{ false }}`, `condition: false`.
fn is_false_condition(v: Option<&Yaml>) -> bool {
    match v {
        Some(Yaml::Bool(b)) => !*b,
        Some(Yaml::String(s)) => {
            let s = s.trim();
            let s = s
                .strip_prefix("${{")
                .and_then(|r| r.strip_suffix("}}"))
                .unwrap_or(s);
            s.trim() == "false"
        }
        _ => false,
    }
}

/// A YAML value holding commands: a string, or a list of strings.
fn yaml_lines(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(seq) => seq
            .iter()
            .filter_map(Yaml::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_yaml(text: &str) -> Result<Yaml, String> {
    let mut doc: Yaml = serde_yaml::from_str(text).map_err(|e| format!("broken CI YAML: {e}"))?;
    // `<<: *defaults` merge keys are how CI files share settings.
    let _ = doc.apply_merge();
    Ok(doc)
}

/// The steps of a CI file. `Err` for configurations that do not parse.
pub fn steps(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let lower = file_name(file).to_ascii_lowercase();
    let in_dir = |dir: &str| file.starts_with(dir) || file.contains(&format!("/{dir}"));
    if in_dir(".github/workflows/") || in_dir(".github/actions/") {
        github(file, text)
    } else if lower.starts_with(".gitlab-ci.") {
        gitlab(file, text)
    } else if in_dir(".circleci/") {
        circleci(file, text)
    } else if lower == "bitbucket-pipelines.yml" {
        bitbucket(file, text)
    } else if lower.starts_with("azure-pipelines.") {
        azure(file, text)
    } else if lower.starts_with(".travis.") {
        travis(file, text)
    } else if lower.starts_with(".woodpecker")
        || in_dir(".woodpecker/")
        || lower.starts_with(".drone.")
    {
        woodpecker_drone(file, text)
    } else if lower == "jenkinsfile" {
        Ok(jenkins(file, text))
    } else {
        Ok(Vec::new())
    }
}

fn github(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = [".github/workflows/", ".github/actions/"]
        .iter()
        .find_map(|d| file.split_once(d).map(|(r, _)| r.trim_end_matches('/')))
        .filter(|r| !r.is_empty())
        .unwrap_or(".")
        .to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    let name = file_name(file).to_ascii_lowercase();
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .to_string();
    let workflow_name = str_at(&doc, &["name"]).unwrap_or_default();
    let workflow_wd = str_at(&doc, &["defaults", "run", "working-directory"]);
    // `on: workflow_dispatch` alone: the workflow runs only when started by hand.
    let manual = match doc.get("on") {
        Some(Yaml::String(s)) => s == "workflow_dispatch",
        Some(Yaml::Sequence(seq)) => {
            !seq.is_empty() && seq.iter().all(|t| t.as_str() == Some("workflow_dispatch"))
        }
        Some(Yaml::Mapping(m)) => {
            !m.is_empty() && m.keys().all(|k| k.as_str() == Some("workflow_dispatch"))
        }
        _ => false,
    };
    let mut jobs: Vec<(String, &Yaml)> = Vec::new();
    if let Some(map) = doc.get("jobs").and_then(Yaml::as_mapping) {
        for (id, job) in map {
            jobs.push((id.as_str().unwrap_or("").to_string(), job));
        }
    }
    // A composite action: `runs: { using: composite, steps: [...] }`.
    let composite;
    if let Some(runs) = doc.get("runs") {
        composite = runs.clone();
        jobs.push(("action".to_string(), &composite));
    }
    for (id, job) in jobs {
        let job_name = str_at(job, &["name"]).unwrap_or_default();
        let test_job = test_only(&[&stem, &workflow_name, &id, &job_name]);
        let job_wd =
            str_at(job, &["defaults", "run", "working-directory"]).or_else(|| workflow_wd.clone());
        let job_inactive = if is_false_condition(job.get("if")) {
            Some(Inactive::Disabled("job `if: false`".into()))
        } else if is_true(job.get("continue-on-error")) {
            Some(Inactive::FailureIgnored(
                "job `continue-on-error: true`".into(),
            ))
        } else {
            None
        };
        let opaque =
            |r: &mut Reader<'_>, uses: &str, source: String, inactive: Option<Inactive>| {
                let line = r.finder.find(uses).unwrap_or(1);
                r.out.push(CiStep {
                    file: file.to_string(),
                    line,
                    source,
                    command: String::new(),
                    cwd: repo_root.clone(),
                    test_job,
                    manual,
                    inactive,
                    uses: Some(uses.to_string()),
                });
            };
        if let Some(uses) = job.get("uses").and_then(Yaml::as_str) {
            opaque(
                &mut r,
                uses,
                format!("{file} job `{id}`"),
                job_inactive.clone(),
            );
            continue;
        }
        let Some(steps) = job.get("steps").and_then(Yaml::as_sequence) else {
            continue;
        };
        for step in steps {
            let step_inactive = job_inactive.clone().or_else(|| {
                if is_false_condition(step.get("if")) {
                    Some(Inactive::Disabled("`if: false`".into()))
                } else if is_true(step.get("continue-on-error")) {
                    Some(Inactive::FailureIgnored("`continue-on-error: true`".into()))
                } else {
                    None
                }
            });
            if let Some(uses) = step.get("uses").and_then(Yaml::as_str) {
                let name = str_at(step, &["name"]).unwrap_or_else(|| uses.to_string());
                // An action that runs a script it is given (`appleboy/ssh-action` with
                // `script:` runs it on the deploy host, over SSH): its lines are the
                // deploy's commands, run in a checkout of this repository.
                let script = str_at(step, &["with", "script"]);
                opaque(
                    &mut r,
                    uses,
                    format!("{file} step `{name}`"),
                    step_inactive.clone(),
                );
                if let Some(script) = script {
                    let block = Block {
                        source: format!("{file} step `{name}` (script run by `{uses}`)"),
                        cwd: repo_root.clone(),
                        test_job,
                        manual,
                        inactive: step_inactive,
                        fallback_line: find_line(text, "script:").unwrap_or(1),
                    };
                    r.block(&block, &script);
                }
                continue;
            }
            let Some(run) = step.get("run").and_then(Yaml::as_str) else {
                continue;
            };
            let step_name = str_at(step, &["name"])
                .unwrap_or_else(|| crate::short(run.lines().next().unwrap_or("").trim(), 60));
            let wd = str_at(step, &["working-directory"]).or_else(|| job_wd.clone());
            let cwd = match wd {
                Some(w) => join(&repo_root, w.trim_start_matches("./")),
                None => repo_root.clone(),
            };
            let block = Block {
                source: format!("{file} step `{step_name}`"),
                cwd,
                test_job,
                manual,
                inactive: step_inactive,
                fallback_line: find_line(text, "run:").unwrap_or(1),
            };
            r.block(&block, run);
        }
    }
    Ok(r.out)
}

fn gitlab(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = dir_of(file).to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    let Some(top) = doc.as_mapping() else {
        return Ok(r.out);
    };
    for (key, job) in top {
        let key = key.as_str().unwrap_or("");
        if matches!(
            key,
            "stages" | "variables" | "include" | "workflow" | "image" | "services" | "cache"
        ) {
            continue;
        }
        let blocks: Vec<&Yaml> = if matches!(key, "before_script" | "after_script") {
            vec![job]
        } else if job.is_mapping() {
            ["before_script", "script", "after_script"]
                .iter()
                .filter_map(|k| job.get(*k))
                .collect()
        } else {
            continue;
        };
        let stage = str_at(job, &["stage"]).unwrap_or_default();
        let manual = str_at(job, &["when"]).as_deref() == Some("manual");
        let inactive = is_true(job.get("allow_failure"))
            .then(|| Inactive::FailureIgnored("`allow_failure: true`".into()));
        let block = Block {
            source: format!("{file} job `{key}`"),
            cwd: repo_root.clone(),
            test_job: test_only(&[key, &stage]),
            manual,
            inactive,
            fallback_line: find_line(text, &format!("{key}:")).unwrap_or(1),
        };
        // One shell per job: `cd` in one item carries over to the next.
        let lines: Vec<String> = blocks.into_iter().flat_map(yaml_lines).collect();
        r.block(&block, &lines.join("\n"));
    }
    Ok(r.out)
}

fn circleci(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = file
        .split_once(".circleci/")
        .map(|(r, _)| r.trim_end_matches('/'))
        .filter(|r| !r.is_empty())
        .unwrap_or(".")
        .to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    if let Some(jobs) = doc.get("jobs").and_then(Yaml::as_mapping) {
        for (id, job) in jobs {
            let id = id.as_str().unwrap_or("");
            let job_wd = str_at(job, &["working_directory"]);
            let Some(steps) = job.get("steps").and_then(Yaml::as_sequence) else {
                continue;
            };
            for step in steps {
                let Some(run) = step.get("run") else { continue };
                let (command, name, wd) = match run {
                    Yaml::String(s) => (s.clone(), None, None),
                    Yaml::Mapping(_) => (
                        str_at(run, &["command"]).unwrap_or_default(),
                        str_at(run, &["name"]),
                        str_at(run, &["working_directory"]),
                    ),
                    _ => continue,
                };
                let cwd = match wd.or_else(|| job_wd.clone()) {
                    Some(w) if !w.starts_with('~') && !w.starts_with('/') => {
                        join(&repo_root, w.trim_start_matches("./"))
                    }
                    _ => repo_root.clone(),
                };
                let label =
                    name.unwrap_or_else(|| crate::short(command.lines().next().unwrap_or(""), 60));
                let block = Block {
                    source: format!("{file} job `{id}` step `{label}`"),
                    cwd,
                    test_job: test_only(&[id]),
                    manual: false,
                    inactive: None,
                    fallback_line: find_line(text, &format!("{id}:")).unwrap_or(1),
                };
                r.block(&block, &command);
            }
        }
    }
    // Orb jobs in workflows (`- node/test`, `- python/test`) run the project's tests.
    if let Some(workflows) = doc.get("workflows").and_then(Yaml::as_mapping) {
        for (_, wf) in workflows {
            let Some(jobs) = wf.get("jobs").and_then(Yaml::as_sequence) else {
                continue;
            };
            for job in jobs {
                let name = match job {
                    Yaml::String(s) => s.clone(),
                    Yaml::Mapping(m) => m
                        .keys()
                        .next()
                        .and_then(Yaml::as_str)
                        .unwrap_or("")
                        .to_string(),
                    _ => continue,
                };
                let command = match name.as_str() {
                    "node/test" => "npm run test",
                    "python/test" => "pytest",
                    _ => continue,
                };
                let line = r.finder.find(&name).unwrap_or(1);
                r.out.push(CiStep {
                    file: file.to_string(),
                    line,
                    source: format!("{file} workflow job `{name}` (orb job: runs `{command}`)"),
                    command: command.to_string(),
                    cwd: repo_root.clone(),
                    test_job: true,
                    manual: false,
                    inactive: None,
                    uses: None,
                });
            }
        }
    }
    Ok(r.out)
}

fn bitbucket(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = dir_of(file).to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    let Some(pipelines) = doc.get("pipelines").and_then(Yaml::as_mapping) else {
        return Ok(r.out);
    };
    // Collects every `step:` under a pipeline, through `parallel:` and `stage:` nesting.
    fn collect<'y>(v: &'y Yaml, out: &mut Vec<&'y Yaml>, depth: u32) {
        if depth > 12 {
            return;
        }
        match v {
            Yaml::Sequence(seq) => seq.iter().for_each(|x| collect(x, out, depth + 1)),
            Yaml::Mapping(m) => {
                for (k, x) in m {
                    if k.as_str() == Some("step") {
                        out.push(x);
                    } else {
                        collect(x, out, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
    for (kind, pipeline) in pipelines {
        let kind = kind.as_str().unwrap_or("");
        let mut found = Vec::new();
        collect(pipeline, &mut found, 0);
        for step in found {
            let name = str_at(step, &["name"]).unwrap_or_default();
            let manual =
                kind == "custom" || str_at(step, &["trigger"]).as_deref() == Some("manual");
            let block = Block {
                source: format!("{file} {kind} step `{name}`"),
                cwd: repo_root.clone(),
                test_job: test_only(&[&name]),
                manual,
                inactive: None,
                fallback_line: find_line(text, "script:").unwrap_or(1),
            };
            let lines = step.get("script").map(yaml_lines).unwrap_or_default();
            r.block(&block, &lines.join("\n"));
        }
    }
    Ok(r.out)
}

fn azure(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = dir_of(file).to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    // Every `steps:` list, wherever stages and jobs nest it, with the job's settings.
    fn walk(v: &Yaml, job: Option<&Yaml>, r: &mut Reader<'_>, depth: u32) {
        if depth > 12 {
            return;
        }
        match v {
            Yaml::Sequence(seq) => seq.iter().for_each(|x| walk(x, job, r, depth + 1)),
            Yaml::Mapping(m) => {
                let is_job = m
                    .keys()
                    .any(|k| matches!(k.as_str(), Some("job" | "deployment")));
                let job = if is_job { Some(v) } else { job };
                for (k, x) in m {
                    if k.as_str() == Some("steps") {
                        if let Some(steps) = x.as_sequence() {
                            for s in steps {
                                azure_step(s, job, r);
                            }
                        }
                    } else {
                        walk(x, job, r, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
    walk(&doc, None, &mut r, 0);
    Ok(r.out)
}

fn azure_step(step: &Yaml, job: Option<&Yaml>, r: &mut Reader<'_>) {
    let Some((kind, script)) = ["script", "bash", "pwsh", "powershell"]
        .iter()
        .find_map(|k| step.get(*k).and_then(Yaml::as_str).map(|s| (*k, s)))
    else {
        return;
    };
    let job_name = job
        .and_then(|j| str_at(j, &["job"]).or_else(|| str_at(j, &["deployment"])))
        .unwrap_or_default();
    let name = str_at(step, &["displayName"]).unwrap_or_else(|| kind.to_string());
    let inactive = if is_false_condition(step.get("condition"))
        || job.is_some_and(|j| is_false_condition(j.get("condition")))
    {
        Some(Inactive::Disabled("`condition: false`".into()))
    } else if is_true(step.get("continueOnError"))
        || job.is_some_and(|j| is_true(j.get("continueOnError")))
    {
        Some(Inactive::FailureIgnored("`continueOnError: true`".into()))
    } else {
        None
    };
    let cwd = match str_at(step, &["workingDirectory"]) {
        Some(w) if !w.contains('$') && !w.starts_with('/') => {
            join(&r.repo_root, w.trim_start_matches("./"))
        }
        _ => r.repo_root.clone(),
    };
    let block = Block {
        source: format!("{} step `{name}`", r.file),
        cwd,
        test_job: test_only(&[&job_name, &name]),
        manual: false,
        inactive,
        fallback_line: find_line(r.text, &format!("{kind}:")).unwrap_or(1),
    };
    r.block(&block, script);
}

fn travis(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let doc = parse_yaml(text)?;
    let repo_root = dir_of(file).to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    const PHASES: [&str; 6] = [
        "before_install",
        "install",
        "before_script",
        "script",
        "after_success",
        "after_script",
    ];
    let mut scopes: Vec<(String, &Yaml)> = vec![("".to_string(), &doc)];
    for key in ["jobs", "matrix"] {
        if let Some(include) = doc
            .get(key)
            .and_then(|j| j.get("include"))
            .and_then(Yaml::as_sequence)
        {
            for (n, job) in include.iter().enumerate() {
                let name = str_at(job, &["name"]).unwrap_or_else(|| n.to_string());
                scopes.push((name, job));
            }
        }
    }
    let mut has_script = false;
    for (name, scope) in &scopes {
        for phase in PHASES {
            let Some(v) = scope.get(phase) else { continue };
            has_script |= phase == "script";
            let label = if name.is_empty() {
                format!("{file} {phase}")
            } else {
                format!("{file} job `{name}` {phase}")
            };
            // Travis builds and tests; deploying is its `deploy:` providers.
            let block = Block {
                source: label,
                cwd: repo_root.clone(),
                test_job: true,
                manual: false,
                inactive: None,
                fallback_line: find_line(text, &format!("{phase}:")).unwrap_or(1),
            };
            r.block(&block, &yaml_lines(v).join("\n"));
        }
    }
    // Travis runs `npm test` by default for Node.js projects without a `script:`.
    let language = str_at(&doc, &["language"]).unwrap_or_default();
    if !has_script && matches!(language.as_str(), "node_js" | "node") {
        r.out.push(CiStep {
            file: file.to_string(),
            line: find_line(text, "language:").unwrap_or(1),
            source: format!("{file} (language: {language}, default script)"),
            command: "npm test".into(),
            cwd: repo_root.clone(),
            test_job: false,
            manual: false,
            inactive: None,
            uses: None,
        });
    }
    Ok(r.out)
}

fn woodpecker_drone(file: &str, text: &str) -> Result<Vec<CiStep>, String> {
    let repo_root = [".woodpecker/"]
        .iter()
        .find_map(|d| file.split_once(d).map(|(r, _)| r.trim_end_matches('/')))
        .unwrap_or_else(|| dir_of(file))
        .to_string();
    let repo_root = if repo_root.is_empty() {
        ".".to_string()
    } else {
        repo_root
    };
    let mut r = Reader::new(file, text, repo_root.clone(), "#");
    r.commented();
    // Drone files hold several `---` documents, one per pipeline.
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let mut doc = Yaml::deserialize(de).map_err(|e| format!("broken CI YAML: {e}"))?;
        let _ = doc.apply_merge();
        docs.push(doc);
    }
    for doc in &docs {
        let pipeline = str_at(doc, &["name"]).unwrap_or_default();
        let steps: Vec<(String, &Yaml)> = match doc.get("steps").or_else(|| doc.get("pipeline")) {
            Some(Yaml::Sequence(seq)) => seq
                .iter()
                .map(|s| (str_at(s, &["name"]).unwrap_or_default(), s))
                .collect(),
            Some(Yaml::Mapping(m)) => m
                .iter()
                .map(|(k, s)| (k.as_str().unwrap_or("").to_string(), s))
                .collect(),
            _ => Vec::new(),
        };
        for (name, step) in steps {
            let inactive = (str_at(step, &["failure"]).as_deref() == Some("ignore"))
                .then(|| Inactive::FailureIgnored("`failure: ignore`".into()));
            let block = Block {
                source: format!("{file} step `{name}`"),
                cwd: repo_root.clone(),
                test_job: test_only(&[&pipeline, &name]),
                manual: false,
                inactive,
                fallback_line: find_line(text, "commands:").unwrap_or(1),
            };
            let lines = step.get("commands").map(yaml_lines).unwrap_or_default();
            r.block(&block, &lines.join("\n"));
        }
    }
    Ok(r.out)
}

/// `sh`/`bat`/`powershell` steps of a (declarative or scripted) Jenkinsfile, with the
/// `dir('…') { … }` they run in. Groovy is not parsed: string literals after the step name.
fn jenkins(file: &str, text: &str) -> Vec<CiStep> {
    let repo_root = dir_of(file).to_string();
    let mut r = Reader::new(file, text, repo_root.clone(), "//");
    // (brace depth at which the dir block closes, directory)
    let mut dirs: Vec<(i32, String)> = Vec::new();
    let mut stage = String::new();
    let mut depth: i32 = 0;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let commented = trimmed.starts_with("//");
        let code = trimmed.trim_start_matches('/').trim_start();
        let cwd = dirs
            .last()
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| repo_root.clone());
        let mut consumed = 1;
        if !commented && let Some(name) = jenkins_call_arg(code, "stage") {
            stage = name;
        }
        if let Some((command, span_lines, returns_status)) = jenkins_step(code, &lines[i + 1..]) {
            consumed = span_lines;
            let inactive = if commented {
                Some(Inactive::CommentedOut)
            } else if returns_status {
                Some(Inactive::FailureIgnored("`returnStatus: true`".into()))
            } else {
                None
            };
            let mut cwd_now = cwd.clone();
            for (_, l) in logical_lines(&command, false) {
                let t = l.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let inactive = inactive
                    .clone()
                    .or_else(|| failure_ignored(t).map(Inactive::FailureIgnored));
                r.out.push(CiStep {
                    file: file.to_string(),
                    line: i as u32 + 1,
                    source: if commented {
                        file.to_string()
                    } else if stage.is_empty() {
                        format!("{file} `sh` step")
                    } else {
                        format!("{file} stage `{stage}`")
                    },
                    command: t.to_string(),
                    cwd: cwd_now.clone(),
                    test_job: test_only(&[&stage]),
                    manual: false,
                    inactive,
                    uses: None,
                });
                cwd_now = cd_after(&cwd_now, &repo_root, t);
            }
        }
        if !commented {
            for l in &lines[i..(i + consumed).min(lines.len())] {
                if let Some(d) = jenkins_dir(l) {
                    dirs.push((depth + 1, join(&cwd, &d)));
                }
                for c in l.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            while dirs.last().is_some_and(|(d, _)| *d > depth) {
                                dirs.pop();
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        i += consumed;
    }
    r.out
}

/// `dir('backend') {` → `backend`.
fn jenkins_dir(line: &str) -> Option<String> {
    jenkins_call_arg(line.trim_start(), "dir").filter(|d| !d.contains('$'))
}

/// The literal first argument of `name('…')` at the start of `code`.
fn jenkins_call_arg(code: &str, name: &str) -> Option<String> {
    let rest = code
        .strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    let arg = &body[..end];
    (!arg.is_empty()).then(|| arg.to_string())
}

/// The command of a step starting on `code` (`sh 'x'`, `sh "x"`, `sh '''…'''`,
/// `sh(script: 'x', returnStatus: true)`), the number of lines it spans, and whether it
/// returns its status instead of failing.
fn jenkins_step(code: &str, next: &[&str]) -> Option<(String, usize, bool)> {
    let word_end = code.find(|c: char| !c.is_ascii_alphanumeric())?;
    let word = &code[..word_end];
    if !matches!(word, "sh" | "bat" | "powershell" | "pwsh") {
        return None;
    }
    let rest = code[word_end..].trim_start();
    let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
    let rest = rest.strip_prefix("script:").unwrap_or(rest).trim_start();
    let returns_status = code.contains("returnStatus: true") || code.contains("returnStatus:true");
    for quote in ["'''", "\"\"\"", "'", "\""] {
        let Some(body) = rest.strip_prefix(quote) else {
            continue;
        };
        if let Some(end) = body.find(quote) {
            return Some((body[..end].to_string(), 1, returns_status));
        }
        if quote.len() == 3 {
            // A multi-line string: up to the closing quotes.
            let mut command = body.to_string();
            for (n, l) in next.iter().enumerate() {
                if let Some(end) = l.find(quote) {
                    command.push('\n');
                    command.push_str(&l[..end]);
                    let status = returns_status || l.contains("returnStatus: true");
                    return Some((command, n + 2, status));
                }
                command.push('\n');
                command.push_str(l);
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests;
