//! Renderers. They read a [`ScanReport`] and never the source tree.

mod concise;
mod github;
mod json;
mod junit;
mod location;
mod markdown;
mod pretty;
mod sarif;

use flightcheck_core::{ScanReport, Severity};

/// Output formats this build can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
    /// One line per finding (`path:line:col: SEVERITY rule message`), ruff's `concise`.
    Concise,
    Markdown,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML: a test case per rule per project.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    pub const NAMES: [&'static str; 7] = [
        "pretty", "concise", "markdown", "json", "sarif", "junit", "github",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pretty" => Some(Self::Pretty),
            "concise" => Some(Self::Concise),
            "markdown" => Some(Self::Markdown),
            "json" => Some(Self::Json),
            "sarif" => Some(Self::Sarif),
            "junit" => Some(Self::Junit),
            "github" => Some(Self::Github),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// ANSI colours (only for a terminal that allows them).
    pub color: bool,
    /// The fix-first list and the verdict line only.
    pub quiet: bool,
    /// What the text formats show (`--summary`, `--statistics`).
    pub mode: TextMode,
    /// Findings below this severity are not shown by the human formats (pretty, concise,
    /// Markdown, annotations); counts, score and gate still include them.
    pub show: Severity,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            color: false,
            quiet: false,
            mode: TextMode::Full,
            show: Severity::Low,
        }
    }
}

/// What the pretty format prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextMode {
    #[default]
    Full,
    /// Verdict, score, counts, the fix-first list and what lowers confidence.
    Summary,
    /// Findings per rule.
    Statistics,
}

pub fn render(format: Format, report: &ScanReport, options: RenderOptions) -> String {
    // Human formats get control bytes escaped (a file name with ESC must not recolour the
    // terminal or start a new `::error` line); machine formats escape them by their syntax.
    let escaped;
    let report = match format {
        Format::Pretty | Format::Concise | Format::Markdown | Format::Github => {
            let mut copy = report.clone();
            copy.escape_controls();
            // `--show`: the human formats leave out findings below the severity shown;
            // the verdict, score and counts were computed with every finding.
            if options.show > Severity::Low {
                for project in &mut copy.projects {
                    project.findings.retain(|f| f.severity >= options.show);
                }
            }
            escaped = copy;
            &escaped
        }
        Format::Json | Format::Sarif | Format::Junit => report,
    };
    match format {
        Format::Pretty => pretty::render(report, options),
        Format::Concise => concise::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
    }
}

/// The `--timings` table: time per phase, then per rule (slowest first).
pub fn timings(report: &ScanReport) -> String {
    use std::fmt::Write;
    let mut out = String::from("timings (ms)\n");
    let total: f64 = report.timings.iter().map(|t| t.ms).sum();
    for t in &report.timings {
        let _ = writeln!(out, "  {:<40} {:>9.1}", t.phase, t.ms);
    }
    let _ = writeln!(out, "  {:<40} {:>9.1}", "total", total);
    if !report.rule_timings.is_empty() {
        out.push_str("rules (ms; project rules and collecting per-file findings, whose checks run in `parse`)\n");
        for t in &report.rule_timings {
            let _ = writeln!(out, "  {:<40} {:>9.1}", t.phase, t.ms);
        }
    }
    out
}
