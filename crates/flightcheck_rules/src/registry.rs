//! The one place that lists every rule.

use crate::context::ProjectContext;
use crate::rules;
use flightcheck_core::{Finding, RuleMeta};

/// A project rule: metadata, whether it applies to this project's stack (which makes its
/// category count in the score), and the check over the project's facts.
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub applies: fn(&ProjectContext) -> bool,
    pub check: fn(&ProjectContext) -> Vec<Finding>,
}

/// Every implemented rule, in catalog order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: [&Rule; 5] = [
        &rules::config::empty_secret::RULE,
        &rules::config::localhost_in_production::RULE,
        &rules::integrity::parse_error::RULE,
        &rules::integrity::unresolved_import::RULE,
        &rules::testing::no_tests::RULE,
    ];
    &ALL
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.meta.id == id)
}

/// Rules chosen by `--select`/`--ignore` (ids or prefixes such as `security/`). Patterns
/// that match no implemented rule are an error, so a typo never silently disables a gate.
pub fn selection(select: &[String], ignore: &[String]) -> Result<Vec<&'static Rule>, String> {
    for pattern in select.iter().chain(ignore) {
        if !all().iter().any(|r| r.meta.matches(pattern)) {
            return Err(format!(
                "`{pattern}` matches no rule (run `flightcheck rule` for the list)"
            ));
        }
    }
    Ok(all()
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|p| r.meta.matches(p)))
        .filter(|r| !ignore.iter().any(|p| r.meta.matches(p)))
        .collect())
}
