//! Start scripts that migrate and then start the app: whether a failed migration stops
//! them. Shell scripts a deploy definition runs (`ENTRYPOINT ["./entrypoint.sh"]`,
//! `command: sh start.sh`) and `sh -c "…"` one-liners of deploy definitions.

use crate::commands::logical_lines;
use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{Workspace, read_text};

/// A migration whose failure does not stop the start command that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnguardedMigration {
    /// The script, or the deploy file of a one-liner.
    pub file: String,
    pub line: u32,
    /// The migration command as written.
    pub migration: String,
    /// The later command that starts the app, with its line.
    pub start_line: u32,
    pub start: String,
    /// What launches the script (`Dockerfile ENTRYPOINT`), for the evidence.
    pub launched_by: String,
}

/// Commands of a script, one per entry, with their lines: logical lines split at `;`
/// outside quotes.
fn commands(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (line, logical) in logical_lines(text, true) {
        let mut current = String::new();
        let mut quote: Option<char> = None;
        for c in logical.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => {
                    quote = None;
                    current.push(c);
                }
                (None, '"' | '\'') => {
                    quote = Some(c);
                    current.push(c);
                }
                (None, ';') => {
                    out.push((line, std::mem::take(&mut current)));
                }
                _ => current.push(c),
            }
        }
        out.push((line, current));
    }
    out.retain(|(_, c)| !c.trim().is_empty());
    out
}

/// `set -e`, `set -euo pipefail`, `set -o errexit`.
fn sets_errexit(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.first() == Some(&"set")
        && words.iter().skip(1).any(|w| {
            (w.starts_with('-') && !w.starts_with("--") && w.contains('e')) || *w == "errexit"
        })
}

/// The command keeps running as the app (`exec node server.js`, `gunicorn app:app`).
fn starts_app(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    let words = match words.first() {
        Some(&"exec") => &words[1..],
        _ => &words[..],
    };
    let Some(first) = words.first() else {
        return false;
    };
    let program = first.rsplit('/').next().unwrap_or(first);
    let second = words.get(1).copied().unwrap_or("");
    match program {
        "node" | "gunicorn" | "uvicorn" | "hypercorn" | "daphne" | "bun" | "deno" | "java" => true,
        "python" | "python3" => {
            second.ends_with(".py") && !second.contains("manage.py")
                || (second == "-m" && !matches!(words.get(2), Some(&"alembic" | &"pip")))
                || (second.ends_with("manage.py") && matches!(words.get(2), Some(&"runserver")))
        }
        "npm" | "yarn" | "pnpm" => {
            matches!(second, "start" | "run") && !words.iter().any(|w| w.contains("migrat"))
        }
        _ => false,
    }
}

/// A migration whose failure is handled on its own line (`&&`, `||`, `if`, a retry loop).
fn guarded(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    command.contains("&&")
        || command.contains("||")
        || words
            .iter()
            .any(|w| matches!(*w, "if" | "until" | "while" | "!"))
}

/// The first unguarded migration followed by an app start, in a script without errexit.
fn analyse(text: &str, shebang_errexit: bool) -> Option<(u32, String, u32, String)> {
    let mut errexit = shebang_errexit;
    let mut pending: Option<(u32, String)> = None;
    for (line, command) in commands(text) {
        let command = command.trim();
        if sets_errexit(command) {
            errexit = true;
            continue;
        }
        if errexit {
            continue;
        }
        if pending.is_none() && crate::migrations::migration_in(command).is_some() {
            if !guarded(command) {
                pending = Some((line, command.to_string()));
            }
            continue;
        }
        if let Some((m_line, migration)) = &pending
            && starts_app(command)
        {
            return Some((*m_line, migration.clone(), line, command.to_string()));
        }
    }
    None
}

fn shebang_errexit(text: &str) -> bool {
    text.lines().next().is_some_and(|l| {
        l.starts_with("#!")
            && l.split_whitespace()
                .skip(1)
                .any(|w| w.starts_with('-') && w.contains('e'))
    })
}

