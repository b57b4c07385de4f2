//! Baselines: a file of the findings a team has accepted for now, so CI fails only on new
//! ones. Findings are matched by fingerprint (see [`crate::fingerprint`]), which survives
//! moved code and reformatting; each baseline entry matches at most one finding.
//!
//! Matched findings stay in the report (score and verdict remain honest) with
//! `baseline_state: unchanged`; only `new` ones count for the gate. Entries nothing matched
//! any more are reported as stale.

use crate::{BaselineEntry, BaselineState, BaselineStatus, Finding, ScanReport, fingerprint};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the baseline file format.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    /// Always `flightcheck-baseline`, so a wrong file is recognised.
    kind: String,
    version: u32,
    /// Fingerprint version the entries were computed with (`v1`).
    fingerprints: String,
    findings: Vec<BaselineEntry>,
}

const KIND: &str = "flightcheck-baseline";

/// The baseline file for every finding of `report` (deterministic: sorted entries, no
/// timestamps, so it diffs well in review).
pub fn write(report: &ScanReport) -> String {
    let mut findings: Vec<BaselineEntry> = report
        .all_findings()
        .map(|(_, f)| BaselineEntry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.to_string(),
            file: f.file.clone().unwrap_or_default(),
            message: f.message.clone(),
        })
        .collect();
    findings.sort();
    let file = BaselineFile {
        kind: KIND.into(),
        version: FORMAT_VERSION,
        fingerprints: fingerprint::VERSION.into(),
        findings,
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
    out.push('\n');
    out
}

/// Reads a baseline file; `Err` says what is wrong with it.
pub fn read(text: &str) -> Result<Vec<BaselineEntry>, String> {
    let file: BaselineFile =
        serde_json::from_str(text).map_err(|e| format!("not a flightcheck baseline: {e}"))?;
    if file.kind != KIND {
        return Err(format!(
            "not a flightcheck baseline: `kind` is `{}`, expected `{KIND}`",
            file.kind
        ));
    }
    if file.version != FORMAT_VERSION {
        return Err(format!(
            "baseline format version {} is not supported (this flightcheck writes {FORMAT_VERSION}); write it again with --write-baseline",
            file.version
        ));
    }
    if file.fingerprints != fingerprint::VERSION {
        return Err(format!(
            "baseline fingerprints are `{}`, this flightcheck computes `{}`; write it again with --write-baseline",
            file.fingerprints,
            fingerprint::VERSION
        ));
    }
    Ok(file.findings)
}

/// Marks each finding of `report` new or unchanged against `entries` and records the
/// outcome (with stale entries) in `report.baseline`.
pub fn apply(report: &mut ScanReport, entries: Vec<BaselineEntry>, file: &str) {
    let mut remaining: BTreeMap<String, Vec<BaselineEntry>> = BTreeMap::new();
    for e in entries {
        remaining.entry(e.fingerprint.clone()).or_default().push(e);
    }
    let mut status = BaselineStatus {
        file: file.to_string(),
        ..Default::default()
    };
    for project in &mut report.projects {
        for finding in &mut project.findings {
            let matched = remaining
                .get_mut(&finding.fingerprint)
                .and_then(|list| list.pop())
                .is_some();
            if matched {
                finding.baseline_state = Some(BaselineState::Unchanged);
                status.unchanged += 1;
            } else {
                finding.baseline_state = Some(BaselineState::New);
                status.new += 1;
            }
        }
    }
    status.stale = remaining.into_values().flatten().collect();
    status.stale.sort();
    report.baseline = Some(status);
}

/// Whether a finding counts for the CI gate: everything without a baseline, only new
/// findings with one.
pub fn gates(finding: &Finding) -> bool {
    finding.baseline_state != Some(BaselineState::Unchanged)
}

/// The score the `--min-score` gate judges: with a baseline, the score the project would
/// have if only its new findings existed; without one, the report's score.
pub fn gate_score(report: &ScanReport) -> u32 {
    if report.baseline.is_none() {
        return report.score;
    }
    let rescored: Vec<crate::ProjectReport> = report
        .projects
        .iter()
        .map(|p| {
            let new: Vec<Finding> = p.findings.iter().filter(|f| gates(f)).cloned().collect();
            let applicable: Vec<crate::Category> = p
                .score
                .categories
                .iter()
                .filter(|c| c.applicable)
                .map(|c| c.category)
                .collect();
            let weights = p
                .score
                .categories
                .iter()
                .map(|c| (c.category, c.weight))
                .collect();
            let mut project = p.clone();
            project.score = crate::score::score(&new, &applicable, &weights);
            project
        })
        .collect();
    crate::rollup_score(&rescored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_foreign_and_outdated_files() {
        assert!(read("{}").is_err());
        assert!(read("[1, 2]").is_err());
        let other = r#"{"kind":"x","version":1,"fingerprints":"v1","findings":[]}"#;
        assert!(read(other).unwrap_err().contains("kind"));
        let old =
            r#"{"kind":"flightcheck-baseline","version":1,"fingerprints":"v0","findings":[]}"#;
        assert!(read(old).unwrap_err().contains("write it again"));
        let ok = r#"{"kind":"flightcheck-baseline","version":1,"fingerprints":"v1","findings":[{"fingerprint":"v1:00","rule":"a/b"}]}"#;
        assert_eq!(read(ok).map(|e| e.len()), Ok(1));
    }
}
