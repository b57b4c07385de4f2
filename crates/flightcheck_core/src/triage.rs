//! Triage: the order a reviewer fixes findings in, the groups that share one fix, and the
//! short "fix these first" list every human format opens with.
//!
//! One place decides the order so the terminal, the Markdown review, the annotations and
//! the JSON list agree: severity first, then what the harm is (money and data loss, then
//! security, then a crash or outage, then the rest), then the role of the code (service
//! code before code that only possibly runs), then the place.

use crate::{Category, Finding, ProjectReport, Role, ScanReport, Severity};
use std::cmp::Ordering;

/// What goes wrong when a finding is left in, in the order a reviewer fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Harm {
    /// Money taken or data lost: forged payment callbacks, lost writes, missing tables.
    MoneyOrData,
    /// An attacker gets in, or a credential leaks.
    Security,
    /// The service crashes, hangs or stops answering.
    Outage,
    /// Everything else: configuration hygiene, observability, docs, tests.
    Other,
}

impl Harm {
    pub fn of(finding: &Finding) -> Self {
        // A webhook that accepts unsigned calls is a security rule, but what an attacker
        // does with it is mark orders paid: money first.
        if finding.rule == "security/webhook-unverified" {
            return Self::MoneyOrData;
        }
        match finding.category {
            Category::Data => Self::MoneyOrData,
            Category::Security => Self::Security,
            Category::Integrity
            | Category::Resilience
            | Category::Availability
            | Category::Performance => Self::Outage,
            Category::Config | Category::Testing | Category::Observability | Category::Docs => {
                Self::Other
            }
        }
    }
}

/// Service code first; code whose reachability is unknown next; the rest after.
fn role_rank(role: Role) -> u8 {
    match role {
        Role::Service => 0,
        Role::Config | Role::Project => 1,
        Role::PossiblyRunning => 2,
        _ => 3,
    }
}

/// The triage order of two findings of one project.
pub fn order(a: &Finding, b: &Finding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| Harm::of(a).cmp(&Harm::of(b)))
        .then_with(|| role_rank(a.role).cmp(&role_rank(b.role)))
        .then_with(|| {
            (&a.file, a.span.line, a.span.column, a.rule).cmp(&(
                &b.file,
                b.span.line,
                b.span.column,
                b.rule,
            ))
        })
}

/// Sorts a project's findings into triage order (stable for equal keys).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(order);
}

/// Findings of one rule, at one severity, with the same fix: one entry in a report, with
/// a count and the places. The first member leads (it is the first in triage order).
#[derive(Debug, Clone)]
pub struct Group<'r> {
    pub project: &'r ProjectReport,
    pub findings: Vec<&'r Finding>,
}

impl<'r> Group<'r> {
    pub fn lead(&self) -> &'r Finding {
        self.findings[0]
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn severity(&self) -> Severity {
        self.lead().severity
    }

    /// Effort for the whole group: the first place takes the rule's estimate, each
    /// further place a quarter of it (the fix is known by then), at least a minute.
    pub fn effort_minutes(&self) -> u32 {
        let one = self.lead().effort_minutes;
        let more = (self.len() as u32).saturating_sub(1);
        one + more * (one / 4).max(1)
    }
}

/// The findings of `project` (already in triage order) grouped: one group per rule,
/// severity and fix text, in the order of each group's first member.
pub fn groups(project: &ProjectReport) -> Vec<Group<'_>> {
    group_findings(&project.findings)
        .into_iter()
        .map(|findings| Group { project, findings })
        .collect()
}

/// [`groups`] of a plain list of findings.
pub fn group_findings(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut out: Vec<Vec<&Finding>> = Vec::new();
    let mut index: std::collections::HashMap<(&str, Severity, &str), usize> = Default::default();
    for f in findings {
        let key = (f.rule, f.severity, f.fix.as_str());
        match index.get(&key) {
            Some(&k) => out[k].push(f),
            None => {
                index.insert(key, out.len());
                out.push(vec![f]);
            }
        }
    }
    out
}

