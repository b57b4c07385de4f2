//! The scan pipeline. Data flows one way: discover → parse → resolve → reach → rules → score.

use crate::context::{FileState, ImportProblem, ImportedNames, Liveness, ProjectContext};
use crate::project_config;
use crate::registry::{self, Measured, Rule};
use crate::suppression;
use flightcheck_core::{
    Category, Ceiling, Counts, EntryPointReport, FileCounts, FileFacts, Finding, Framework,
    ImportKind, Language, Note, ProjectReport, Role, RuleRef, SCHEMA_VERSION, ScanReport, Severity,
    SilencedFinding, SyntaxIssue, Timing, ToolInfo, Verdict, WhenUnreachable, fingerprint, score,
};
use flightcheck_project::workspace::{is_example_file, is_test_file, join};
use flightcheck_project::{DiscoverOptions, FileKind, ImportGraph, Workspace, entry};
use flightcheck_python::resolve::{ModuleIndex, PyResolution};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Progress of a scan, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Discovery found this many source files to parse.
    Discovered { sources: usize },
    /// One more file parsed.
    Parsed,
    /// Parsing is over.
    Finished,
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Clone, Default)]
pub struct ScanOptions {
    pub root: PathBuf,
    pub jobs: usize,
    pub production_env: Vec<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--config FILE`: used for every project instead of the nearest `flightcheck.toml`.
    pub config: Option<PathBuf>,
    pub progress: Option<ProgressFn>,
    /// `--history-depth N`: commits of git history read for secrets committed and later
    /// removed; `Some(0)` turns history off, `None` reads the default depth.
    pub history_depth: Option<u32>,
    /// The scanned directory's path from the repository root (`services/bot`), put in
    /// front of every path of the report; empty keeps paths relative to the scanned root.
    pub path_prefix: String,
}

/// Config-like files larger than this are data, not configuration: not scanned for secrets.
const MAX_SECRET_SCAN_BYTES: u64 = 1024 * 1024;

/// Above this average line length a file is minified output, not source.
const MINIFIED_AVG_LINE: usize = 500;

/// Bracket nesting deeper than this is machine-generated; recursive-descent parsers and
/// AST walks would need unbounded stack for it.
const MAX_NESTING: usize = 1_000;

/// An expression deeper than this (chained operators, calls, member accesses: see
/// [`crate::shape`]) is machine-generated; its tree would need unbounded stack.
const MAX_CHAIN: usize = 10_000;

/// Stack for parser threads: generous, because parsing and walking recurse per nesting
/// level; with the limits above a tree stays well inside it.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

enum Loaded {
    Text {
        text: String,
        note: Option<String>,
    },
    Skipped(String),
    /// Read but not parsed (minified, or too deep for a safe parse): scanned for secrets
    /// only, with the reason as a note.
    Unparsed {
        text: String,
        note: String,
    },
    /// Python rejects a non-UTF-8 file without a coding declaration.
    PythonNotUtf8(String),
}

/// A JavaScript/TypeScript file that is UTF-8 text with a stray NUL or two (a raw NUL
/// inside a string used as a key separator: `${a}\0${b}` typed literally): engines accept
/// it, so it is source, not binary content. Python refuses NUL bytes in source, so a
/// Python file with one stays unread (and reported).
fn nul_in_js_text(bytes: &[u8], language: Language) -> bool {
    if language == Language::Python {
        return false;
    }
    let nuls = bytes.iter().filter(|b| **b == 0).count();
    nuls <= 8 && nuls * 64 < bytes.len() && std::str::from_utf8(bytes).is_ok()
}

fn load(path: &std::path::Path, language: Language) -> Loaded {
    // Sources were admitted by the walk at most 1 MiB; the cap guards a file swapped since.
    let bytes = match flightcheck_core::read::read_bytes(
        path,
        None,
        flightcheck_project::walk::MAX_SOURCE_BYTES,
    ) {
        Ok(b) => b,
        Err(skip) => return Loaded::Skipped(skip.to_string()),
    };
    if bytes.iter().take(8192).any(|b| *b == 0) && !nul_in_js_text(&bytes, language) {
        return Loaded::Skipped("skipped: binary content".into());
    }
    let (text, note) = match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let declares_coding = lossy
                .lines()
                .take(2)
                .any(|l| l.starts_with('#') && l.contains("coding"));
            if language == Language::Python && !declares_coding {
                return Loaded::PythonNotUtf8(lossy);
            }
            (
                lossy,
                Some("not valid UTF-8: invalid bytes replaced, as Node does".to_string()),
            )
        }
    };
    let lines = text.lines().count().max(1);
    if text.len() > 20_000 && text.len() / lines > MINIFIED_AVG_LINE {
        let note = format!(
            "not parsed: minified (average line {} characters); scanned for secrets only",
            text.len() / lines
        );
        return Loaded::Unparsed { text, note };
    }
    let depth = crate::shape::measure(&text, language);
    if depth.nesting > MAX_NESTING {
        let note = format!(
            "not parsed: brackets nested {} levels deep (machine-generated); scanned for secrets only",
            depth.nesting
        );
        return Loaded::Unparsed { text, note };
    }
    if depth.chain > MAX_CHAIN {
        let note = format!(
            "not parsed: one expression is about {} operations deep (machine-generated); scanned for secrets only",
            depth.chain
        );
        return Loaded::Unparsed { text, note };
    }
    Loaded::Text { text, note }
}

/// One source file after the parse phase.
struct ParsedFile {
    index: usize,
    /// Not read at all: why (see [`crate::context::FileState::unread`]).
    unread: Option<String>,
    facts: Option<FileFacts>,
    /// Secrets of a file read but not parsed.
    unparsed_secrets: Vec<flightcheck_core::secrets::SecretCandidate>,
    text: Option<String>,
    note: Option<String>,
}

/// The key of a resolved Python import in `resolved`: the specifier for the module itself
/// (`.db`, `app.db`), `specifier:name` for a submodule taken by `from pkg import name`.
fn py_resolved_key(
    ws: &Workspace,
    specifier: &str,
    names: &[String],
    module: bool,
    target: usize,
) -> (String, usize) {
    if !module {
        let rel = &ws.files[target].rel;
        let stem = rel
            .strip_suffix("/__init__.py")
            .unwrap_or(rel)
            .trim_end_matches(".py");
        let stem = stem.rsplit('/').next().unwrap_or(stem);
        if let Some(name) = names.iter().find(|n| *n == stem) {
            return (format!("{specifier}:{name}"), target);
        }
    }
    (specifier.to_string(), target)
}

/// What one file's imports resolved to.
#[derive(Default)]
struct FileImports {
    edges: Vec<(usize, usize)>,
    /// Python `from m import a, b` edges: the names taken from the target (liveness of the
    /// target's top-level functions and classes).
    named: Vec<(usize, Vec<String>)>,
    problems: Vec<ImportProblem>,
    /// Loads modules by a path with no literal part: which files it runs is unknowable.
    opaque_load: Option<u32>,
    /// Imports of gitignored local files (config created on the server), as notes.
    local_files: Vec<Note>,
    /// Specifiers that resolved to a walked file (Python: see [`py_resolved_key`]).
    resolved: Vec<(String, usize)>,
    /// Python modules of the project this file imports, and whether the import sits in a
    /// `try` (a failure there is caught by the importer).
    py_local: Vec<(usize, bool)>,
}

/// Source files (not tests) under directory `dir`.
fn sources_under<'w>(ws: &'w Workspace, dir: &'w str) -> impl Iterator<Item = usize> + 'w {
    ws.files
        .iter()
        .enumerate()
        .filter(move |(_, f)| {
            matches!(f.kind, FileKind::Source(_))
                && flightcheck_project::workspace::is_within(&f.rel, dir)
                && f.rel != dir
                && !is_test_file(&f.rel)
                && !is_example_file(&f.rel)
        })
        .map(|(i, _)| i)
}

/// The per-file checks of the selected rules, by language.
#[derive(Default)]
struct FileChecks {
    js: Vec<&'static dyn flightcheck_js::JsFileRule>,
    python: Vec<&'static dyn flightcheck_python::PyFileRule>,
}

fn parse_file(
    rel: &str,
    language: Language,
    text: &str,
    checks: &FileChecks,
    python_target: Option<&flightcheck_core::RuntimeVersion>,
) -> FileFacts {
    match language {
        Language::Python => flightcheck_python::analyze_for(text, &checks.python, python_target),
        Language::JavaScript | Language::TypeScript => {
            flightcheck_js::analyze(rel, text, &checks.js)
        }
    }
}

/// The resolved `flightcheck.toml` of every project under `options.root`, as TOML with
/// its source, for `scan --show-config`.
pub fn show_config(options: &ScanOptions) -> Result<String, String> {
    let root = std::fs::canonicalize(&options.root)
        .map_err(|e| format!("cannot scan {}: {e}", options.root.display()))?;
    let ws = Workspace::discover(
        &root,
        &DiscoverOptions {
            threads: options.jobs.max(1),
            production_env: options.production_env.clone(),
        },
    )?;
    let configs = project_config::resolve(&ws, options.config.as_deref(), &options.path_prefix)?;
    let mut out = String::new();
    for (project, pc) in ws.projects.iter().zip(&configs) {
        out.push_str(&format!("# project: {} ({})\n", project.root, project.name));
        out.push_str(&pc.config.describe(pc.source.as_deref()));
        out.push('\n');
    }
    Ok(out)
}

/// Scans `options.root` and returns the report. `Err` for usage errors (bad path,
/// unknown rule selector, unreadable `--env` file).
/// Load and parse one source file (index `i` of the workspace) with the per-file checks.
fn parse_one(ws: &Workspace, i: usize, checks: &FileChecks) -> ParsedFile {
    let file = &ws.files[i];
    let FileKind::Source(language) = file.kind else {
        return ParsedFile {
            index: i,
            unread: None,
            facts: None,
            unparsed_secrets: Vec::new(),
            text: None,
            note: None,
        };
    };
    // The version the project runs on, when known exactly (a lower bound does not reject
    // syntax).
    let python_target = ws.projects[ws.file_project[i]]
        .python_target
        .as_ref()
        .filter(|t| !t.lower_bound);
    let parsed = |text: String, note: Option<String>, not_utf8: bool| {
        let mut facts = parse_file(&file.rel, language, &text, checks, python_target);
        if not_utf8 {
            facts.syntax_issues.insert(
                0,
                SyntaxIssue {
                    message: "SyntaxError: file is not valid UTF-8 and declares no encoding".into(),
                    span: flightcheck_core::Span::line(1),
                },
            );
        }
        ParsedFile {
            index: i,
            unread: None,
            facts: Some(facts),
            unparsed_secrets: Vec::new(),
            text: Some(text),
            note,
        }
    };
    match load(&file.abs, language) {
        Loaded::Text { text, note } => parsed(text, note, false),
        Loaded::PythonNotUtf8(text) => parsed(text, None, true),
        Loaded::Skipped(note) => ParsedFile {
            index: i,
            unread: Some(note.clone()),
            facts: None,
            unparsed_secrets: Vec::new(),
            text: None,
            note: Some(note),
        },
        Loaded::Unparsed { text, note } => ParsedFile {
            index: i,
            unread: None,
            facts: None,
            unparsed_secrets: flightcheck_core::secrets::scan_text(&text),
            text: Some(text),
            note: Some(note),
        },
    }
}

/// Parse: every source file once, in parallel, into its facts and per-file findings; files
/// that cannot be read or parsed leave a note.
fn parse_sources(
    ws: &Workspace,
    sources: &[usize],
    checks: &FileChecks,
    pool: &rayon::ThreadPool,
    progress: Option<&ProgressFn>,
    notes: &mut Vec<Note>,
) -> Vec<FileState> {
    if let Some(p) = progress {
        p(Progress::Discovered {
            sources: sources.len(),
        });
    }
    let parsed: Vec<ParsedFile> = pool.install(|| {
        sources
            .par_iter()
            .map(|&i| {
                let result = parse_one(ws, i, checks);
                if let Some(p) = progress {
                    p(Progress::Parsed);
                }
                result
            })
            .collect()
    });
    if let Some(p) = progress {
        p(Progress::Finished);
    }
    let mut files: Vec<FileState> = (0..ws.files.len()).map(|_| FileState::default()).collect();
    for ParsedFile {
        index: i,
        unread,
        facts,
        unparsed_secrets,
        text,
        note,
    } in parsed
    {
        files[i].unparsed_secrets = unparsed_secrets;
        if let Some(n) = note {
            let note = Note::file(&ws.files[i].rel, n);
            // A source file that was not read at all leaves its code unjudged.
            notes.push(if unread.is_some() {
                note.lowering_confidence()
            } else {
                note
            });
        }
        files[i].unread = unread;
        files[i].facts = facts;
        if is_framework_source(&ws.files[i].rel)
            && let Some(f) = files[i].facts.as_mut()
        {
            // The framework's own code (a vendored copy, or the framework's repository): its
            // internals are not the application's bots, handlers and stores.
            f.wiring = Default::default();
        }
        files[i].text = text;
    }
    files
}

/// Config, deploy, CI, script and doc files: credentials line by line (for
/// `security/hardcoded-secret`; in docs only issued credentials count). A file that has
/// facts already (a source) keeps them.
fn scan_config_secrets(ws: &Workspace, pool: &rayon::ThreadPool, files: &mut [FileState]) {
    use crate::rules::security::hardcoded_secret::in_translation_dir;
    let texts: Vec<usize> = (0..ws.files.len())
        .filter(|i| {
            let f = &ws.files[*i];
            f.size <= MAX_SECRET_SCAN_BYTES
                // Tests, docs and examples too: the rule keeps only issued credentials there.
                && matches!(
                    f.kind,
                    FileKind::Config
                        | FileKind::Deploy
                        | FileKind::Ci
                        | FileKind::Script
                        | FileKind::Manifest
                        | FileKind::Doc
                )
                && !in_translation_dir(&f.rel)
        })
        .collect();
    let scanned: Vec<(usize, String, FileFacts)> = pool.install(|| {
        texts
            .par_iter()
            .filter_map(|&i| {
                let bytes = flightcheck_core::read::read_bytes(
                    &ws.files[i].abs,
                    None,
                    flightcheck_core::read::cap::TEXT,
                )
                .ok()?;
                if bytes.iter().take(8192).any(|b| *b == 0) {
                    return None;
                }
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let facts = FileFacts {
                    secrets: flightcheck_core::secrets::scan_text(&text),
                    lines: text.lines().count() as u32,
                    ..Default::default()
                };
                Some((i, text, facts))
            })
            .collect()
    });
    for (i, text, facts) in scanned {
        if files[i].facts.is_none() {
            files[i].facts = Some(facts);
            files[i].text = Some(text);
        }
    }
}

/// Which entry points reach each file: facts of one program (an example among many, a
/// second service) must not satisfy rules about another. A project whose reachability fell
/// back to the whole project has no per-file entry points.
fn mark_programs(
    ws: &Workspace,
    graph: &ImportGraph,
    sources: &[usize],
    entries: &[flightcheck_project::entry::EntryPoint],
    reach_all: &BTreeMap<usize, crate::roles::Fallback>,
    files: &mut [FileState],
) {
    let entry_files: BTreeSet<usize> = entries.iter().map(|e| e.file).collect();
    for (k, &entry) in entry_files.iter().enumerate() {
        let reach = graph.reachable([entry]);
        for (i, r) in reach.iter().enumerate() {
            if *r {
                files[i].entries.push(k as u32);
            }
        }
    }
    for &i in sources {
        if reach_all.contains_key(&ws.file_project[i]) {
            files[i].entries.clear();
        }
    }
}

/// Liveness: which top-level declarations of each reachable file run.
fn mark_liveness(
    ws: &Workspace,
    sources: &[usize],
    imported_names: &[ImportedNames],
    reach_all: &BTreeMap<usize, crate::roles::Fallback>,
    files: &mut [FileState],
) {
    for &i in sources {
        if !files[i].reachable {
            continue;
        }
        let whole_project = reach_all.contains_key(&ws.file_project[i]);
        let names = imported_names[i].from_reachable(|f| files[f].reachable);
        if let Some(facts) = &files[i].facts {
            files[i].live =
                Liveness::compute(&facts.wiring, ws.files[i].kind, names, whole_project);
        }
    }
}

/// The program model every rule reads: the workspace, each file's facts and role, the
/// entry points and what they reach, imports that resolve to nothing, and which functions
/// running code names.
struct Program<'a> {
    ws: &'a Workspace,
    files: &'a [FileState],
    entries: &'a [flightcheck_project::entry::EntryPoint],
    entry_kinds: &'a [flightcheck_core::EntryKind],
    reach_all: &'a BTreeMap<usize, crate::roles::Fallback>,
    problems: &'a [ImportProblem],
    references: &'a crate::unreferenced::References,
}

/// Rules: every selected rule that applies to project `p`, then the rules that judge the
/// other findings, with config, suppressions and fingerprints applied; the project's
/// score card and report.
fn judge_project(
    model: &Program,
    p: usize,
    rules: &[&'static Rule],
    config: &project_config::ProjectConfig,
    selecting: bool,
    notes: &mut Vec<Note>,
    rule_ms: &mut BTreeMap<&'static str, f64>,
) -> ProjectReport {
    let ws = model.ws;
    let files = model.files;
    let references = model.references;
    let project = &ws.projects[p];
    let project_sources: Vec<usize> = ws
        .project_files(p)
        .filter(|i| matches!(ws.files[*i].kind, FileKind::Source(_)))
        .collect();
    let ctx = ProjectContext {
        ws,
        index: p,
        project,
        files,
        sources: project_sources.clone(),
        entries: model
            .entries
            .iter()
            .filter(|e| ws.file_project[e.file] == p)
            .collect(),
        entry_points_unknown: model.reach_all.contains_key(&p),
        import_problems: model
            .problems
            .iter()
            .filter(|pr| ws.file_project[pr.file] == p)
            .collect(),
        env_files: ws.env_files.iter().filter(|e| e.project == p).collect(),
        claims: flightcheck_project::claims::of_project(ws, p),
        references,
    };
    if let Some(reason) = model.reach_all.get(&p) {
        notes.push(Note::file(
            if project.root == "." {
                "."
            } else {
                &project.root
            },
            reason.reason.clone(),
        ));
    }
    let mut applicable: BTreeSet<Category> = BTreeSet::new();
    let mut ran: BTreeSet<&'static str> = BTreeSet::new();
    let mut findings = Vec::new();
    let mut silenced: Vec<SilencedFinding> = Vec::new();
    let mut later: Vec<&Rule> = Vec::new();
    for rule in rules {
        if !config.runs(rule.meta.id, selecting) || !(rule.applies)(&ctx) {
            continue;
        }
        applicable.insert(rule.meta.category);
        ran.insert(rule.meta.id);
        if rule.after.is_some() {
            later.push(rule);
            continue;
        }
        let started = Instant::now();
        findings.extend(run_rule(rule, &ctx, &mut silenced));
        *rule_ms.entry(rule.meta.id).or_insert(0.0) += started.elapsed().as_secs_f64() * 1000.0;
    }
    let by_location = |a: &Finding, b: &Finding| {
        (&a.file, a.span.line, a.span.column, a.rule).cmp(&(
            &b.file,
            b.span.line,
            b.span.column,
            b.rule,
        ))
    };
    config.apply(&mut findings);
    findings.sort_by(by_location);
    fingerprint::assign(&mut findings);
    let mut directives = suppression::Directives::new(ws, files, p);
    let mut findings = directives.split(findings);
    let applicable: Vec<Category> = applicable.into_iter().collect();
    let weights = config.config.weights();
    if !later.is_empty() {
        // Rules that judge the scan itself see every other finding, as the report will.
        let mut judged = Vec::new();
        {
            let measured = Measured {
                findings: &findings,
                ran: &ran,
                applicable: &applicable,
                weights: &weights,
            };
            for rule in later {
                let started = Instant::now();
                if let Some(after) = rule.after {
                    judged.extend(finish_findings(
                        rule,
                        &ctx,
                        after(&ctx, &measured),
                        &mut silenced,
                    ));
                }
                *rule_ms.entry(rule.meta.id).or_insert(0.0) +=
                    started.elapsed().as_secs_f64() * 1000.0;
            }
        }
        config.apply(&mut judged);
        judged.sort_by(by_location);
        fingerprint::assign(&mut judged);
        findings.extend(directives.split(judged));
        findings.sort_by(by_location);
    }
    let (suppressed, suppression_notes) = directives.finish(&ran);
    notes.extend(suppression_notes);
    let card = score::score(&findings, &applicable, &weights);
    let mut frameworks: BTreeSet<Framework> = project.frameworks.clone();
    for &i in &project_sources {
        if files[i].reachable
            && let Some(f) = &files[i].facts
        {
            frameworks.extend(f.frameworks.iter().copied());
        }
    }
    let lines: u64 = project_sources
        .iter()
        .filter_map(|i| files[*i].facts.as_ref())
        .map(|f| u64::from(f.lines))
        .sum();
    // Fingerprints are assigned (in place order); reports list findings by triage.
    flightcheck_core::triage::sort(&mut findings);
    ProjectReport {
        path: project.root.clone(),
        name: project.name.clone(),
        manifests: project.manifests.clone(),
        languages: ws.languages(p),
        frameworks: frameworks.into_iter().collect(),
        package_manager: project.package_manager.clone(),
        python_runtime: project
            .python_target
            .as_ref()
            .map(|t| format!("{}.{} ({})", t.major, t.minor, t.source)),
        entry_points: model
            .entries
            .iter()
            .zip(model.entry_kinds)
            .filter(|(e, _)| ws.file_project[e.file] == p)
            .map(|(e, kind)| EntryPointReport {
                file: ws.files[e.file].rel.clone(),
                source: format!("{}:{} {}", e.decl_file, e.decl_line, e.source),
                detail: e.detail.clone(),
                kind: *kind,
            })
            .collect(),
        warnings: reachability_warnings(
            model
                .reach_all
                .get(&p)
                .filter(|f| !f.by_convention)
                .map(|f| f.reason.as_str()),
            &project_sources,
            ws,
            files,
        ),
        env_files: ctx
            .env_files
            .iter()
            .map(|e| format!("{} ({})", e.rel, e.role.as_str()))
            .collect(),
        deploy_files: project.deploy_files.clone(),
        files: FileCounts {
            source: project_sources.len() as u32,
            reachable: project_sources
                .iter()
                .filter(|i| files[**i].reachable)
                .count() as u32,
            lines,
            tests: project_sources
                .iter()
                .filter(|i| is_test_file(&ws.files[**i].rel))
                .count() as u32,
        },
        unreachable: project_sources
            .iter()
            .filter(|i| !files[**i].reachable && !is_test_file(&ws.files[**i].rel))
            .map(|i| ws.files[*i].rel.clone())
            .collect(),
        verdict: card.verdict,
        counts: Counts::of(&findings),
        score: card,
        findings,
        suppressed,
        silenced_by_role: {
            silenced.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
            silenced
        },
        claims: ctx.claims.clone(),
    }
}

/// Report: notes in order, the roll-up of the projects' verdicts, scores and counts, then
/// the output boundary (every string scrubbed of the scan's secret values) and paths from
/// the repository root.
#[allow(clippy::too_many_arguments)]
fn assemble_report(
    options: &ScanOptions,
    rules: &[&'static Rule],
    ws: &Workspace,
    files: &[FileState],
    projects: Vec<ProjectReport>,
    mut notes: Vec<Note>,
    timings: Vec<Timing>,
    rule_ms: BTreeMap<&'static str, f64>,
) -> ScanReport {
    if !ws
        .files
        .iter()
        .any(|f| matches!(f.kind, FileKind::Source(_)))
    {
        notes.push(Note::general(
            "no JavaScript, TypeScript or Python source files found",
        ));
    }
    notes.sort();
    notes.dedup();
    let mut counts = Counts::default();
    for p in &projects {
        counts.add(&p.counts);
    }
    let verdict = projects
        .iter()
        .map(|p| p.verdict)
        .max()
        .unwrap_or(Verdict::Green);
    let score = flightcheck_core::rollup_score(&projects);
    let secrets = secret_values(ws, files);
    let mut report = ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "flightcheck",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: flightcheck_core::text::slash_path(&options.root),
        verdict,
        score,
        counts,
        projects,
        rules: rules
            .iter()
            .map(|r| RuleRef {
                id: r.meta.id,
                severity: r.meta.severity,
                category: r.meta.category,
                fix_kind: r.meta.fix_kind,
                summary: r.meta.summary,
                effort_minutes: r.meta.effort_minutes,
                docs: r.meta.docs,
            })
            .collect(),
        notes,
        timings,
        rule_timings: slowest_first(rule_ms),
        baseline: None,
    };
    report.scrub(&secrets);
    report.prefix_paths(&options.path_prefix);
    report
}

pub fn scan(options: &ScanOptions) -> Result<ScanReport, String> {
    let rules = registry::selection(&options.select, &options.ignore)?;
    let checks = FileChecks {
        js: rules.iter().filter_map(|r| r.js).collect(),
        python: rules.iter().filter_map(|r| r.python).collect(),
    };
    let jobs = if options.jobs == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        options.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(WORKER_STACK_BYTES)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let mut laps = Laps::start();
    let wants = |id: &str| rules.iter().any(|r| r.meta.id == id);

    // Discover the projects, their files, manifests, deploy and env files, and configs.
    let (ws, configs, mut notes) = discover(
        options,
        jobs,
        wants(crate::rules::security::env_file_committed::META.id),
        &mut laps,
    )?;

    // Parse every source file once, in parallel.
    let sources: Vec<usize> = (0..ws.files.len())
        .filter(|i| matches!(ws.files[*i].kind, FileKind::Source(_)))
        .collect();
    let mut files = parse_sources(
        &ws,
        &sources,
        &checks,
        &pool,
        options.progress.as_ref(),
        &mut notes,
    );
    // The texts are also where `config/placeholder-secret` looks for a variable's name.
    if wants(crate::rules::security::hardcoded_secret::META.id)
        || wants(crate::rules::config::placeholder_secret::META.id)
    {
        scan_config_secrets(&ws, &pool, &mut files);
    }
    laps.lap("parse");

    // Resolve imports into a graph; collect imports that resolve to nothing.
    let Resolved {
        graph,
        imported_names,
        mut problems,
        opaque_loads,
        notes: resolve_notes,
        resolved,
        optional,
    } = pool.install(|| resolve_imports(&ws, &files));
    notes.extend(resolve_notes);
    for ((state, r), optional) in files.iter_mut().zip(resolved).zip(optional) {
        state.resolved = r;
        state.optional = optional;
    }
    problems.sort_by_key(|a| (a.file, a.import.span));
    laps.lap("resolve");

    // Entry points and reachability: the roles of the program model.
    let resolution = entry::resolve_entries(&ws);
    notes.extend(resolution.missing.iter().map(|missing| {
        Note::file(
            &missing.decl.file,
            format!(
                "{} (line {}) starts `{}`, which is not in the repository",
                missing.decl.source, missing.decl.line, missing.target
            ),
        )
    }));
    let mut model = crate::roles::collect(&ws, &files, &configs, resolution.entries, &graph);
    model.add_fallbacks(&ws, &graph, &opaque_loads);
    crate::roles::assign(&ws, &graph, &model, &mut files);
    let crate::roles::Entries {
        points: entries,
        kinds: entry_kinds,
        fallback: reach_all,
    } = model;
    mark_programs(&ws, &graph, &sources, &entries, &reach_all, &mut files);
    mark_liveness(&ws, &sources, &imported_names, &reach_all, &mut files);
    let references = crate::unreferenced::References::collect(&ws, &files, &entries, &entry_kinds);
    laps.lap("reachability");

    // Project rules.
    let model = Program {
        ws: &ws,
        files: &files,
        entries: &entries,
        entry_kinds: &entry_kinds,
        reach_all: &reach_all,
        problems: &problems,
        references: &references,
    };
    let mut rule_ms: BTreeMap<&'static str, f64> = BTreeMap::new();
    let projects: Vec<ProjectReport> = (0..ws.projects.len())
        .map(|p| {
            judge_project(
                &model,
                p,
                &rules,
                &configs[p],
                !options.select.is_empty(),
                &mut notes,
                &mut rule_ms,
            )
        })
        .collect();
    laps.lap("rules");

    Ok(assemble_report(
        options,
        &rules,
        &ws,
        &files,
        projects,
        notes,
        laps.timings,
        rule_ms,
    ))
}

/// Time per phase for `--timings`.
struct Laps {
    clock: Instant,
    timings: Vec<Timing>,
}

impl Laps {
    fn start() -> Self {
        Self {
            clock: Instant::now(),
            timings: Vec::new(),
        }
    }

    /// Ends phase `name`: the time since the previous lap.
    fn lap(&mut self, name: &str) {
        self.timings.push(Timing {
            phase: name.to_string(),
            ms: (self.clock.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
        });
        self.clock = Instant::now();
    }
}

/// Discover: the workspace (projects, files, manifests, deploy and env files), each
/// project's config, the production env files, and git history when a rule reads it.
/// Returns the notes so far.
fn discover(
    options: &ScanOptions,
    jobs: usize,
    read_history: bool,
    laps: &mut Laps,
) -> Result<(Workspace, Vec<project_config::ProjectConfig>, Vec<Note>), String> {
    let root = std::fs::canonicalize(&options.root)
        .map_err(|e| format!("cannot scan {}: {e}", options.root.display()))?;
    let mut ws = Workspace::discover(
        &root,
        &DiscoverOptions {
            threads: jobs,
            production_env: options.production_env.clone(),
        },
    )?;
    let configs = project_config::resolve(&ws, options.config.as_deref(), &options.path_prefix)?;
    project_config::apply_production_env(&mut ws, &configs, !options.production_env.is_empty());
    laps.lap("discover");
    let depth = options
        .history_depth
        .unwrap_or(flightcheck_project::history::DEFAULT_DEPTH);
    if read_history && depth > 0 {
        ws.history = Some(flightcheck_project::history::read(&root, depth));
        laps.lap("history");
    }
    let mut notes = ws.notes.clone();
    if let Some(h) = &ws.history {
        notes.extend(
            h.notes
                .iter()
                .map(|n| Note::general(n.clone()).lowering_confidence()),
        );
    }
    Ok((ws, configs, notes))
}

/// Files of a chat framework's own package (`aiogram/…`, `src/telegram/…`, `telegraf/…`).
fn is_framework_source(rel: &str) -> bool {
    let mut parts = rel.split('/');
    let first = parts.next().unwrap_or("");
    let top = if matches!(first, "src" | "lib") {
        parts.next().unwrap_or("")
    } else {
        first
    };
    rel.contains('/')
        && matches!(
            top,
            "aiogram"
                | "telegram"
                | "telebot"
                | "discord"
                | "nextcord"
                | "disnake"
                | "telegraf"
                | "grammy"
        )
}

/// Runs one rule and applies its reachability policy to findings in dead files.
/// Findings the per-file checks of `rule` reported in this project's files.
fn file_findings(rule: &Rule, ctx: &ProjectContext) -> Vec<Finding> {
    if rule.js.is_none() && rule.python.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &i in &ctx.sources {
        let Some(facts) = ctx.facts(i) else { continue };
        let rel = ctx.rel(i);
        for f in facts.findings.iter().filter(|f| f.rule == rule.meta.id) {
            let mut finding = Finding::new(rule.meta, f.message.clone())
                .at(rel, f.span)
                .key(&f.key)
                .evidence(flightcheck_core::Evidence::at(
                    rel,
                    f.span.line,
                    ctx.snippet(i, f.span.line),
                    "the code",
                ))
                .impact(rule.file_texts.impact)
                .fix(rule.file_texts.fix)
                .verify(rule.file_texts.verify);
            if let Some(severity) = f.severity {
                finding = finding.severity(severity);
            }
            out.push(finding);
        }
    }
    out
}

fn run_rule(
    rule: &Rule,
    ctx: &ProjectContext,
    silenced: &mut Vec<SilencedFinding>,
) -> Vec<Finding> {
    let mut found = rule.check.map(|check| check(ctx)).unwrap_or_default();
    let mut from_files = file_findings(rule, ctx);
    if let Some(refine) = rule.refine {
        from_files.retain_mut(|f| refine(ctx, f));
    }
    found.extend(from_files);
    finish_findings(rule, ctx, found, silenced)
}

/// Code frames, redacted messages, the role of the code each finding sits in, and the one
/// severity policy: the role's ceiling ([`flightcheck_core::Role::ceiling`]), then the
/// rule's own policy for dead code.
/// Findings the role policy drops go to `silenced`, so the report can say what it left out.
fn finish_findings(
    rule: &Rule,
    ctx: &ProjectContext,
    found: Vec<Finding>,
    silenced: &mut Vec<SilencedFinding>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for mut finding in found {
        finding.frame = frame_for(ctx, &finding);
        // Messages quote code (`bot.set_webhook(...)`, a call as written): never a secret.
        finding.message = flightcheck_core::redact::redact_line(&finding.message);
        finding.role = match finding.file.as_deref() {
            None => Role::Project,
            Some(f) => ctx
                .ws
                .file_index(f)
                .map_or(Role::Config, |i| ctx.files[i].role),
        };
        match finding.role.ceiling(rule.meta) {
            Ceiling::Keep => {}
            Ceiling::Drop => {
                silenced.push(SilencedFinding {
                    rule: finding.rule,
                    severity: finding.severity,
                    file: finding.file.clone().unwrap_or_default(),
                    line: finding.span.line,
                    role: finding.role,
                });
                continue;
            }
            Ceiling::Cap(to, why) => {
                if finding.severity > to {
                    finding.severity = to;
                    finding.message.push_str(&format!(" ({why})"));
                }
            }
        }
        cap_in_unreferenced_function(rule, ctx, &mut finding);
        cap_in_optional_module(rule, ctx, &mut finding);
        if finding.role == Role::Unreachable {
            match rule.meta.when_unreachable {
                WhenUnreachable::Keep => {}
                WhenUnreachable::Drop => continue,
                WhenUnreachable::Downgrade(to) => {
                    if finding.severity > to {
                        finding.severity = to;
                        finding.message.push_str(" (no entry point reaches this file, so it cannot break the running service yet)");
                    }
                }
            }
        }
        out.push(finding);
    }
    out
}

/// A finding inside a function nothing in the workspace refers to is latent: the module
/// runs, the function does not. At most low, saying which function.
fn cap_in_unreferenced_function(rule: &Rule, ctx: &ProjectContext, finding: &mut Finding) {
    // A file that does not parse fails where it is imported, whichever function holds the
    // error.
    if finding.severity <= Severity::Low
        || flightcheck_core::role::applies_everywhere(rule.meta)
        || flightcheck_core::role::fails_at_import(rule.meta)
        || !matches!(finding.role, Role::Service | Role::PossiblyRunning)
    {
        return;
    }
    let Some(file) = finding.file.as_deref().and_then(|f| ctx.ws.file_index(f)) else {
        return;
    };
    let Some(facts) = ctx.facts(file) else {
        return;
    };
    let Some(dead) = ctx.references.dead_function(facts, file, finding.span.line) else {
        return;
    };
    let name = match &dead.class {
        Some(class) => format!("{class}.{}", dead.name),
        None => dead.name.clone(),
    };
    finding.severity = Severity::Low;
    finding.message.push_str(&format!(
        " (no code the service runs calls or refers to `{name}`, defined at line {}, so this cannot reach a user yet)",
        dead.line
    ));
}

/// An import that fails in a module every importer imports inside a `try`
/// (`try: from .ai import setup … except ImportError: log`) turns a feature off; the
/// service starts. At most medium.
fn cap_in_optional_module(rule: &Rule, ctx: &ProjectContext, finding: &mut Finding) {
    if finding.severity <= Severity::Medium
        || !flightcheck_core::role::raises_import_error(rule.meta)
    {
        return;
    }
    let Some(file) = finding.file.as_deref().and_then(|f| ctx.ws.file_index(f)) else {
        return;
    };
    if ctx.files[file].optional {
        finding.severity = Severity::Medium;
        finding.message.push_str(
            " (every import of this module sits in a `try`, so the failure turns a feature off instead of stopping the service)",
        );
    }
}

/// What a reader must know before trusting the findings of a project: reachability fell
/// back to "every file may run", or most source files are unreachable from its entry points.
fn reachability_warnings(
    fallback: Option<&str>,
    sources: &[usize],
    ws: &Workspace,
    files: &[FileState],
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = fallback {
        out.push(format!(
            "reachability fell back: {reason}; findings in files no entry point reaches are at most medium"
        ));
    }
    if let Some((unreachable, code)) = mostly_unreachable(sources, ws, files) {
        out.push(format!(
            "{unreachable} of {code} source files are unreachable from the entry points found, so the rules skip most of the code; declare the real entry points in flightcheck.toml (`entry-points`) if this is wrong"
        ));
    }
    out
}

/// `(unreachable, source files)` when most non-test source files of a project (4 or more)
/// are unreachable from its entry points: the reachability found is too thin to prove that
/// something is absent from the running code.
pub(crate) fn mostly_unreachable(
    sources: &[usize],
    ws: &Workspace,
    files: &[FileState],
) -> Option<(usize, usize)> {
    let code: Vec<usize> = sources
        .iter()
        .copied()
        .filter(|&i| !is_test_file(&ws.files[i].rel))
        .collect();
    let unreachable = code
        .iter()
        .filter(|&&i| files[i].role == Role::Unreachable)
        .count();
    (code.len() >= 4 && unreachable * 2 > code.len()).then_some((unreachable, code.len()))
}

/// One line of context before the finding and up to three of the finding itself.
fn frame_for(ctx: &ProjectContext, finding: &Finding) -> Option<flightcheck_core::Frame> {
    let i = ctx.ws.file_index(finding.file.as_deref()?)?;
    if !matches!(ctx.ws.files[i].kind, FileKind::Source(_)) || finding.span.line == 0 {
        return None;
    }
    ctx.files[i].text.as_deref()?;
    let secrets: &[flightcheck_core::secrets::SecretCandidate] = ctx.files[i]
        .facts
        .as_ref()
        .map(|f| f.secrets.as_slice())
        .unwrap_or(&[]);
    let first_line = finding.span.line.saturating_sub(1).max(1);
    let last_line = finding
        .span
        .end_line
        .max(finding.span.line)
        .min(finding.span.line + 2);
    let count = ctx.files[i].line_count() as u32;
    let lines: Vec<String> = (first_line..=last_line.min(count))
        .map(|n| {
            let shown =
                flightcheck_core::secrets::redact_candidates(n, ctx.files[i].line(n), secrets);
            flightcheck_core::text::truncate(&shown, 200)
        })
        .collect();
    (!lines.is_empty()).then_some(flightcheck_core::Frame { first_line, lines })
}

/// Directories whose contents are generated at build time; imports into them are not
/// judged (the files appear after `npm run build` / `prisma generate`).
fn into_generated_dir(specifier: &str) -> bool {
    specifier.split('/').any(|c| {
        matches!(
            c,
            "dist" | "build" | "generated" | "__generated__" | ".prisma" | "out" | ".next"
        )
    })
}

/// The import graph and what did not resolve.
struct Resolved {
    graph: ImportGraph,
    /// Per file: what its importers take from it.
    imported_names: Vec<ImportedNames>,
    problems: Vec<ImportProblem>,
    /// Files that load modules by an opaque computed path, with the line.
    opaque_loads: Vec<(usize, u32)>,
    notes: Vec<Note>,
    /// Per file: JS/TS specifiers that resolved to a walked file.
    resolved: Vec<Vec<(String, usize)>>,
    /// Per file: a Python module every importer imports inside a `try`.
    optional: Vec<bool>,
}

fn resolve_imports(ws: &Workspace, files: &[FileState]) -> Resolved {
    let resolver = flightcheck_js::resolve::JsResolver::new();
    let by_abs: HashMap<PathBuf, usize> = ws
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.abs.clone(), i))
        .collect();
    // One index of every Python module in the tree: the search roots (project root, `src`,
    // script directory) decide what an import can see, not project boundaries, so an import
    // into a nested project's package still resolves.
    let py_index = ModuleIndex::new(
        ws.files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind == FileKind::Source(Language::Python))
            .map(|(i, f)| (f.rel.as_str(), i)),
    );
    let results: Vec<FileImports> = (0..ws.files.len())
        .into_par_iter()
        .map(|i| {
            let mut edges = Vec::new();
            let mut named = Vec::new();
            let mut problems = Vec::new();
            let mut local_files = Vec::new();
            let mut resolved = Vec::new();
            let mut py_local = Vec::new();
            let Some(facts) = &files[i].facts else {
                return FileImports { edges, named, problems, opaque_load: None, local_files, resolved, py_local };
            };
            let file = &ws.files[i];
            let mut opaque_load = None;
            // Declaration files describe types; nothing in them runs.
            let declaration = [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|e| file.rel.ends_with(e));
            match file.kind {
                FileKind::Source(Language::Python) => {
                    let p = ws.file_project[i];
                    let project_root = &ws.projects[p].root;
                    let dir = file
                        .rel
                        .rsplit_once('/')
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_else(|| ".".into());
                    let mut roots = vec![project_root.clone(), join(project_root, "src"), dir];
                    for run_dir in ws.projects[p].procfile_dirs() {
                        if !roots.iter().any(|r| r == run_dir) {
                            roots.push(run_dir.to_string());
                        }
                    }
                    for load in &facts.dynamic_loads {
                        // `f"bot.handlers.{name}"`: every module of package bot.handlers.
                        let package = load
                            .prefix
                            .as_deref()
                            .map(|p| p.trim_end_matches('.').replace('.', "/"))
                            .filter(|p| !p.is_empty());
                        match package {
                            Some(package) => {
                                for root in &roots {
                                    edges.extend(
                                        sources_under(ws, &join(root, &package)).map(|t| (i, t)),
                                    );
                                }
                            }
                            None => opaque_load = opaque_load.or(Some(load.span.line)),
                        }
                    }
                    for import in &facts.imports {
                        if import.kind == ImportKind::TypeOnly {
                            continue;
                        }
                        let has_module = !import.specifier.trim_start_matches('.').is_empty();
                        for (k, r) in py_index.resolve(
                            &file.rel,
                            &import.specifier,
                            &import.names,
                            &roots,
                        ).into_iter().enumerate() {
                            match r {
                                PyResolution::Local { file: t, packages } => {
                                    edges.push((i, t));
                                    py_local.push((t, import.guarded));
                                    resolved.push(py_resolved_key(ws, &import.specifier, &import.names, has_module && k == 0, t));
                                    // `from pkg import mod` takes the module whole.
                                    let stem = ws.files[t].rel.rsplit('/').next().unwrap_or("").trim_end_matches(".py");
                                    if import.kind == ImportKind::PyFrom
                                        && !import.names.is_empty()
                                        && !import.names.iter().any(|n| n == "*" || n == stem)
                                    {
                                        named.push((t, import.names.clone()));
                                    }
                                    edges.extend(packages.into_iter().map(|pk| (i, pk)));
                                }
                                PyResolution::External => {}
                                PyResolution::Missing { searched } => {
                                    // A package of the project whose `__init__` writes
                                    // `sys.modules` makes submodules of names that are
                                    // no files (`sys.modules['pkg.core'] = core`).
                                    if aliases_submodules(ws, files, &roots, &import.specifier) {
                                        continue;
                                    }
                                    // A gitignored module (`config.py` made from
                                    // `sample_config.py`) is the operator's local file.
                                    if let Some(local) = searched.iter().find(|s| ws.is_gitignored(s)) {
                                        let template = template_for(ws, local).map(|t| format!(" (template in the repository: `{t}`)")).unwrap_or_default();
                                        local_files.push(Note::file(
                                            &file.rel,
                                            format!("line {}: `{}` is excluded by .gitignore, so it is a local file that must exist on the server before the service starts{template}", import.span.line, import.specifier),
                                        ));
                                        continue;
                                    }
                                    // The module is there but the walk left it out (a
                                    // generated data table over the size cap): it imports.
                                    if searched.iter().any(|s| {
                                        std::fs::symlink_metadata(ws.root.join(s)).is_ok_and(|m| m.is_file())
                                    }) {
                                        continue;
                                    }
                                    if !import.guarded {
                                        let suggestion = suggest_python_module(ws, p, &import.specifier);
                                        problems.push(ImportProblem { file: i, import: import.clone(), searched, suggestion });
                                    }
                                }
                            }
                        }
                    }
                }
                FileKind::Source(_) => {
                    let dir = file.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                    for load in &facts.dynamic_loads {
                        match &load.prefix {
                            Some(prefix) => {
                                let target = join(dir, prefix);
                                edges.extend(sources_under(ws, &target).map(|t| (i, t)));
                            }
                            None => opaque_load = opaque_load.or(Some(load.span.line)),
                        }
                    }
                    // Script files started by path (workers, shards, child processes): from
                    // the file's directory or the project root (the usual working directory).
                    let project_root = &ws.projects[ws.file_project[i]].root;
                    for path in &facts.script_paths {
                        let target = entry::resolve_script_path(ws, dir, path)
                            .or_else(|| entry::resolve_script_path(ws, project_root, path));
                        if let Some(t) = target {
                            edges.push((i, t));
                        }
                    }
                    for import in &facts.imports {
                        if import.kind == ImportKind::TypeOnly {
                            continue;
                        }
                        let spec = import.specifier.as_str();
                        match resolver.resolve(&file.abs, spec) {
                            Ok(path) => {
                                if let Some(&t) = by_abs.get(&path) {
                                    // TypeScript erases an import whose names are only used
                                    // as types: the program never loads the module through it.
                                    if !import.erased {
                                        edges.push((i, t));
                                    }
                                    resolved.push((spec.to_string(), t));
                                }
                            }
                            Err(flightcheck_js::resolve::Unresolved::NotFound) => {
                                if flightcheck_js::resolve::is_relative(spec)
                                    && !declaration
                                    && !import.guarded
                                    && !into_generated_dir(spec)
                                {
                                    let dir =
                                        file.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                                    let target = join(dir, spec);
                                    let searched = vec![
                                        target.clone(),
                                        format!("{target}.{{js,ts,mjs,cjs,jsx,tsx,json}}"),
                                        format!("{target}/index.{{js,ts}}"),
                                    ];
                                    let suggestion =
                                        suggest(ws, &target).map(|s| sibling_spec(spec, &s));
                                    let exts = ["", ".js", ".json", ".ts", ".mjs", ".cjs"];
                                    // TypeScript maps `./config.js` to `./config.ts`.
                                    let ts_target = [".js", ".mjs", ".cjs"].iter().find_map(|e| target.strip_suffix(e)).map(|stem| format!("{stem}.ts"));
                                    if exts.iter().any(|e| ws.is_gitignored(&format!("{target}{e}")))
                                        || ts_target.as_deref().is_some_and(|t| ws.is_gitignored(t))
                                    {
                                        let template = template_for(ws, &target).map(|t| format!(" (template in the repository: `{t}`)")).unwrap_or_default();
                                        local_files.push(Note::file(
                                            &file.rel,
                                            format!("line {}: `{spec}` is excluded by .gitignore, so it is a local file that must exist on the server before the service starts{template}", import.span.line),
                                        ));
                                        continue;
                                    }
                                    problems.push(ImportProblem {
                                        file: i,
                                        import: import.clone(),
                                        searched,
                                        suggestion,
                                    });
                                }
                            }
                            Err(_) => {}
                        }
                    }
                }
                _ => {}
            }
            FileImports { edges, named, problems, opaque_load, local_files, resolved, py_local }
        })
        .collect();
    let mut graph = ImportGraph::new(ws.files.len());
    let mut imported_names: Vec<ImportedNames> = vec![ImportedNames::Unknown; ws.files.len()];
    let mut problems = Vec::new();
    let mut opaque_loads = Vec::new();
    let mut notes = Vec::new();
    let mut resolved_specs: Vec<Vec<(String, usize)>> = vec![Vec::new(); ws.files.len()];
    // Per file: imported inside a `try` somewhere, imported outside one somewhere.
    let mut import_sites: Vec<(bool, bool)> = vec![(false, false); ws.files.len()];
    for (
        i,
        FileImports {
            edges,
            named,
            problems: p,
            opaque_load,
            local_files,
            resolved,
            py_local,
        },
    ) in results.into_iter().enumerate()
    {
        for (t, guarded) in py_local {
            if guarded {
                import_sites[t].0 = true;
            } else {
                import_sites[t].1 = true;
            }
        }
        resolved_specs[i] = resolved;
        notes.extend(local_files);
        for &(a, b) in &edges {
            graph.add_edge(a, b);
        }
        // Every edge without names takes the whole module.
        for (_, b) in edges {
            if !named.iter().any(|(t, _)| *t == b) {
                imported_names[b].push(i, None);
            }
        }
        for (t, names) in named {
            imported_names[t].push(i, Some(names));
        }
        problems.extend(p);
        if let Some(line) = opaque_load {
            opaque_loads.push((i, line));
        }
    }
    Resolved {
        graph,
        imported_names,
        problems,
        opaque_loads,
        notes,
        resolved: resolved_specs,
        optional: import_sites.into_iter().map(|(g, u)| g && !u).collect(),
    }
}

/// The top package of a Python specifier is a package of the project (under one of
/// `roots`) whose `__init__.py` assigns into `sys.modules`: it registers modules under
/// names no file has, so a missing file proves nothing.
fn aliases_submodules(
    ws: &Workspace,
    files: &[FileState],
    roots: &[String],
    specifier: &str,
) -> bool {
    let Some(top) = specifier
        .trim_start_matches('.')
        .split('.')
        .next()
        .filter(|t| !t.is_empty() && !specifier.starts_with('.'))
    else {
        return false;
    };
    roots.iter().any(|root| {
        ws.file_index(&join(root, &format!("{top}/__init__.py")))
            .and_then(|i| files[i].text.as_deref())
            .is_some_and(|t| t.contains("sys.modules[") && t.contains("] ="))
    })
}

/// A committed template of a local file: `config.js` → `config.example.js`,
/// `config.json` → `config.sample.json`.
fn template_for(ws: &Workspace, target: &str) -> Option<String> {
    let (stem, ext) = match target.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => (stem, Some(ext)),
        _ => (target, None),
    };
    let exts: Vec<&str> = match ext {
        Some(e) => vec![e],
        None => vec!["js", "json", "ts", "cjs", "mjs"],
    };
    for marker in ["example", "sample", "template", "dist"] {
        for e in &exts {
            let candidate = format!("{stem}.{marker}.{e}");
            if ws.root.join(&candidate).is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The dotted name of a module of project `p` named like the last part of `specifier`
/// (`bot.utils.uploader` → `bot.utils.upload.uploader` when that is where it lives).
fn suggest_python_module(ws: &Workspace, p: usize, specifier: &str) -> Option<String> {
    let last = specifier.rsplit('.').next().filter(|l| !l.is_empty())?;
    // Only within the same top-level package: `test.x.result` is not `unittest.result`.
    let top = specifier
        .trim_start_matches('.')
        .split('.')
        .next()
        .filter(|t| !t.is_empty())?;
    let root = &ws.projects[p].root;
    let mut found: Vec<String> = ws
        .project_files(p)
        .map(|i| ws.files[i].rel.as_str())
        .filter(|rel| rel.ends_with(&format!("/{last}.py")) || *rel == format!("{last}.py"))
        .filter(|rel| !is_test_file(rel))
        .filter(|rel| {
            let local = if root == "." {
                *rel
            } else {
                rel.strip_prefix(&format!("{root}/")).unwrap_or(rel)
            };
            let local = local.strip_prefix("src/").unwrap_or(local);
            local.split('/').next() == Some(top)
        })
        .map(|rel| {
            let local = if root == "." {
                rel
            } else {
                rel.strip_prefix(&format!("{root}/")).unwrap_or(rel)
            };
            let local = local.strip_prefix("src/").unwrap_or(local);
            local.trim_end_matches(".py").replace('/', ".")
        })
        .collect();
    found.sort();
    (found.len() == 1).then(|| found.remove(0))
}

/// A source file next to `target` whose name is close to it (`format` → `formatting.js`).
fn suggest(ws: &Workspace, target: &str) -> Option<String> {
    let (dir, stem) = target.rsplit_once('/').unwrap_or((".", target));
    let stem = stem.split('.').next().unwrap_or(stem).to_ascii_lowercase();
    if stem.len() < 3 {
        return None;
    }
    let mut best: Option<(usize, String)> = None;
    for f in &ws.files {
        if !matches!(f.kind, FileKind::Source(_)) {
            continue;
        }
        let (fdir, fname) = f.rel.rsplit_once('/').unwrap_or((".", f.rel.as_str()));
        if fdir != dir {
            continue;
        }
        let fstem = fname
            .split('.')
            .next()
            .unwrap_or(fname)
            .to_ascii_lowercase();
        let distance = edit_distance(&stem, &fstem);
        let close = distance <= 2
            || fstem.starts_with(&stem)
            || (stem.starts_with(&fstem) && fstem.len() >= 3);
        if close && best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, f.rel.clone()));
        }
    }
    best.map(|(_, rel)| rel)
}

/// `spec` with its last segment replaced by the stem of `file` (a sibling of the target):
/// `./utils/format` + `src/utils/formatting.js` → `./utils/formatting`.
fn sibling_spec(spec: &str, file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    match spec.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{stem}"),
        None => format!("./{stem}"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Per-rule times, slowest first, rounded to 0.1 ms.
fn slowest_first(rule_ms: BTreeMap<&'static str, f64>) -> Vec<Timing> {
    let mut timings: Vec<Timing> = rule_ms
        .into_iter()
        .map(|(id, ms)| Timing {
            phase: id.to_string(),
            ms: (ms * 10.0).round() / 10.0,
        })
        .collect();
    timings.sort_by(|a, b| b.ms.total_cmp(&a.ms).then_with(|| a.phase.cmp(&b.phase)));
    timings
}

/// The severity a whole scan gates on.
/// Findings a `--baseline` already holds do not count.
pub fn worst(report: &ScanReport) -> Option<Severity> {
    // Code the scan could not read counts as the worst, whatever its severity: the gate
    // fails closed (see `role::fails_closed`).
    if report.all_findings().any(|(_, f)| {
        flightcheck_core::fails_closed(f.rule, f.role) && flightcheck_core::baseline::gates(f)
    }) {
        return Some(Severity::Blocker);
    }
    report
        .all_findings()
        .filter(|(_, f)| flightcheck_core::baseline::gates(f))
        .map(|(_, f)| f.severity)
        .max()
}

/// Every secret value the scan saw, for [`ScanReport::scrub`]: detected credentials in
/// sources and config files (read back from their spans), env values that name or look
/// like a credential, and values only git history holds.
/// `TELEGRAM_BOT_KEY="telegram-bot-key"`: a value that only spells its key's own words (and
/// filler such as `your`) is a template to fill, not a credential; scrubbing it would
/// blank every name that contains those words (`node-telegram-bot-api`).
fn echoes_key(key: &str, value: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let key_words = words(key);
    let value_words = words(value);
    !value_words.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | ' '))
        && value_words.iter().all(|w| {
            key_words.contains(w) || matches!(w.as_str(), "your" | "my" | "the" | "here" | "a")
        })
}

fn secret_values(ws: &Workspace, files: &[FileState]) -> flightcheck_core::redact::SecretSet {
    let mut set = flightcheck_core::redact::SecretSet::default();
    for file in files {
        if file.text.is_none() {
            continue;
        }
        for c in file.secrets() {
            let line = file.line(c.span.line);
            let start = (c.span.column as usize).saturating_sub(1);
            let end = if c.span.end_line == c.span.line {
                c.span.end_column as usize
            } else {
                usize::MAX
            };
            let value: String = line
                .chars()
                .skip(start)
                .take(end.saturating_sub(start))
                .collect();
            set.add(&value);
        }
    }
    for env in &ws.env_files {
        for e in &env.parsed.entries {
            // Placeholders (`change_me`) are shown on purpose: the finding is about them.
            if crate::secret_values::weakness(&e.value).is_some_and(|w| w.show)
                || echoes_key(&e.key, &e.value)
            {
                continue;
            }
            let look = flightcheck_core::secrets::env_value_look(&e.value, 16);
            if crate::env_keys::is_secret_key(&e.key) || look.random || look.provider.is_some() {
                set.add(&e.value);
            }
            // A password inside a URL value (`DATABASE_URL=postgres://u:p@h/db`).
            if let Some((_, rest)) = e.value.split_once("://")
                && let Some((userinfo, _)) = rest.split('/').next().unwrap_or("").rsplit_once('@')
                && let Some((_, password)) = userinfo.split_once(':')
            {
                set.add(password);
            }
        }
    }
    if let Some(history) = &ws.history {
        for v in &history.values {
            set.add(&v.value);
        }
    }
    // A credential in a file name (`keys/sk_live_….json`): provider formats only, which no
    // ordinary name matches, so paths elsewhere in the report stay as they are.
    for file in &ws.files {
        let scan = flightcheck_core::secrets::scan_tokens(&file.rel);
        for hit in scan.hits {
            if let Some(value) = file.rel.get(hit.start..hit.end) {
                set.add(value);
            }
        }
    }
    set
}

