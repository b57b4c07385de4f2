//! The registry agrees with the catalog (RULES.md) and every rule is documented.

use flightcheck_rules::registry;
use std::collections::BTreeSet;
use std::path::Path;

/// Rule ids in a RULES.md catalog: the first backticked `category/name` cell of table rows.
fn catalog_ids(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1))
        .filter(|id| id.contains('/'))
        .map(str::to_string)
        .collect()
}

fn catalog() -> (String, BTreeSet<String>) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(repo.join("docs/RULES.md"))
        .expect("docs/RULES.md is the catalog copy kept in the repository");
    (text.clone(), catalog_ids(&text))
}

#[test]
fn implemented_rules_are_in_the_catalog_with_its_severity_and_category() {
    let (text, ids) = catalog();
    assert!(ids.len() > 40, "catalog parse found only {} ids", ids.len());
    for rule in registry::all() {
        let m = rule.meta;
        assert!(ids.contains(m.id), "{} is not in RULES.md", m.id);
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{}`", m.id)))
            .unwrap_or_default();
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert!(
            cells
                .get(2)
                .is_some_and(|s| s.contains(m.severity.as_str())),
            "{}: severity {} differs from catalog row {row}",
            m.id,
            m.severity
        );
        assert_eq!(
            cells.get(3).copied(),
            Some(m.category.as_str()),
            "{}: category differs from catalog",
            m.id
        );
        assert_eq!(
            cells.get(4).copied(),
            Some(m.fix_kind.as_str()),
            "{}: fix kind differs from catalog",
            m.id
        );
    }
}

#[test]
fn the_catalog_keeps_every_id_of_the_shared_spec_when_present() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = repo.join("../shared/spec/RULES.md");
    if let Ok(spec) = std::fs::read_to_string(&shared) {
        // The spec's ids are a floor: every one of them ships; new ids are added to
        // docs/RULES.md only.
        let (_, copy) = catalog();
        let missing: Vec<String> = catalog_ids(&spec).difference(&copy).cloned().collect();
        assert!(
            missing.is_empty(),
            "docs/RULES.md lacks ids of {}: {missing:?}",
            shared.display()
        );
    }
}

#[test]
fn every_rule_is_documented_with_all_sections() {
    for rule in registry::all() {
        let missing = rule.meta.missing_doc_sections();
        assert!(
            missing.is_empty(),
            "{} docs lack {:?}",
            rule.meta.id,
            missing
        );
        assert!(
            !rule.meta.summary.is_empty(),
            "{} has no summary",
            rule.meta.id
        );
    }
}

#[test]
fn ids_are_unique() {
    let ids: BTreeSet<&str> = registry::all().iter().map(|r| r.meta.id).collect();
    assert_eq!(ids.len(), registry::all().len());
}
