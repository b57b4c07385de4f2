//! `config/permissive-permissions`: env files with real secrets, or SQLite databases, that
//! every user of the machine can read.

use crate::context::ProjectContext;
use crate::registry::Rule;
use crate::secret_values::{deployable, holds_secret, is_reference, weakness};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};

pub static META: RuleMeta = RuleMeta {
    id: "config/permissive-permissions",
    severity: Severity::Medium,
    category: Category::Security,
    fix_kind: FixKind::Ops,
    summary: "Env files with secrets or SQLite databases are readable by every user of the machine",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 5,
    docs: r#"## What it does
Reads the permission bits of files on the scanned file system (Unix only; elsewhere the
rule is silent):
- env files that will be deployed (production files and plain `.env`, including ones a
  `.gitignore` hides; not env files of tests and examples) holding at least one non-empty
  secret value that is not a placeholder, a reference (`${X}`) or a dotenvx-encrypted value
  (`encrypted:…`), when "others" may read them (`0644`, `0604`…);
- SQLite databases that git does not track (data the service wrote on this machine) when
  others may read them; the message adds when their directory is open too.

Templates (`.env.example`), development env files and group permissions (`0640`) are not
reported. A git checkout gets `0644` from the default umask, and a deploy that copies the
checkout keeps that mode: the message says so.

## Why it breaks production
On a shared host, any other account or compromised service (a web server user, a CI
runner, a co-hosted app) can read the bot token, the database password and the users'
data. Secrets then leak without any bug in the service.

## Flagged
```text
-rw-r--r--  .env           BOT_TOKEN=8123…(46)
-rw-r--r--  data/bot.sqlite
```

## Not flagged
```text
-rw-------  .env
-rw-r-----  .env           (group only)
-rw-r--r--  .env.example   (a template)
```

## Fix
`chmod 600 .env data/*.sqlite` (and `chmod 700` their directory), owned by the service's
user; create them with a restrictive umask (`umask 077`) in the deploy script, or let the
platform inject secrets as environment variables instead of files.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn applies(ctx: &ProjectContext) -> bool {
    ctx.env_files.iter().any(|e| e.mode.is_some())
        || ctx
            .ws
            .data_files
            .iter()
            .any(|d| d.project == ctx.index && d.mode.is_some())
}

/// `0644` → "0644 (rw-r--r--)".
fn describe(mode: u32) -> String {
    let bits = |m: u32| {
        format!(
            "{}{}{}",
            if m & 4 != 0 { 'r' } else { '-' },
            if m & 2 != 0 { 'w' } else { '-' },
            if m & 1 != 0 { 'x' } else { '-' }
        )
    };
    format!(
        "{mode:04o} ({}{}{})",
        bits(mode >> 6),
        bits(mode >> 3),
        bits(mode)
    )
}

fn others_read(mode: u32) -> bool {
    mode & 0o004 != 0
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for env in &ctx.env_files {
        let Some(mode) = env.mode else { continue };
        if !deployable(env) || !others_read(mode) {
            continue;
        }
        let secrets: Vec<_> = env
            .parsed
            .entries
            .iter()
            .filter(|e| {
                let v = e.value.trim();
                holds_secret(&e.key) && !v.is_empty() && !is_reference(v) && weakness(v).is_none()
            })
            .collect();
        let Some(first) = secrets.first() else {
            continue;
        };
        let keys: Vec<&str> = secrets.iter().map(|e| e.key.as_str()).collect();
        let tracked = if env.tracked == Some(true) {
            "; it is also tracked by git (see security/env-file-committed)"
        } else {
            ""
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "`{}` holds {} secret value{} ({}) and every user of this machine can read it: mode {}. A checkout gets this mode from the default umask, and a deploy that copies it as is keeps it{tracked}",
                env.rel,
                keys.len(),
                if keys.len() == 1 { "" } else { "s" },
                keys.iter().take(5).copied().collect::<Vec<_>>().join(", "),
                describe(mode)
            ),
        )
        .at(&env.rel, Span::line(first.line))
        .key(format!("env-mode:{}", env.rel));
        for e in secrets.iter().take(5) {
            finding = finding.evidence(Evidence::at(
                &env.rel,
                e.line,
                format!("{}=…", e.key),
                "a secret value (not shown)",
            ));
        }
        out.push(
            finding
                .evidence(Evidence::searched(format!(
                    "{}: mode {}",
                    env.rel,
                    describe(mode)
                )))
                .impact("Any other account or service on the host can read the secrets.")
                .fix(format!(
                    "chmod 600 {} (owned by the service's user), and create it with `umask 077` in the deploy.",
                    env.rel
                ))
                .verify(format!("stat -c %a {}   # expect 600", flightcheck_core::text::shell_quote(&env.rel))),
        );
    }
    for data in ctx.ws.data_files.iter().filter(|d| d.project == ctx.index) {
        let Some(mode) = data.mode else { continue };
        // A database committed to git is in every clone; its mode is beside the point.
        if data.tracked == Some(true) || !others_read(mode) {
            continue;
        }
        let dir = data.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
        let dir_note = match data.dir_mode {
            Some(m) if others_read(m) && m & 0o001 != 0 => {
                format!("; its directory `{dir}` is open too ({})", describe(m))
            }
            _ => String::new(),
        };
        out.push(
            Finding::new(
                &META,
                format!(
                    "The SQLite database `{}` is readable by every user of this machine: mode {}{dir_note}",
                    data.rel,
                    describe(mode)
                ),
            )
            .at(&data.rel, Span::line(1))
            .key(format!("db-mode:{}", data.rel))
            .evidence(Evidence::searched(format!(
                "{}: SQLite header, mode {}, not tracked by git",
                data.rel,
                describe(mode)
            )))
            .impact("Any other account or service on the host can copy the users' data.")
            .fix(format!(
                "chmod 600 {} and chmod 700 {dir} (owned by the service's user).",
                data.rel
            ))
            .verify(format!("stat -c %a {}   # expect 600", flightcheck_core::text::shell_quote(&data.rel))),
        );
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use crate::{ScanOptions, scan};
    use std::os::unix::fs::PermissionsExt;

    fn write(root: &std::path::Path, rel: &str, body: &[u8], mode: u32) {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, body).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    fn findings(root: &std::path::Path) -> Vec<(String, String)> {
        let report = scan(&ScanOptions {
            root: root.to_path_buf(),
            jobs: 1,
            select: vec!["config/permissive-permissions".into()],
            ..Default::default()
        })
        .expect("scan");
        report
            .all_findings()
            .map(|(_, f)| (f.file.clone().unwrap_or_default(), f.message.clone()))
            .collect()
    }

    #[test]
    fn modes_decide_on_a_real_file_system() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let token = "8123456789:AAFq3lXk9Vb2Zr7YtW4mNp0sQe6Ud1Hc5Jx";
        write(
            root,
            "package.json",
            br#"{"name":"bot","main":"index.js"}"#,
            0o644,
        );
        write(
            root,
            "index.js",
            b"console.log(process.env.BOT_TOKEN);\n",
            0o644,
        );
        // Gitignored, yet it is this machine's configuration.
        write(root, ".gitignore", b".env\ndata/\n", 0o644);
        write(
            root,
            ".env",
            format!("BOT_TOKEN={token}\n").as_bytes(),
            0o644,
        );
        write(
            root,
            ".env.example",
            b"BOT_TOKEN=8123456789:AAFq3lXk9Vb2Zr7YtW4mNp0sQe6Ud1Hc5Jx\n",
            0o644,
        );
        write(
            root,
            "prod.env",
            format!("BOT_TOKEN={token}\n").as_bytes(),
            0o640,
        );
        write(
            root,
            ".env.production",
            b"BOT_TOKEN=your_token_here\n",
            0o644,
        );
        let mut db = b"SQLite format 3\0".to_vec();
        db.extend_from_slice(&[0u8; 84]);
        write(root, "data/bot.sqlite", &db, 0o644);
        write(root, "data/private.sqlite", &db, 0o600);
        write(root, "data/notes.db", b"not a database", 0o644);
        let got = findings(root);
        let files: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(files, vec![".env", "data/bot.sqlite"], "{got:?}");
        assert!(got[0].1.contains("0644 (rw-r--r--)"), "{}", got[0].1);
        assert!(
            !got.iter().any(|(_, m)| m.contains("AAFq3")),
            "secret leaked"
        );
        // Tightened: nothing to report.
        for rel in [".env", "data/bot.sqlite"] {
            std::fs::set_permissions(root.join(rel), std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
        assert!(findings(root).is_empty());
    }
}
