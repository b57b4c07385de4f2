//! Fingerprints that survive moved code and reformatting.
//!
//! A fingerprint is `v1:` + the first 16 hex digits of SHA-256 over
//! `rule \0 path \0 normalised-text \0 index`, where the normalised text is the finding's
//! key with all whitespace removed, and the index counts earlier findings with the same
//! rule, path and normalised text (so two identical problems in one file stay distinct
//! without depending on line numbers).

use crate::Finding;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const VERSION: &str = "v1";

fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Assigns fingerprints to findings. Order matters for the index, so callers pass findings
/// sorted by location.
pub fn assign(findings: &mut [Finding]) {
    let mut seen: HashMap<(String, String, String), u32> = HashMap::new();
    for finding in findings.iter_mut() {
        let path = finding.file.clone().unwrap_or_default();
        let text = if finding.fingerprint_text.is_empty() {
            normalise(&finding.message)
        } else {
            normalise(&finding.fingerprint_text)
        };
        let counter = seen
            .entry((finding.rule.to_string(), path.clone(), text.clone()))
            .or_insert(0);
        let index = *counter;
        *counter += 1;
        let mut hasher = Sha256::new();
        for part in [finding.rule, path.as_str(), text.as_str()] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.update(index.to_string().as_bytes());
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        finding.fingerprint = format!("{VERSION}:{hex}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, FixKind, RuleMeta, Severity, Span, WhenUnreachable};

    static META: RuleMeta = RuleMeta {
        id: "integrity/unresolved-import",
        severity: Severity::Blocker,
        category: Category::Integrity,
        fix_kind: FixKind::Code,
        summary: "",
        docs: "",
        when_unreachable: WhenUnreachable::Keep,
        effort_minutes: 5,
    };

    fn finding(line: u32, key: &str) -> Finding {
        Finding::new(&META, "m")
            .at("src/a.js", Span::line(line))
            .key(key)
    }

    #[test]
    fn survives_moves_and_reformatting_but_separates_equals() {
        let mut a = vec![finding(3, "require('./x')"), finding(9, "require('./x')")];
        let mut b = vec![
            finding(40, "require( './x' )"),
            finding(77, "require('./x')"),
        ];
        assign(&mut a);
        assign(&mut b);
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        assert_eq!(a[1].fingerprint, b[1].fingerprint);
        assert_ne!(a[0].fingerprint, a[1].fingerprint);
        assert!(a[0].fingerprint.starts_with("v1:"));
    }
}
