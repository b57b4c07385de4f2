//! Backups as the repository shows them: scripts, CI jobs, compose services, crontabs,
//! package.json scripts and docs that dump or copy a database (`pg_dump`, `mysqldump`,
//! `mongodump`, `sqlite3 … .backup`, litestream, restic, borg, rclone…), and files named
//! for backups. Also the Prisma schemas whose datasource is SQLite (data in a local file).

use crate::walk::{FileKind, MAX_SOURCE_BYTES};
use crate::workspace::{Workspace, in_fixture_dir, read_text};

/// Something in the repository that backs data up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEvidence {
    pub file: String,
    /// 1-based; the file itself for files named for backups.
    pub line: u32,
    /// What was found: `pg_dump`, `a file named for backups`, `compose service `backup``.
    pub what: String,
}

/// A schema that keeps the data in a local SQLite file (Prisma `provider = "sqlite"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteSchema {
    pub file: String,
    pub line: u32,
}

/// Commands and tools that back data up.
const TOOLS: [&str; 20] = [
    "pg_dump",
    "pg_dumpall",
    "pg_basebackup",
    "pgbackrest",
    "wal-g",
    "barman",
    "mysqldump",
    "mariadb-dump",
    "mariabackup",
    "xtrabackup",
    "mongodump",
    "litestream",
    "restic",
    "borg",
    "rclone",
    "duplicity",
    "kopia",
    "velero",
    "rsnapshot",
    "redis-cli --rdb",
];

/// The backup tool a line uses, if any (`sqlite3 bot.db ".backup …"` and `VACUUM INTO`
/// included).
pub fn backup_tool_in(line: &str) -> Option<&'static str> {
    let lower = line.to_ascii_lowercase();
    let word_at = |i: usize, len: usize| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + len..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        boundary(before) && boundary(after)
    };
    for tool in TOOLS {
        let mut from = 0;
        while let Some(off) = lower[from..].find(tool) {
            let i = from + off;
            if word_at(i, tool.len()) {
                return Some(tool);
            }
            from = i + tool.len();
        }
    }
    if lower.contains("sqlite3") && (lower.contains(".backup") || lower.contains(".dump")) {
        return Some("sqlite3 .backup");
    }
    if lower.contains("vacuum into") {
        return Some("VACUUM INTO");
    }
    None
}

/// A path named for backups (`scripts/backup.sh`, `backups/`, `db_backup.py`).
fn named_for_backup(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.contains("backup") || lower.contains("litestream")
}

pub(crate) fn fill(ws: &mut Workspace) {
    let mut notes = Vec::new();
    let mut evidence = Vec::new();
    let mut schemas = Vec::new();
    for f in &ws.files {
        if in_fixture_dir(&f.rel) || f.size > MAX_SOURCE_BYTES {
            continue;
        }
        if named_for_backup(&f.rel) && f.kind != FileKind::Other {
            evidence.push(BackupEvidence {
                file: f.rel.clone(),
                line: 1,
                what: "a file named for backups".into(),
            });
        }
        let scan = matches!(
            f.kind,
            FileKind::Script | FileKind::Ci | FileKind::Deploy | FileKind::Doc | FileKind::Manifest
        );
        let prisma = f.kind == FileKind::Schema && f.rel.ends_with(".prisma");
        if !scan && !prisma {
            continue;
        }
        let Some(text) = read_text(&f.abs, &f.rel, &mut notes) else {
            continue;
        };
        if prisma {
            if let Some(line) = prisma_sqlite(&text) {
                schemas.push(SqliteSchema {
                    file: f.rel.clone(),
                    line,
                });
            }
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if let Some(tool) = backup_tool_in(line) {
                evidence.push(BackupEvidence {
                    file: f.rel.clone(),
                    line: n as u32 + 1,
                    what: format!("`{tool}`"),
                });
                break;
            }
        }
    }
    // Compose services that back up (`prodrigestivill/postgres-backup-local`, litestream).
    for s in ws
        .services
        .iter()
        .filter(|s| s.kind == crate::services::ServiceKind::Compose)
    {
        let image = s.image.as_deref().unwrap_or("").to_ascii_lowercase();
        let name = s.name.to_ascii_lowercase();
        let command = s.command.as_deref().unwrap_or("");
        let tool = backup_tool_in(command).or_else(|| backup_tool_in(&image));
        if image.contains("backup") || name.contains("backup") || tool.is_some() {
            evidence.push(BackupEvidence {
                file: s.file.clone(),
                line: s.line,
                what: format!("compose service `{}`", s.name),
            });
        }
    }
    ws.backups = evidence;
    ws.sqlite_schemas = schemas;
    ws.notes.extend(notes);
}

/// The line of `provider = "sqlite"` in a Prisma `datasource` block.
fn prisma_sqlite(text: &str) -> Option<u32> {
    let mut in_datasource = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("datasource ") {
            in_datasource = true;
        } else if t.starts_with('}') {
            in_datasource = false;
        } else if in_datasource
            && let Some(v) = t.strip_prefix("provider")
            && v.trim_start().starts_with('=')
            && v.contains("\"sqlite\"")
        {
            return Some(n as u32 + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_by_word() {
        for yes in [
            "pg_dump -Fc $DATABASE_URL > dump.sql",
            "docker compose exec db pg_dumpall -U postgres",
            "litestream replicate",
            "sqlite3 data/bot.db \".backup 'backup.db'\"",
            "restic backup /data",
            "0 3 * * * mongodump --out /backups",
            "rclone copy ./data remote:bot",
        ] {
            assert!(backup_tool_in(yes).is_some(), "{yes}");
        }
        for no in [
            "borgward cars",
            "pip install pg_dumper_tools",
            "npm run build",
            "sqlite3 bot.db < schema.sql",
        ] {
            assert!(backup_tool_in(no).is_none(), "{no}");
        }
    }

    #[test]
    fn prisma_datasources() {
        let s = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n";
        assert_eq!(prisma_sqlite(s), Some(6));
        assert_eq!(
            prisma_sqlite("datasource db {\n  provider = \"postgresql\"\n}\n"),
            None
        );
    }
}
