//! `security/firebase-rules-open`: committed Firebase security rules that let anyone read or
//! write every document.

use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::rules::security::hardcoded_secret::is_non_production_path;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "security/firebase-rules-open",
    severity: Severity::Blocker,
    category: Category::Security,
    fix_kind: FixKind::Config,
    summary: "Firebase security rules open every document to anyone",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 30,
    docs: r#"## What it does
Reads the Firebase security rules the repository commits (`firestore.rules`,
`storage.rules`, and the Realtime Database's `database.rules.json`) and reports a rule that
opens the whole database to every caller:
- Firestore / Storage: an `allow` with no condition, or `if true`, inside a recursive
  wildcard match (`match /{document=**}`, `match /{allPaths=**}`): Firebase's "test mode";
- Realtime Database: `".read": true` or `".write": true` at the root of `rules`.

Blocker when the open rule allows writes (`write`, `create`, `update`, `delete`); high when
it allows reads only. One level lower when nothing in the repository deploys the file (no
`firebase.json` names it): the console may hold other rules. Rules that open one collection
(`match /public/{id} { allow read: if true; }`) are a choice, not reported; test-mode rules
that expire (`if request.time < timestamp.date(2025, 1, 1)`) are not reported either. Files
in tests, fixtures, docs and examples are skipped.

## Why it breaks production
The client SDK talks to the database directly with the project's public config, which
every web page and app ships. With these rules anyone can dump every user's data, change
balances and roles, or delete the database, without going through the service.

## Flagged
```text
rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow read, write: if true;
    }
  }
}
```

## Not flagged
```text
match /users/{uid} {
  allow read, write: if request.auth != null && request.auth.uid == uid;
}
```

## Fix
Write rules per collection that check `request.auth` (the user's own documents, an admin
claim), deny everything else by default, and deploy them with `firebase deploy --only
firestore:rules`.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

/// The rules files Firebase deploys by these names (`firebase.json` points at them).
fn rules_file(rel: &str) -> Option<RulesKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    match name.as_str() {
        "firestore.rules" | "storage.rules" => Some(RulesKind::Language),
        "database.rules.json" => Some(RulesKind::RealtimeJson),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum RulesKind {
    /// The Firebase rules language of Firestore and Cloud Storage.
    Language,
    /// The Realtime Database's JSON rules.
    RealtimeJson,
}

fn candidates<'a>(ctx: &'a ProjectContext<'a>) -> impl Iterator<Item = (usize, RulesKind)> + 'a {
    ctx.ws.project_files(ctx.index).filter_map(|i| {
        let rel = &ctx.ws.files[i].rel;
        (!is_non_production_path(rel))
            .then(|| rules_file(rel).map(|k| (i, k)))
            .flatten()
    })
}

fn applies(ctx: &ProjectContext) -> bool {
    candidates(ctx).next().is_some()
}

/// An open rule: its line, the operations it allows, and the match it sits in.
struct Open {
    line: u32,
    ops: String,
    scope: String,
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, kind) in candidates(ctx) {
        let file = &ctx.ws.files[i];
        let Ok(bytes) =
            flightcheck_core::read::read_bytes(&file.abs, None, flightcheck_core::read::cap::TEXT)
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let opens = match kind {
            RulesKind::Language => open_rules(&text),
            RulesKind::RealtimeJson => open_realtime_root(&text),
        };
        let deployed = deployed_by_firebase_json(ctx, &file.rel);
        for open in opens {
            let writes = ["write", "create", "update", "delete", ".write"]
                .iter()
                .any(|w| open.ops.split([',', ' ']).any(|o| o.trim() == *w));
            let mut severity = if writes {
                Severity::Blocker
            } else {
                Severity::High
            };
            let mut finding = Finding::new(
                &META,
                format!(
                    "`{}` lets anyone {} every document (`{}` in `{}`)",
                    file.rel,
                    if writes { "read and change" } else { "read" },
                    open.ops,
                    open.scope
                ),
            )
            .at(&file.rel, Span::line(open.line))
            .key(format!("{}:{}", open.scope, open.ops))
            .evidence(Evidence::at(
                &file.rel,
                open.line,
                text.lines()
                    .nth(open.line as usize - 1)
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                "no condition on who the caller is, under a match of every path",
            ));
            if !deployed {
                severity = if writes {
                    Severity::High
                } else {
                    Severity::Medium
                };
                finding = finding.evidence(Evidence::searched(format!(
                    "{}, one level lower: no firebase.json in the repository deploys `{}`; the rules in the Firebase console may differ",
                    severity.as_str(),
                    file.rel
                )));
            }
            out.push(
                finding
                    .severity(severity)
                    .impact("Anyone with the app's public Firebase config can dump every user's data and, when writes are open, change or delete it, without going through the service.")
                    .fix("Replace the catch-all rule with per-collection rules that check `request.auth` and deny everything else; deploy them.")
                    .verify("In the Rules Playground (or the emulator), an unauthenticated read and write of another user's document are denied."),
            );
        }
    }
    out
}

/// Whether a `firebase.json` of the repository names the rules file (`"rules":
/// "firestore.rules"`), so `firebase deploy` ships it.
fn deployed_by_firebase_json(ctx: &ProjectContext, rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    ctx.ws.files.iter().any(|f| {
        f.rel.rsplit('/').next() == Some("firebase.json")
            && flightcheck_core::read::read_bytes(&f.abs, None, flightcheck_core::read::cap::TEXT)
                .is_ok_and(|b| String::from_utf8_lossy(&b).contains(name))
    })
}

/// Open `allow` statements inside a recursive wildcard `match` of the rules language.
fn open_rules(text: &str) -> Vec<Open> {
    let mut out = Vec::new();
    // The stack of matches around the current line, with the brace depth each opened at.
    let mut matches: Vec<(String, i32)> = Vec::new();
    let mut depth = 0i32;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if let Some(rest) = line.strip_prefix("match ") {
            let path = rest.split('{').next().unwrap_or(rest).trim();
            // `match /{document=**} {`: the path holds the `{…}` itself, so take up to the
            // brace that opens the block.
            let path = rest
                .rfind('{')
                .map(|b| rest[..b].trim())
                .filter(|p| !p.is_empty())
                .unwrap_or(path);
            matches.push((path.to_string(), depth));
        }
        if let Some(rest) = line.strip_prefix("allow ")
            && matches.iter().any(|(p, _)| p.contains("=**}"))
        {
            let (ops, condition) = match rest.split_once(':') {
                Some((ops, cond)) => (ops.trim(), Some(cond.trim().trim_end_matches(';').trim())),
                None => (rest.trim_end_matches(';').trim(), None),
            };
            let open = match condition {
                None => true,
                Some(c) => c == "if true" || c == "if true == true",
            };
            if open {
                let scope = matches
                    .iter()
                    .rev()
                    .find(|(p, _)| p.contains("=**}"))
                    .map(|(p, _)| p.clone())
                    .unwrap_or_default();
                out.push(Open {
                    line: n as u32 + 1,
                    ops: ops.to_string(),
                    scope: format!("match {scope}"),
                });
            }
        }
        // Braces inside the path (`{document=**}`) open and close on the same line.
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        while matches.last().is_some_and(|(_, d)| depth <= *d) {
            matches.pop();
        }
    }
    out
}

