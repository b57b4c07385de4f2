//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers (`docs/formats.md`).
//!
//! One run. Every rule that ran is a `tool.driver.rules` entry, with or without results, so
//! code scanning can close alerts of rules that stopped finding anything. Results keep the
//! report's order; suppressed findings are not results. Project-wide findings point at line 1
//! of the project's manifest, because code scanning only shows results that have a file.

use crate::location::{clean_path, finding_location};
use flightcheck_core::{
    BaselineState, Category, Counts, Evidence, Finding, FixKind, ProjectReport, RuleRef,
    ScanReport, Severity, Span, Verdict,
};
use serde::Serialize;
use std::collections::BTreeMap;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/flightcheck/flightcheck";
/// The base every relative result URI is resolved against: the scanned root.
const SRCROOT: &str = "%SRCROOT%";
/// Key of our fingerprint in `partialFingerprints`; bump the version when fingerprints change
/// meaning, so code scanning does not match old alerts to unrelated new ones.
const FINGERPRINT_KEY: &str = "flightcheck/v1";

pub fn render(report: &ScanReport) -> String {
    let log = SarifLog {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![run(report)],
    };
    let mut out = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise SARIF: {e}\"}}"));
    out.push('\n');
    out
}

fn run(report: &ScanReport) -> Run<'_> {
    let mut rules = RuleTable::default();
    for rule in &report.rules {
        rules.add_rule(rule);
    }
    let mut results = Vec::new();
    for (project, finding) in report.all_findings() {
        let rule_index = rules.index_of(finding);
        results.push(result(project, finding, rule_index));
    }
    Run {
        tool: Tool {
            driver: Driver {
                name: report.tool.name,
                version: report.tool.version,
                semantic_version: report.tool.version,
                information_uri: INFORMATION_URI,
                rules: rules.descriptors,
            },
        },
        invocations: vec![Invocation {
            // A report exists, so the scan ran; exit code 1 is the gate's verdict, not a failure.
            execution_successful: true,
            // Reachability warnings, then the scan notes; what lowers confidence in the
            // verdict (unread files, history not read) is a `warning`.
            tool_execution_notifications: report
                .projects
                .iter()
                .flat_map(|p| {
                    p.warnings.iter().map(move |w| Notification {
                        level: "warning",
                        message: Message::text(if report.projects.len() > 1 {
                            format!("{}: {w}", p.path)
                        } else {
                            w.clone()
                        }),
                        locations: Vec::new(),
                    })
                })
                .chain(report.notes.iter().map(|note| {
                    Notification {
                        level: if note.lowers_confidence {
                            "warning"
                        } else {
                            "note"
                        },
                        message: Message::text(note.message.clone()),
                        locations: note
                            .file
                            .as_deref()
                            .map(|file| {
                                vec![Location {
                                    physical_location: physical_location(
                                        file,
                                        note.line.map(Region::at_line),
                                    ),
                                }]
                            })
                            .unwrap_or_default(),
                    }
                }))
                .collect(),
        }],
        original_uri_base_ids: BTreeMap::from([(
            SRCROOT,
            // No `uri`: the root is wherever the repository is checked out, and an absolute
            // path of this machine would make the output differ per machine.
            OriginalUriBase {
                description: Message::text(
                    "The scanned root: result paths are relative to it.".to_string(),
                ),
            },
        )]),
        // Our columns count characters, not SARIF's default UTF-16 code units.
        column_kind: "unicodeCodePoints",
        results,
        properties: RunProperties {
            verdict: report.verdict,
            headline: report.verdict.headline(),
            score: report.score,
            counts: report.counts,
            projects: report
                .projects
                .iter()
                .map(|p| ProjectSummary {
                    path: &p.path,
                    name: &p.name,
                    score: p.score.score,
                    verdict: p.score.verdict,
                    counts: p.counts,
                    suppressed: p.suppressed.len(),
                })
                .collect(),
            baseline: report.baseline.as_ref().map(|b| BaselineSummary {
                file: &b.file,
                new: b.new,
                unchanged: b.unchanged,
                stale: b.stale.len(),
            }),
        },
    }
}

