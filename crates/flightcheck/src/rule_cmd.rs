//! `flightcheck rule [ID]`.

use flightcheck_rules::registry;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(id: Option<&str>, as_json: bool) -> ExitCode {
    let mut out = String::new();
    match id {
        None => {
            if as_json {
                let list: Vec<_> = registry::all()
                    .iter()
                    .map(|r| json!({"id": r.meta.id, "severity": r.meta.severity, "category": r.meta.category, "fix_kind": r.meta.fix_kind, "summary": r.meta.summary}))
                    .collect();
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                );
            } else {
                let width = registry::all()
                    .iter()
                    .map(|r| r.meta.id.len())
                    .max()
                    .unwrap_or(0);
                for r in registry::all() {
                    let _ = writeln!(
                        out,
                        "{:<width$}  {:<7}  {:<13}  {}",
                        r.meta.id,
                        r.meta.severity.as_str(),
                        r.meta.category.as_str(),
                        r.meta.summary
                    );
                }
            }
        }
        Some(id) => {
            let Some(rule) = registry::find(id) else {
                eprintln!(
                    "flightcheck: error: unknown rule `{id}` (run `flightcheck rule` for the list)"
                );
                return ExitCode::from(2);
            };
            let m = rule.meta;
            if as_json {
                let doc = json!({"id": m.id, "severity": m.severity, "category": m.category, "fix_kind": m.fix_kind, "summary": m.summary, "docs": m.docs});
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&doc).unwrap_or_default()
                );
            } else {
                let _ = writeln!(out, "# {}\n", m.id);
                let _ = writeln!(out, "{}\n", m.summary);
                let _ = writeln!(
                    out,
                    "severity: {} · category: {} · fix: {}\n",
                    m.severity,
                    m.category,
                    m.fix_kind.as_str()
                );
                out.push_str(m.docs);
            }
        }
    }
    // A closed pipe (`| head`) is the reader's choice, not an error.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush());
    ExitCode::SUCCESS
}