/// `".read": true` / `".write": true` directly under `rules` of `database.rules.json`.
fn open_realtime_root(text: &str) -> Vec<Open> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(rules) = doc.get("rules").and_then(serde_json::Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in [".read", ".write"] {
        let open = match rules.get(key) {
            Some(serde_json::Value::Bool(true)) => true,
            Some(serde_json::Value::String(s)) => s.trim() == "true",
            _ => false,
        };
        if open {
            let line = text
                .lines()
                .position(|l| l.contains(&format!("\"{key}\"")))
                .map_or(1, |p| p as u32 + 1);
            out.push(Open {
                line,
                ops: key.to_string(),
                scope: "rules (root)".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_all_rules_are_open_and_scoped_ones_are_not() {
        let test_mode = "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n    match /{document=**} {\n      allow read, write: if true;\n    }\n  }\n}\n";
        let open = open_rules(test_mode);
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].line, 5);
        assert_eq!(open[0].ops, "read, write");
        let scoped = "service cloud.firestore {\n  match /databases/{database}/documents {\n    match /public/{id} {\n      allow read: if true;\n    }\n    match /users/{uid} {\n      allow read, write: if request.auth.uid == uid;\n    }\n  }\n}\n";
        assert!(open_rules(scoped).is_empty());
        let expiring = "service cloud.firestore {\n  match /databases/{database}/documents {\n    match /{document=**} {\n      allow read, write: if request.time < timestamp.date(2025, 1, 1);\n    }\n  }\n}\n";
        assert!(open_rules(expiring).is_empty());
    }

    #[test]
    fn realtime_root_rules() {
        let open = open_realtime_root(
            "{\n  \"rules\": {\n    \".read\": true,\n    \".write\": \"auth != null\"\n  }\n}\n",
        );
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].ops, ".read");
        assert_eq!(open[0].line, 3);
    }
}