/// `tool.driver.rules` and where each rule id is in it (`ruleIndex`).
#[derive(Default)]
struct RuleTable<'a> {
    descriptors: Vec<ReportingDescriptor<'a>>,
    index: BTreeMap<&'a str, usize>,
}

impl<'a> RuleTable<'a> {
    fn add_rule(&mut self, rule: &'a RuleRef) {
        if self.index.contains_key(rule.id) {
            return;
        }
        self.push(
            rule.id,
            rule.severity,
            rule.category,
            rule.fix_kind,
            rule.summary,
            rule.docs,
            rule.effort_minutes,
        );
    }

    /// The index of the finding's rule, adding a descriptor from the finding when the report
    /// does not list its rule (hand-made or merged reports), so every result has its rule.
    fn index_of(&mut self, finding: &'a Finding) -> usize {
        if let Some(index) = self.index.get(finding.rule) {
            return *index;
        }
        self.push(
            finding.rule,
            finding.severity,
            finding.category,
            finding.fix_kind,
            &finding.title,
            "",
            finding.effort_minutes,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &'a str,
        severity: Severity,
        category: Category,
        fix_kind: FixKind,
        summary: &'a str,
        docs: &'a str,
        effort_minutes: u32,
    ) -> usize {
        let summary = if summary.is_empty() { id } else { summary };
        let docs = docs.trim();
        let index = self.descriptors.len();
        self.descriptors.push(ReportingDescriptor {
            id,
            name: camel_case(id),
            short_description: Message::text(summary.to_string()),
            full_description: Message::text(
                what_it_does(docs).unwrap_or_else(|| summary.to_string()),
            ),
            help: Help {
                text: if docs.is_empty() { summary } else { docs },
                markdown: (!docs.is_empty()).then_some(docs),
            },
            default_configuration: Configuration {
                level: level(severity),
            },
            properties: RuleProperties {
                tags: vec![category.as_str()],
                precision: precision(severity),
                security_severity: security_severity(severity),
                problem_severity: problem_severity(severity),
                severity,
                fix_kind,
                effort_minutes,
            },
        });
        self.index.insert(id, index);
        index
    }
}

fn result<'a>(
    project: &'a ProjectReport,
    finding: &'a Finding,
    rule_index: usize,
) -> SarifResult<'a> {
    let (file, span) = finding_location(project, finding);
    let region = Region::from_span(span);
    let primary_line = region.start_line;
    let related_locations = finding
        .evidence
        .iter()
        .filter_map(|e| match (&e.file, e.line) {
            (Some(file), Some(line)) => Some((clean_path(file), line, e)),
            _ => None,
        })
        // The evidence at the result's own line repeats the primary location.
        .filter(|(evidence_file, line, _)| {
            !(finding.file.is_some() && *evidence_file == file && (*line).max(1) == primary_line)
        })
        .enumerate()
        .map(|(k, (evidence_file, line, e))| related_location(k + 1, &evidence_file, line, e))
        .collect();
    SarifResult {
        rule_id: finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Message::text(result_message(finding)),
        locations: vec![Location {
            physical_location: physical_location(&file, Some(region)),
        }],
        related_locations,
        partial_fingerprints: (!finding.fingerprint.is_empty())
            .then(|| BTreeMap::from([(FINGERPRINT_KEY, finding.fingerprint.as_str())])),
        baseline_state: finding.baseline_state.map(|state| match state {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }),
        properties: ResultProperties {
            severity: finding.severity,
            category: finding.category,
            fix_kind: finding.fix_kind,
            effort_minutes: finding.effort_minutes,
            project: &project.path,
            project_wide: finding.file.is_none().then_some(true),
        },
    }
}

