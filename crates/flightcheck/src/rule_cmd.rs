//! `flightcheck rule [ID]`.

use flightcheck_rules::registry;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(id: Option<&str>, as_json: bool) -> ExitCode {
    let mut out = String::new();
    // `rule config/` (or `rule config`) lists a category, as `--select config/` selects it.
    let listed: Option<Vec<&registry::Rule>> = match id {
        None => Some(registry::all().to_vec()),
        Some(id) if registry::find(id).is_none() => {
            let rules: Vec<&registry::Rule> = registry::all()
                .iter()
                .filter(|r| r.meta.matches(id))
                .copied()
                .collect();
            (!rules.is_empty()).then_some(rules)
        }
        Some(_) => None,
    };
    match listed {
        Some(rules) => {
            if as_json {
                let list: Vec<_> = rules
                    .iter()
                    .map(|r| json!({"id": r.meta.id, "severity": r.meta.severity, "category": r.meta.category, "fix_kind": r.meta.fix_kind, "summary": r.meta.summary}))
                    .collect();
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                );
            } else {
                let width = rules.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
                for r in &rules {
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
        None => {
            let id = id.unwrap_or_default();
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
