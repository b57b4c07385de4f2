//! `--format concise`: one line per finding, `path:line:col: SEVERITY rule message`, in
//! triage order (ruff's `concise`, which editors and `grep` read), then what lowers
//! confidence as `warning:` lines and the verdict line.

use crate::location::finding_location;
use flightcheck_core::triage;
use flightcheck_core::{ScanReport, Severity};
use std::fmt::Write;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let mut findings: Vec<_> = report.all_findings().collect();
    findings.sort_by(|(_, a), (_, b)| triage::order(a, b));
    let shown = findings.len();
    for (project, f) in findings {
        let (file, span) = finding_location(project, f);
        let _ = writeln!(
            out,
            "{file}:{}:{}: {} {} {}",
            span.line.max(1),
            span.column.max(1),
            label(f.severity),
            f.rule,
            one_line(&f.message)
        );
    }
    for note in report.confidence_notes() {
        let _ = writeln!(out, "warning: {}", one_line(&note));
    }
    let hidden = (report.counts.total() as usize).saturating_sub(shown);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "note: {hidden} lower finding{} not shown (--show); the score and the gate count them",
            if hidden == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "{}", report.verdict_line());
    out
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocker => "BLOCKER",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
    }
}

/// A message on one line (a line break would start what reads as another finding).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