/// The finding's message, what was searched (evidence without a place: absence rules say
/// there what they looked at), and the fix.
fn result_message(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    if finding.file.is_none() {
        text.push_str(" (project-wide finding)");
    }
    for e in finding
        .evidence
        .iter()
        .filter(|e| e.file.is_none() && !e.note.is_empty())
    {
        text.push_str("\n- ");
        text.push_str(&e.note);
    }
    if !finding.fix.is_empty() {
        text.push_str("\n\nFix: ");
        text.push_str(&finding.fix);
    }
    text
}

/// Whole lines from `line`, with the evidence's snippet of them (trimmed, and redacted
/// upstream, so not always the file's exact text: never put under a column-precise region).
fn lines_region(line: u32, snippet: &str) -> Region {
    let mut region = Region::at_line(line);
    let extra_lines = snippet.trim_end_matches('\n').matches('\n').count() as u32;
    if extra_lines > 0 {
        region.end_line = Some(region.start_line.saturating_add(extra_lines));
    }
    region.snippet = Some(Snippet {
        text: snippet.to_string(),
    });
    region
}

fn related_location(id: usize, file: &str, line: u32, evidence: &Evidence) -> RelatedLocation {
    let region = match &evidence.snippet {
        Some(snippet) => lines_region(line, snippet),
        None => Region::at_line(line),
    };
    RelatedLocation {
        id,
        physical_location: physical_location(file, Some(region)),
        message: (!evidence.note.is_empty()).then(|| Message::text(evidence.note.clone())),
    }
}

fn physical_location(file: &str, region: Option<Region>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact_location(file),
        region,
    }
}

/// A report path as a URI reference: relative to `%SRCROOT%`, or a `file:` URI for the
/// absolute paths a report merged from absolute roots can hold.
fn artifact_location(path: &str) -> ArtifactLocation {
    let path = clean_path(path);
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        ArtifactLocation {
            uri: format!("file:///{}:{}", &path[..1], encode_uri_path(&path[2..])),
            uri_base_id: None,
        }
    } else if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_uri_path(&path)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_uri_path(&path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// Percent-encodes what may not stand in a URI path: spaces, `%`, `#`, `?`, non-ASCII...
/// `:` is encoded too: in the first segment of a relative reference it would read as a scheme.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `bot/start-handler-missing` → `BotStartHandlerMissing` (SARIF wants a `name` that differs
/// from the opaque `id` and reads as an identifier).
fn camel_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for word in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

/// The body of the docs' `## What it does` section as one paragraph.
fn what_it_does(docs: &str) -> Option<String> {
    let start = docs.find("## What it does")? + "## What it does".len();
    let body = &docs[start..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let text = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `problem.severity` (for alerts that are not security alerts).
fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "recommendation",
    }
}

/// GitHub's CVSS-like score: over 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium, below low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocker => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// No rule has a measured precision yet; the product's quality bar promises blocker and
/// high findings right at least 95% of the time, and precision first for the rest.
fn precision(severity: Severity) -> &'static str {
    match severity {
        Severity::Blocker | Severity::High => "very-high",
        Severity::Medium | Severity::Low => "high",
    }
}

