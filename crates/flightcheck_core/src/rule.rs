use crate::{Category, FixKind, Severity};

/// What happens to a rule's findings in files that no entry point reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnreachable {
    /// Reachability does not matter (project-level or config findings).
    Keep,
    /// Dead code still deserves a note, at this severity.
    Downgrade(Severity),
    /// Dead code neither triggers nor satisfies the rule.
    Drop,
}

/// Static description of a rule: identity, defaults and its user documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Public id, `category/name`; never renamed once shipped.
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub fix_kind: FixKind,
    /// One line for `flightcheck rule` listings.
    pub summary: &'static str,
    /// Markdown with the sections in [`DOC_SECTIONS`].
    pub docs: &'static str,
    pub when_unreachable: WhenUnreachable,
    /// Rough effort to fix one finding, for the fix plan.
    pub effort_minutes: u32,
}

/// The sections every rule's documentation must carry, in this order.
pub const DOC_SECTIONS: [&str; 5] = [
    "## What it does",
    "## Why it breaks production",
    "## Flagged",
    "## Not flagged",
    "## Fix",
];

impl RuleMeta {
    /// Sections of [`DOC_SECTIONS`] this rule's docs lack or have out of order.
    pub fn missing_doc_sections(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let mut from = 0;
        for section in DOC_SECTIONS {
            match self.docs[from..].find(section) {
                Some(pos) => {
                    let body_start = from + pos + section.len();
                    let body_end = self.docs[body_start..]
                        .find("\n## ")
                        .map_or(self.docs.len(), |p| body_start + p);
                    if self.docs[body_start..body_end].trim().is_empty() {
                        missing.push(section);
                    }
                    from = body_start;
                }
                None => missing.push(section),
            }
        }
        missing
    }

    /// Whether `pattern` (a rule id or an id prefix such as `security/`) selects this rule.
    pub fn matches(&self, pattern: &str) -> bool {
        pattern_matches(pattern, self.id)
    }
}

/// Whether `pattern` (a rule id, or an id prefix such as `security/` or `security`)
/// selects the rule `id`: the one meaning of a rule pattern for the CLI and `flightcheck.toml`.
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return false;
    }
    if pattern.ends_with('/') {
        return id.starts_with(pattern);
    }
    id == pattern
        || id
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(docs: &'static str) -> RuleMeta {
        RuleMeta {
            id: "config/empty-secret",
            severity: Severity::High,
            category: Category::Config,
            fix_kind: FixKind::Config,
            summary: "",
            docs,
            when_unreachable: WhenUnreachable::Keep,
            effort_minutes: 5,
        }
    }

    #[test]
    fn doc_sections_are_checked_for_presence_order_and_content() {
        let full = "## What it does\na\n## Why it breaks production\nb\n## Flagged\nc\n## Not flagged\nd\n## Fix\ne\n";
        assert!(meta(full).missing_doc_sections().is_empty());
        let empty_fix = "## What it does\na\n## Why it breaks production\nb\n## Flagged\nc\n## Not flagged\nd\n## Fix\n";
        assert_eq!(meta(empty_fix).missing_doc_sections(), vec!["## Fix"]);
        let no_flagged =
            "## What it does\na\n## Why it breaks production\nb\n## Not flagged\nd\n## Fix\ne";
        assert_eq!(meta(no_flagged).missing_doc_sections(), vec!["## Flagged"]);
    }

    #[test]
    fn selection_by_id_and_prefix() {
        let m = meta("");
        assert!(m.matches("config/empty-secret"));
        assert!(m.matches("config/"));
        assert!(m.matches("config"));
        assert!(!m.matches("config/empty"));
        assert!(!m.matches("security/"));
    }
}