/// Several scans (one per PATH) as one report. Each scan's paths already start at the
/// repository root ([`ScanOptions::path_prefix`]), so they are only concatenated; the
/// verdict is the worst and the score the lowest project's.
pub fn merge(reports: Vec<ScanReport>) -> ScanReport {
    let mut iter = reports.into_iter();
    let Some(mut merged) = iter.next() else {
        return ScanReport {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "flightcheck",
                version: env!("CARGO_PKG_VERSION"),
            },
            root: ".".into(),
            verdict: Verdict::Green,
            score: 100,
            counts: Counts::default(),
            projects: Vec::new(),
            rules: Vec::new(),
            notes: Vec::new(),
            timings: Vec::new(),
            rule_timings: Vec::new(),
            baseline: None,
        };
    };
    let mut roots = vec![merged.root.clone()];
    for next in iter {
        roots.push(next.root.clone());
        merged.projects.extend(next.projects);
        merged.notes.extend(next.notes);
        merged.counts.add(&next.counts);
        merged.verdict = merged.verdict.max(next.verdict);
    }
    merged.root = roots.join(" ");
    merged.score = flightcheck_core::rollup_score(&merged.projects);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_spell_their_key_are_templates() {
        assert!(echoes_key("TELEGRAM_BOT_KEY", "telegram-bot-key"));
        assert!(echoes_key("API_TOKEN", "your_api_token"));
        assert!(!echoes_key("API_TOKEN", "9f8e7d6c5b4a39281706"));
        assert!(!echoes_key("DB_PASSWORD", "correct-horse-battery"));
    }

    #[test]
    fn sibling_specs_and_distance() {
        assert_eq!(
            sibling_spec("./utils/format", "src/utils/formatting.js"),
            "./utils/formatting"
        );
        assert_eq!(sibling_spec("../db", "lib/dbs.ts"), "../dbs");
        assert_eq!(edit_distance("format", "formt"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