// The SARIF subset we write. Field order is output order; `camelCase` is SARIF's spelling.

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    original_uri_base_ids: BTreeMap<&'static str, OriginalUriBase>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<&'a str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    severity: Severity,
    fix_kind: FixKind,
    effort_minutes: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct OriginalUriBase {
    description: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<BTreeMap<&'static str, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: Severity,
    category: Category,
    fix_kind: FixKind,
    effort_minutes: u32,
    /// The project's path (monorepos have several).
    project: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_wide: Option<bool>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn text(text: String) -> Self {
        Self { text }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// 1-based; SARIF's `endColumn` is the column after the last character, like ours.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet>,
}

impl Region {
    /// A whole line (SARIF's default when only `startLine` is given).
    fn at_line(line: u32) -> Self {
        Self {
            start_line: line.max(1),
            start_column: None,
            end_line: None,
            end_column: None,
            snippet: None,
        }
    }

    /// The span clamped to what SARIF allows: lines and columns at least 1, the end not
    /// before the start (rules that know no column report 0, and an empty span is legal).
    fn from_span(span: Span) -> Self {
        let start_line = span.line.max(1);
        let start_column = span.column.max(1);
        let end_line = span.end_line.max(start_line);
        let mut end_column = span.end_column.max(1);
        if end_line == start_line {
            end_column = end_column.max(start_column);
        }
        Self {
            start_line,
            start_column: Some(start_column),
            end_line: Some(end_line),
            end_column: Some(end_column),
            snippet: None,
        }
    }
}

#[derive(Serialize)]
struct Snippet {
    text: String,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    verdict: Verdict,
    headline: &'static str,
    score: u32,
    counts: Counts,
    projects: Vec<ProjectSummary<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary<'a>>,
}

#[derive(Serialize)]
struct ProjectSummary<'a> {
    path: &'a str,
    name: &'a str,
    score: u32,
    verdict: Verdict,
    counts: Counts,
    /// Findings suppressed by `flightcheck-ignore` comments (not in `results`).
    suppressed: usize,
}

#[derive(Serialize)]
struct BaselineSummary<'a> {
    file: &'a str,
    new: u32,
    unchanged: u32,
    stale: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_camel_case_ids() {
        assert_eq!(
            camel_case("bot/start-handler-missing"),
            "BotStartHandlerMissing"
        );
        assert_eq!(camel_case("config/empty-secret"), "ConfigEmptySecret");
        assert_eq!(camel_case("data/n_plus_1"), "DataNPlus1");
    }

    #[test]
    fn uris_are_encoded_and_relative_unless_absolute() {
        let rel = artifact_location("./src/my bot/100%.js");
        assert_eq!(rel.uri, "src/my%20bot/100%25.js");
        assert_eq!(rel.uri_base_id, Some(SRCROOT));
        assert_eq!(artifact_location("a:b/c#d?.py").uri, "a%3Ab/c%23d%3F.py");
        assert_eq!(artifact_location("src/été.py").uri, "src/%C3%A9t%C3%A9.py");
        let abs = artifact_location("/srv/app/bot.js");
        assert_eq!(abs.uri, "file:///srv/app/bot.js");
        assert_eq!(abs.uri_base_id, None);
        if cfg!(windows) {
            assert_eq!(
                artifact_location("C:\\work\\bot.js").uri,
                "file:///C:/work/bot.js"
            );
        } else {
            // Not a path of this system: a relative name holding `:` and `\\`, encoded.
            assert_eq!(
                artifact_location("C:\\work\\bot.js").uri,
                "C%3A%5Cwork%5Cbot.js"
            );
        }
    }

    #[test]
    fn regions_are_clamped_to_valid_sarif() {
        let zero = Region::from_span(Span::default());
        assert_eq!(
            (
                zero.start_line,
                zero.start_column,
                zero.end_line,
                zero.end_column
            ),
            (1, Some(1), Some(1), Some(1))
        );
        let backwards = Region::from_span(Span {
            line: 7,
            column: 12,
            end_line: 3,
            end_column: 2,
        });
        assert_eq!(
            (
                backwards.start_line,
                backwards.start_column,
                backwards.end_line,
                backwards.end_column
            ),
            (7, Some(12), Some(7), Some(12))
        );
        // Across lines the end column may be before the start column.
        let multi = Region::from_span(Span {
            line: 18,
            column: 3,
            end_line: 62,
            end_column: 0,
        });
        assert_eq!((multi.end_line, multi.end_column), (Some(62), Some(1)));
    }

    #[test]
    fn full_description_is_the_what_it_does_section() {
        let docs = "## What it does\nFinds a bot\nwith no `/start`.\n\n## Why it breaks production\nUsers leave.";
        assert_eq!(
            what_it_does(docs).as_deref(),
            Some("Finds a bot with no `/start`.")
        );
        assert_eq!(what_it_does("no sections"), None);
        assert_eq!(what_it_does("## What it does\n\n## Fix\nx"), None);
    }
}
