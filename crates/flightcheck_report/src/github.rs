//! GitHub Actions workflow commands (`docs/formats.md`): `::warning::` lines for what lowers
//! confidence, one annotation per finding in triage order (GitHub shows only the first few
//! annotations of each level per step), then one `::notice::` line with the verdict.
//!
//! Blocker and high findings are `error`s, medium `warning`s, low `notice`s. Findings
//! unchanged since the baseline do not fail the gate, so they are `notice`s whatever their
//! severity. Project-wide findings are shown at line 1 of the project's manifest.

use crate::location::finding_location;
use flightcheck_core::{BaselineState, Finding, ProjectReport, ScanReport, Severity};
use std::fmt::Write;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    // What lowers confidence comes first: a reader of the checks page must see it before
    // trusting a green gate.
    for note in report.confidence_notes() {
        let _ = writeln!(
            out,
            "::warning title=flightcheck confidence::{}",
            escape_data(&note)
        );
    }
    let mut findings: Vec<_> = report.all_findings().collect();
    findings.sort_by(|(_, a), (_, b)| flightcheck_core::triage::order(a, b));
    for (project, finding) in findings {
        write_annotation(&mut out, project, finding);
    }
    let _ = writeln!(
        out,
        "::notice::flightcheck: {}",
        escape_data(&summary(report))
    );
    out
}

fn write_annotation(out: &mut String, project: &ProjectReport, finding: &Finding) {
    let unchanged = finding.baseline_state == Some(BaselineState::Unchanged);
    let command = match finding.severity {
        _ if unchanged => "notice",
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    };
    let (file, span) = finding_location(project, finding);
    let line = span.line.max(1);
    let end_line = span.end_line.max(line);
    let mut properties = vec![
        ("file", file),
        ("line", line.to_string()),
        ("endLine", end_line.to_string()),
    ];
    // GitHub takes columns only for an annotation within one line.
    if end_line == line {
        let column = span.column.max(1);
        properties.insert(2, ("col", column.to_string()));
        properties.push(("endColumn", span.end_column.max(column).to_string()));
    }
    properties.push(("title", finding.rule.to_string()));
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    let mut message = if unchanged {
        format!(
            "[{}, in baseline: does not fail the gate] {}",
            finding.severity.as_str(),
            finding.message
        )
    } else {
        format!("[{}] {}", finding.severity.as_str(), finding.message)
    };
    if finding.file.is_none() {
        message.push_str(" (project-wide finding)");
    }
    if !finding.fix.is_empty() {
        message.push_str("\nFix: ");
        message.push_str(&finding.fix);
    }
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    );
}

/// `RED NOT PRODUCTION READY · score 23/100 · 9 blocker, 3 high, 3 medium, 4 low`, with the
/// suppressed and baseline counts when there are any.
fn summary(report: &ScanReport) -> String {
    let mut text = report.verdict_line();
    let suppressed: usize = report.projects.iter().map(|p| p.suppressed.len()).sum();
    if suppressed > 0 {
        let _ = write!(text, " · {suppressed} suppressed");
    }
    if let Some(baseline) = &report.baseline {
        let _ = write!(
            text,
            " · baseline {}: {} new, {} unchanged, {} fixed",
            baseline.file,
            baseline.new,
            baseline.unchanged,
            baseline.stale.len()
        );
    }
    text
}

/// A command's message: `%`, CR and LF encoded, so a message is one line and cannot start
/// another command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`escape_data`], and `:` and `,`, which end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first_then_line_breaks() {
        assert_eq!(escape_data("100%"), "100%25");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a\r\nb\nc"), "a%0D%0Ab%0Ac");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a: b, c"), "a%3A b%2C c");
        assert_eq!(escape_property("dir/100%,x:\n"), "dir/100%25%2Cx%3A%0A");
        assert_eq!(
            escape_property("bot/start-handler-missing"),
            "bot/start-handler-missing"
        );
    }
}
