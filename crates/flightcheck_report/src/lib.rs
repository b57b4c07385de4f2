//! Renderers. They read a [`ScanReport`] and never the source tree.

mod github;
mod json;
mod junit;
mod location;
mod markdown;
mod pretty;
mod sarif;

use flightcheck_core::ScanReport;

/// Output formats this build can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
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
    pub const NAMES: [&'static str; 6] = ["pretty", "markdown", "json", "sarif", "junit", "github"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pretty" => Some(Self::Pretty),
            "markdown" => Some(Self::Markdown),
            "json" => Some(Self::Json),
            "sarif" => Some(Self::Sarif),
            "junit" => Some(Self::Junit),
            "github" => Some(Self::Github),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours (only for a terminal that allows them).
    pub color: bool,
    /// Findings and the verdict line only.
    pub quiet: bool,
}

pub fn render(format: Format, report: &ScanReport, options: RenderOptions) -> String {
    // Human formats get control bytes escaped (a file name with ESC must not recolour the
    // terminal or start a new `::error` line); machine formats escape them by their syntax.
    let escaped;
    let report = match format {
        Format::Pretty | Format::Markdown | Format::Github => {
            let mut copy = report.clone();
            copy.escape_controls();
            escaped = copy;
            &escaped
        }
        Format::Json | Format::Sarif | Format::Junit => report,
    };
    match format {
        Format::Pretty => pretty::render(report, options),
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