/// Every project's groups, merged into one triage order.
pub fn all_groups(report: &ScanReport) -> Vec<Group<'_>> {
    let mut all: Vec<Group<'_>> = report.projects.iter().flat_map(groups).collect();
    all.sort_by(|a, b| order(a.lead(), b.lead()));
    all
}

/// How many entries the "fix these first" list holds at most.
pub const FIX_FIRST: usize = 5;

/// The "fix these first" list: up to [`FIX_FIRST`] groups in triage order, blockers,
/// high and medium findings only (low findings are never urgent).
pub fn fix_first(report: &ScanReport) -> Vec<Group<'_>> {
    all_groups(report)
        .into_iter()
        .filter(|g| g.severity() >= Severity::Medium)
        .take(FIX_FIRST)
        .collect()
}

/// "about 45 min", "about 2 h", "about 1 h 30 min".
pub fn effort_phrase(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("about {m} min"),
        (h, 0) => format!("about {h} h"),
        (h, m) => format!("about {h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixKind, RuleMeta, Span};

    const fn meta(id: &'static str, severity: Severity, category: Category) -> RuleMeta {
        RuleMeta {
            id,
            severity,
            category,
            fix_kind: FixKind::Code,
            summary: "",
            docs: "",
            effort_minutes: 20,
            when_unreachable: crate::WhenUnreachable::Drop,
        }
    }

    static SECRET: RuleMeta = meta("config/empty-secret", Severity::Blocker, Category::Config);
    static WEBHOOK: RuleMeta = meta(
        "security/webhook-unverified",
        Severity::Blocker,
        Category::Security,
    );
    static IMPORT: RuleMeta = meta(
        "integrity/unresolved-import",
        Severity::Blocker,
        Category::Integrity,
    );
    static TIMEOUT: RuleMeta = meta(
        "resilience/http-no-timeout",
        Severity::Medium,
        Category::Resilience,
    );

    fn at(meta: &'static RuleMeta, file: &str, line: u32) -> Finding {
        let mut f = Finding::new(meta, "m").at(file, Span::line(line));
        f.fix = "fix it".into();
        f.role = Role::Service;
        f
    }

    #[test]
    fn money_before_outage_before_config_edits_within_a_severity() {
        let mut findings = vec![
            at(&TIMEOUT, "a.js", 1),
            at(&SECRET, ".env.production", 2),
            at(&IMPORT, "src/a.js", 4),
            at(&WEBHOOK, "src/webhook.js", 18),
        ];
        sort(&mut findings);
        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            [
                "security/webhook-unverified",
                "integrity/unresolved-import",
                "config/empty-secret",
                "resilience/http-no-timeout"
            ]
        );
    }

    #[test]
    fn service_code_comes_before_possibly_running_code() {
        let mut maybe = at(&IMPORT, "a.js", 1);
        maybe.role = Role::PossiblyRunning;
        let mut findings = vec![maybe, at(&IMPORT, "z.js", 1)];
        sort(&mut findings);
        assert_eq!(findings[0].file.as_deref(), Some("z.js"));
    }

    #[test]
    fn one_rule_with_one_fix_is_one_group() {
        let mut other_fix = at(&TIMEOUT, "c.js", 3);
        other_fix.fix = "another fix".into();
        let findings = vec![at(&TIMEOUT, "a.js", 1), at(&TIMEOUT, "b.js", 2), other_fix];
        let groups = group_findings(&findings);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].len(), 2);
        assert_eq!(groups[1][0].file.as_deref(), Some("c.js"));
        assert_eq!(effort_phrase(90), "about 1 h 30 min");
        assert_eq!(effort_phrase(120), "about 2 h");
        assert_eq!(effort_phrase(90), "about 1 h 30 min");
        assert_eq!(effort_phrase(120), "about 2 h");
    }
}