/// `sh -c "a; b"` → `a; b`.
fn inline_script(command: &str) -> Option<&str> {
    let trimmed = command.trim_start();
    let rest = ["sh -c ", "bash -c ", "/bin/sh -c ", "/bin/bash -c "]
        .iter()
        .find_map(|p| trimmed.strip_prefix(p))?;
    Some(rest.trim().trim_matches(['"', '\'']))
}

pub(crate) fn fill(ws: &mut Workspace) {
    let mut notes = Vec::new();
    let mut out = Vec::new();
    // What deploy definitions run: launch declarations and compose/systemd commands.
    let mut launchers: Vec<(String, String, u32, String)> = ws
        .launches
        .iter()
        .map(|l| (l.command.clone(), l.file.clone(), l.line, l.source.clone()))
        .collect();
    launchers.extend(ws.services.iter().filter_map(|s| {
        s.command.clone().map(|c| {
            (
                c,
                s.file.clone(),
                s.line,
                format!("{} `{}`", s.kind.as_str(), s.name),
            )
        })
    }));
    launchers.sort();
    launchers.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    // One-liners: `sh -c "alembic upgrade head; python bot.py"`.
    for (command, file, line, source) in &launchers {
        let Some(script) = inline_script(command) else {
            continue;
        };
        if let Some((_, migration, _, start)) = analyse(script, false) {
            out.push(UnguardedMigration {
                file: file.clone(),
                line: *line,
                migration,
                start_line: *line,
                start,
                launched_by: source.clone(),
            });
        }
    }
    for f in &ws.files {
        if f.kind != FileKind::Script || f.size > MAX_SOURCE_BYTES {
            continue;
        }
        let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
        // `entrypoint.sh`, `docker-entrypoint`: shell scripts, not Makefiles or crontabs.
        let shell = name.ends_with(".sh") || !name.contains('.');
        if !shell || name.eq_ignore_ascii_case("makefile") {
            continue;
        }
        let Some((_, by_file, by_line, by_source)) = launchers.iter().find(|(c, ..)| {
            c.split(|ch: char| ch.is_whitespace() || matches!(ch, '"' | '\'' | ',' | '[' | ']'))
                .any(|w| w.rsplit('/').next() == Some(name))
        }) else {
            continue;
        };
        let launched_by = format!("{by_source} ({by_file}:{by_line})");
        let Some(text) = read_text(&f.abs, &f.rel, &mut notes) else {
            continue;
        };
        if let Some((line, migration, start_line, start)) = analyse(&text, shebang_errexit(&text)) {
            out.push(UnguardedMigration {
                file: f.rel.clone(),
                line,
                migration,
                start_line,
                start,
                launched_by,
            });
        }
    }
    ws.unguarded_migrations = out;
    ws.notes.extend(notes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unguarded_then_start() {
        let s = "#!/bin/sh\necho migrating\nalembic upgrade head\nexec python bot.py\n";
        let (line, m, start_line, start) = analyse(s, shebang_errexit(s)).expect("found");
        assert_eq!(
            (line, m.as_str(), start_line, start.as_str()),
            (3, "alembic upgrade head", 4, "exec python bot.py")
        );
    }

    #[test]
    fn errexit_and_guards() {
        assert!(
            analyse(
                "set -euo pipefail\nnpx prisma migrate deploy\nnode dist/main.js\n",
                false
            )
            .is_none()
        );
        let s = "#!/bin/bash -e\npython manage.py migrate\ngunicorn app.wsgi\n";
        assert!(analyse(s, shebang_errexit(s)).is_none());
        assert!(analyse("alembic upgrade head && exec python bot.py\n", false).is_none());
        assert!(
            analyse(
                "until alembic upgrade head; do sleep 2; done\npython bot.py\n",
                false
            )
            .is_none()
        );
        assert!(analyse("alembic upgrade head\necho done\n", false).is_none());
        assert!(
            analyse(
                "python manage.py migrate; python manage.py runserver 0.0.0.0:8000",
                false
            )
            .is_some()
        );
    }

    #[test]
    fn one_liners() {
        assert_eq!(
            inline_script("sh -c \"alembic upgrade head; python bot.py\""),
            Some("alembic upgrade head; python bot.py")
        );
    }
}
