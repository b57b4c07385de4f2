//! JSON output (`docs/json-schema.md`): the report's fields in declaration order.

use flightcheck_core::ScanReport;

pub fn render(report: &ScanReport) -> String {
    let mut out = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise report: {e}\"}}"));
    out.push('\n');
    out
}
