//! JUnit XML, so CI systems (GitLab, Jenkins, Azure DevOps...) show the review as a test
//! report (`docs/formats.md`).
//!
//! One `<testsuite>` per project and one `<testcase>` per rule in it: passing when the rule
//! found nothing there, a `<failure>` listing the findings otherwise, `<skipped>` when the
//! rule's category does not apply to the project's stack. Findings that do not fail the gate
//! (suppressed, or unchanged since the baseline) do not fail a test case; they are listed in
//! its `<system-out>`. What lowers confidence in the verdict (reachability fallbacks, files
//! not read, git history not read) is each suite's `<system-out>`. No timestamps or durations: the same report gives the same bytes.

use flightcheck_core::{BaselineState, Category, Finding, ProjectReport, ScanReport, Severity};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

pub fn render(report: &ScanReport) -> String {
    let mut junit = Report::new("flightcheck");
    for project in &report.projects {
        junit.add_test_suite(suite(report, project));
    }
    match junit.to_string() {
        Ok(mut xml) => {
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        Err(e) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flightcheck\" tests=\"0\" failures=\"0\" errors=\"1\"><!-- cannot serialise the JUnit report: {} --></testsuites>\n",
            xml_safe(&e.to_string()).replace("--", "- -")
        ),
    }
}

/// A rule as a test case: its id and category.
struct RuleCase<'a> {
    id: &'a str,
    category: Category,
}

/// Every rule of the report, then rules only findings name (hand-made or merged reports).
fn rule_cases<'a>(report: &'a ScanReport, project: &'a ProjectReport) -> Vec<RuleCase<'a>> {
    let mut cases: Vec<RuleCase<'a>> = Vec::new();
    let mut add = |id: &'a str, category: Category| {
        if !cases.iter().any(|c| c.id == id) {
            cases.push(RuleCase { id, category });
        }
    };
    for rule in &report.rules {
        add(rule.id, rule.category);
    }
    for finding in &project.findings {
        add(finding.rule, finding.category);
    }
    cases
}

fn suite(report: &ScanReport, project: &ProjectReport) -> TestSuite {
    let label = xml_safe(&project_label(project));
    let mut suite = TestSuite::new(label.clone());
    suite.add_properties([
        Property::new("path", xml_safe(&project.path)),
        Property::new("name", xml_safe(&project.name)),
        Property::new("score", project.score.score.to_string()),
        Property::new("verdict", project.score.verdict.as_str()),
    ]);
    // What lowers confidence in the verdict, where CI shows a suite's output.
    let confidence = report.confidence_notes();
    if !confidence.is_empty() {
        let text: String = confidence
            .iter()
            .map(|n| format!("warning: {n}\n"))
            .collect();
        suite.set_system_out(xml_safe(&text));
    }
    for rule in rule_cases(report, project) {
        let mut case = TestCase::new(xml_safe(rule.id), status(project, &rule));
        case.set_classname(label.clone());
        if let Some(out) = not_failing(project, rule.id) {
            case.set_system_out(xml_safe(&out));
        }
        suite.add_test_case(case);
    }
    suite
}

/// The project's path, or its name for the root project (`.` says nothing in a CI report).
fn project_label(project: &ProjectReport) -> String {
    if project.path == "." || project.path.is_empty() {
        project.name.clone()
    } else {
        project.path.clone()
    }
}

fn status(project: &ProjectReport, rule: &RuleCase) -> TestCaseStatus {
    let all: Vec<&Finding> = project
        .findings
        .iter()
        .filter(|f| f.rule == rule.id)
        .collect();
    let failing: Vec<&Finding> = all
        .iter()
        .copied()
        .filter(|f| f.baseline_state != Some(BaselineState::Unchanged))
        .collect();
    if let Some(worst) = failing.iter().map(|f| f.severity).max() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_type(worst.as_str())
            .set_message(xml_safe(&failure_message(&failing, worst)))
            .set_description(xml_safe(&finding_list(&failing)));
        return status;
    }
    let suppressed = project.suppressed.iter().any(|s| s.rule == rule.id);
    let not_applicable = project
        .score
        .categories
        .iter()
        .any(|c| c.category == rule.category && !c.applicable);
    if all.is_empty() && !suppressed && not_applicable {
        let mut status = TestCaseStatus::skipped();
        status.set_message(format!(
            "category {} does not apply to this project's stack",
            rule.category.as_str()
        ));
        return status;
    }
    TestCaseStatus::success()
}

/// One line: the worst finding's message, and how many more there are.
fn failure_message(failing: &[&Finding], worst: Severity) -> String {
    let first = failing.iter().find(|f| f.severity == worst).copied();
    let message = first.map(|f| one_line(&f.message)).unwrap_or_default();
    match failing.len() {
        1 => format!("{}: {message}", worst.as_str()),
        n => format!("{} findings, worst {}: {message}", n, worst.as_str()),
    }
}

/// Each finding with its place, message, fix and check, for the failure's text.
fn finding_list(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "[{}] {}: {}",
            f.severity.as_str().to_ascii_uppercase(),
            place(f),
            f.message
        );
        for e in &f.evidence {
            let at = match (&e.file, e.line) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                (Some(file), None) => format!("{file}: "),
                _ => String::new(),
            };
            let _ = writeln!(out, "  evidence: {at}{}", e.note);
        }
        if !f.fix.is_empty() {
            let _ = writeln!(out, "  fix: {}", f.fix);
        }
        if !f.verify.is_empty() {
            let _ = writeln!(out, "  verify: {}", f.verify);
        }
    }
    out
}

/// Findings of this rule that do not fail the test: unchanged since the baseline, or
/// suppressed by a comment (listed so a reviewer can audit them).
fn not_failing(project: &ProjectReport, rule: &str) -> Option<String> {
    let mut out = String::new();
    for f in project
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.baseline_state == Some(BaselineState::Unchanged))
    {
        let _ = writeln!(
            out,
            "in baseline, not failing: [{}] {}: {}",
            f.severity.as_str().to_ascii_uppercase(),
            place(f),
            f.message
        );
    }
    for s in project.suppressed.iter().filter(|s| s.rule == rule) {
        let at = s.place();
        let reason = s.stated_reason();
        let _ = writeln!(
            out,
            "suppressed by {}: [{}] {at}: {} ({reason})",
            s.suppressed_by,
            s.severity.as_str().to_ascii_uppercase(),
            s.message
        );
    }
    (!out.is_empty()).then_some(out)
}

fn place(f: &Finding) -> String {
    match &f.file {
        Some(file) => format!("{file}:{}:{}", f.span.line.max(1), f.span.column.max(1)),
        None => "project-wide".to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with every character XML 1.0 does not allow (C0 controls but tab, newline and
/// carriage return; U+FFFE, U+FFFF) or discourages (DEL, C1 controls) replaced by U+FFFD, so
/// the document stays well-formed and the reader sees that something was there. Markup
/// characters (`<`, `&`, quotes) are escaped by the XML writer.
pub(crate) fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            let allowed = match c {
                '\t' | '\n' | '\r' => true,
                '\u{FFFE}' | '\u{FFFF}' => false,
                c => !c.is_control(),
            };
            if allowed { c } else { '\u{FFFD}' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}[31mc"), "a\u{FFFD}b\u{FFFD}[31mc");
        assert_eq!(xml_safe("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
        assert_eq!(
            xml_safe("\u{7f}\u{85}\u{FFFE}\u{FFFF}"),
            "\u{FFFD}".repeat(4)
        );
        assert_eq!(xml_safe("<&\"'> é 😀"), "<&\"'> é 😀");
    }
}
