use crate::{init_cmd, rule_cmd};
use clap::{Args, Parser, Subcommand, ValueEnum};
use flightcheck_core::{ScanReport, Severity, baseline};
use flightcheck_report::{Format, RenderOptions, TextMode, render};
use flightcheck_rules::{Progress, ScanOptions, scan};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

/// Production-readiness review for chat-bot and web-service code bases.
#[derive(Parser, Debug)]
#[command(name = "flightcheck", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan repositories and report what will break in production.
    Scan(ScanArgs),
    /// Show a rule's documentation, or list all rules.
    Rule(RuleArgs),
    /// Write a commented flightcheck.toml for the detected stack.
    Init(init_cmd::InitArgs),
    /// Print a shell completion script (`flightcheck completions bash > ~/.local/share/bash-completion/completions/flightcheck`).
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Pretty,
    Concise,
    Markdown,
    Json,
    Sarif,
    Junit,
    Github,
}

impl OutputFormat {
    fn format(self) -> Format {
        match self {
            Self::Pretty => Format::Pretty,
            Self::Concise => Format::Concise,
            Self::Markdown => Format::Markdown,
            Self::Json => Format::Json,
            Self::Sarif => Format::Sarif,
            Self::Junit => Format::Junit,
            Self::Github => Format::Github,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ShowSeverity {
    Blocker,
    High,
    Medium,
    Low,
}

impl ShowSeverity {
    fn severity(self) -> Severity {
        match self {
            Self::Blocker => Severity::Blocker,
            Self::High => Severity::High,
            Self::Medium => Severity::Medium,
            Self::Low => Severity::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Blocker,
    High,
    Medium,
    Low,
    Never,
}

#[derive(Args, Debug)]
struct ScanArgs {
    /// Directories to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Format written to stdout.
    #[arg(long, value_enum, default_value = "pretty")]
    format: OutputFormat,
    /// Also write FORMAT to FILE (repeatable), e.g. `--output json=report.json`.
    #[arg(long = "output", value_name = "FORMAT=FILE")]
    outputs: Vec<String>,
    /// The env file the service is deployed with (repeatable); judged as production.
    #[arg(long = "env", value_name = "FILE")]
    env: Vec<PathBuf>,
    /// Fail (exit 1) when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "blocker")]
    fail_on: FailOn,
    /// Fail (exit 1) when the score is below N.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    min_score: Option<u32>,
    /// Run only these rules or prefixes (repeatable or comma-separated), e.g. `config/`.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules or prefixes (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Report only findings that are not in this baseline file as new; findings in it
    /// stay in the report (marked `unchanged`) but do not fail the gate.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every current finding to FILE as a baseline, then exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Use this config file for every project instead of the nearest `flightcheck.toml`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the resolved config of each project and where it came from, then exit.
    #[arg(long)]
    show_config: bool,
    /// Print time per phase and per rule to stderr.
    #[arg(long)]
    timings: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// Print only what to fix first and the verdict (and what lowers confidence).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Print the verdict, score, counts, what to fix first and what lowers confidence.
    #[arg(long, conflicts_with_all = ["statistics", "quiet"])]
    summary: bool,
    /// Print how many findings each rule produced instead of the findings.
    #[arg(long, conflicts_with = "quiet")]
    statistics: bool,
    /// Show findings at or above this severity (pretty, concise, markdown, github); the
    /// score and the gate still count every finding.
    #[arg(long, value_enum, default_value = "low")]
    show: ShowSeverity,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Exit by the gate even when no JavaScript, TypeScript or Python source is found (by
    /// default that is exit 2: a mistyped path or working directory must not pass CI).
    #[arg(long)]
    allow_empty: bool,
    /// Commits of git history read for env files with secrets that were committed and later
    /// removed (`security/env-file-committed`); 0 turns history off.
    #[arg(long, value_name = "N", default_value_t = flightcheck_project::history::DEFAULT_DEPTH)]
    history_depth: u32,
}

#[derive(Args, Debug)]
struct RuleArgs {
    /// Rule id, e.g. `integrity/parse-error`. Without it, list every rule.
    id: Option<String>,
    /// `text` or `json`.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rule(args) => rule_cmd::run(args.id.as_deref(), args.format == "json"),
        Command::Init(args) => init_cmd::run(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "flightcheck", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("flightcheck: error: {message}");
    ExitCode::from(2)
}

/// Whether stdout should get ANSI colours: a terminal, `NO_COLOR` unset, `TERM` not dumb.
fn use_color() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

fn progress_callback(enabled: bool) -> Option<flightcheck_rules::pipeline::ProgressFn> {
    if !enabled {
        return None;
    }
    let bar: Arc<OnceLock<ProgressBar>> = Arc::new(OnceLock::new());
    Some(Arc::new(move |event| match event {
        // Only large trees get a bar; small scans finish before it would be seen.
        Progress::Discovered { sources } if sources >= 200 => {
            let pb = ProgressBar::new(sources as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} parsing {pos}/{len} files {wide_bar} {elapsed}",
            ) {
                pb.set_style(style);
            }
            let _ = bar.set(pb);
        }
        Progress::Parsed => {
            if let Some(pb) = bar.get() {
                pb.inc(1);
            }
        }
        Progress::Finished => {
            if let Some(pb) = bar.get() {
                pb.finish_and_clear();
            }
        }
        Progress::Discovered { .. } => {}
    }))
}

fn run_scan(args: ScanArgs) -> ExitCode {
    let mut outputs = Vec::new();
    for spec in &args.outputs {
        let Some((name, file)) = spec.split_once('=') else {
            return usage_error(&format!("--output `{spec}`: expected FORMAT=FILE"));
        };
        let Some(format) = Format::parse(name) else {
            return usage_error(&format!(
                "--output `{spec}`: unknown format `{name}` (known: {})",
                Format::NAMES.join(", ")
            ));
        };
        if file.is_empty() {
            return usage_error(&format!("--output `{spec}`: missing file name"));
        }
        outputs.push((format, PathBuf::from(file)));
    }
    if let Some(config) = &args.config
        && !config.is_file()
    {
        return usage_error(&format!("--config {}: no such file", config.display()));
    }
    for env in &args.env {
        if !env.is_file() {
            return usage_error(&format!("--env {}: no such file", env.display()));
        }
    }
    if (args.summary || args.statistics || args.quiet) && args.format.format() != Format::Pretty {
        return usage_error(
            "--summary, --statistics and --quiet shape the pretty report; they cannot be combined with another --format",
        );
    }
    let show_progress = !args.no_progress
        && !args.quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    let mut reports = Vec::new();
    let several = args.paths.len() > 1;
    for path in &args.paths {
        if !path.is_dir() {
            let why = if path.exists() {
                "not a directory"
            } else {
                "no such directory"
            };
            return usage_error(&format!("cannot scan {}: {why}", path.display()));
        }
        let options = ScanOptions {
            root: path.clone(),
            jobs: args.jobs,
            production_env: args.env.clone(),
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            config: args.config.clone(),
            progress: progress_callback(show_progress),
            history_depth: Some(args.history_depth),
            path_prefix: report_prefix(path, several),
        };
        if args.show_config {
            match flightcheck_rules::pipeline::show_config(&options) {
                Ok(text) => {
                    print!("{text}");
                    continue;
                }
                Err(e) => return usage_error(&e),
            }
        }
        match scan(&options) {
            Ok(report) => reports.push(report),
            Err(e) => return usage_error(&e),
        }
    }
    if args.show_config {
        return ExitCode::SUCCESS;
    }
    let mut report = if reports.len() == 1 {
        reports.remove(0)
    } else {
        flightcheck_rules::pipeline::merge(reports)
    };
    // Before anything is written: a tree with no source must not print a GREEN report.
    if !args.allow_empty && report.projects.iter().all(|p| p.files.source == 0) {
        let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        return usage_error(&format!(
            "no JavaScript, TypeScript or Python source found under {}: nothing was judged (pass --allow-empty to accept that)",
            paths.join(", ")
        ));
    }
    if let Some(file) = &args.baseline {
        let entries = match flightcheck_core::read::read_string(
            file,
            None,
            flightcheck_core::read::cap::BASELINE,
        ) {
            Ok(text) => baseline::read(&text),
            Err(e) => Err(format!("cannot read it ({e})")),
        };
        match entries {
            Ok(entries) => baseline::apply(&mut report, entries, &file.to_string_lossy()),
            Err(e) => return usage_error(&format!("--baseline {}: {e}", file.display())),
        }
    }

    // Timings are measurements of this run, not of the tree: only `--timings` shows them,
    // so every format gives the same bytes for the same tree.
    let timings = args.timings.then(|| flightcheck_report::timings(&report));
    if !args.timings {
        report.timings.clear();
        report.rule_timings.clear();
    }

    for (format, file) in &outputs {
        // Files get the whole report (`--show` and the text modes are for the screen).
        let text = render(*format, &report, RenderOptions::default());
        if let Err(e) = std::fs::write(file, text) {
            return usage_error(&format!("cannot write {}: {e}", file.display()));
        }
    }
    let text = render(
        args.format.format(),
        &report,
        RenderOptions {
            color: args.format.format() == Format::Pretty && use_color(),
            quiet: args.quiet,
            mode: if args.summary {
                TextMode::Summary
            } else if args.statistics {
                TextMode::Statistics
            } else {
                TextMode::Full
            },
            show: args.show.severity(),
        },
    );
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        // A closed pipe (`| head`) is not an error of the scan; the gate still decides.
    }
    if let Some(text) = timings {
        eprint!("{text}");
    }
    if let Some(file) = &args.write_baseline {
        if let Err(e) = std::fs::write(file, baseline::write(&report)) {
            return usage_error(&format!("cannot write {}: {e}", file.display()));
        }
        eprintln!(
            "flightcheck: wrote {} finding{} to baseline {}",
            report.counts.total(),
            if report.counts.total() == 1 { "" } else { "s" },
            file.display()
        );
        return ExitCode::SUCCESS;
    }
    gate(&report, args.fail_on, args.min_score)
}

/// Where the report's paths start for a scanned `path`: its path from the repository root
/// (the git top level above it, else the current directory), so `scan services/bot`
/// annotates `services/bot/src/bot.js`, a path GitHub and SARIF resolve. A directory outside
/// both keeps paths relative to itself, or, among several paths, starts them with the path
/// as given so they stay apart.
fn report_prefix(path: &std::path::Path, several: bool) -> String {
    let as_given = || {
        if several {
            flightcheck_core::text::slash_path(path)
        } else {
            String::new()
        }
    };
    let Ok(dir) = std::fs::canonicalize(path) else {
        return as_given();
    };
    let base = dir
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(std::path::Path::to_path_buf)
        .or_else(|| std::env::current_dir().and_then(std::fs::canonicalize).ok());
    match base.as_deref().and_then(|b| dir.strip_prefix(b).ok()) {
        Some(rel) => flightcheck_core::text::slash_path(rel),
        None => as_given(),
    }
}

fn gate(report: &ScanReport, fail_on: FailOn, min_score: Option<u32>) -> ExitCode {
    let threshold = match fail_on {
        FailOn::Blocker => Some(Severity::Blocker),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    };
    let worst = flightcheck_rules::pipeline::worst(report);
    let severity_failed = matches!((threshold, worst), (Some(t), Some(w)) if w >= t);
    let score_failed = min_score.is_some_and(|m| baseline::gate_score(report) < m);
    if severity_failed || score_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
