//! Data kept in local files: SQLite drivers and engines, file-backed stores, JSON files
//! the program writes.

use super::Walker;
use super::common::{fstring_text, kw, last_seg, short, str_lit};
use flightcheck_core::wiring::{DataStore, DataStoreKind, is_data_path, sqlite_url_path};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

impl<'a> Walker<'_, '_, 'a> {
    fn push_data(&mut self, kind: DataStoreKind, via: String, path: Option<String>, r: TextRange) {
        let span = self.span(r);
        let owner = self.owner.clone();
        self.out.data_stores.push(DataStore {
            kind,
            via,
            path,
            span,
            owner,
        });
    }

    /// Data kept in local files: SQLite drivers and engines, file-backed stores, JSON files
    /// opened for writing.
    pub(super) fn data_store(&mut self, call: &'a ast::ExprCall) {
        let func = &*call.func;
        let Some(name) = last_seg(func) else { return };
        let args = &call.arguments.args;
        let first = args.first();
        let kind_and_path: Option<(DataStoreKind, Option<String>, bool)> =
            match name {
                "connect"
                | "SqliteDatabase"
                | "SqliteExtDatabase"
                | "SqliteQueueDatabase"
                | "SqliteDict" => {
                    let q = self.qualify(func).unwrap_or_default();
                    let is_sqlite = name != "connect"
                        || matches!(
                            q.as_str(),
                            "sqlite3.connect" | "aiosqlite.connect" | "sqlite3.dbapi2.connect"
                        );
                    let path = first.and_then(|e| path_literal(e, &self.path_consts));
                    (is_sqlite && !path.as_deref().is_some_and(|p| p.contains(":memory:")))
                        .then_some((DataStoreKind::Sqlite, path, true))
                }
                "create_engine" | "create_async_engine" => first
                    .and_then(|e| path_literal(e, &self.path_consts))
                    .and_then(|url| sqlite_url_path(&url))
                    .map(|p| (DataStoreKind::Sqlite, Some(p), true)),
                "TinyDB" => Some((
                    DataStoreKind::FileStore,
                    first.and_then(|e| path_literal(e, &self.path_consts)),
                    true,
                )),
                "open" | "load" => {
                    let q = self.qualify(func).unwrap_or_default();
                    match q.as_str() {
                        "shelve.open" | "pickledb.load" => Some((
                            DataStoreKind::FileStore,
                            first.and_then(|e| path_literal(e, &self.path_consts)),
                            true,
                        )),
                        "open" | "aiofiles.open" | "io.open" | "codecs.open" => {
                            let mode = args
                                .get(1)
                                .or(kw(call, "mode"))
                                .and_then(str_lit)
                                .unwrap_or_default();
                            let path = first
                                .and_then(|e| path_literal(e, &self.path_consts))
                                .filter(|p| is_json_data(p));
                            (mode.contains(['w', 'a', '+']) && path.is_some()).then_some((
                                DataStoreKind::JsonFile,
                                path,
                                false,
                            ))
                        }
                        _ => None,
                    }
                }
                "PicklePersistence" => Some((
                    DataStoreKind::FileStore,
                    kw(call, "filepath")
                        .or(kw(call, "filename"))
                        .or(first)
                        .and_then(|e| path_literal(e, &self.path_consts)),
                    false,
                )),
                // `Path("users.json").write_text(json.dumps(users))`
                "write_text" => match func {
                    Expr::Attribute(a) => path_literal(&a.value, &self.path_consts)
                        .filter(|p| is_json_data(p))
                        .map(|p| (DataStoreKind::JsonFile, Some(p), false)),
                    _ => None,
                },
                _ => None,
            };
        let Some((kind, path, marks_first)) = kind_and_path else {
            return;
        };
        if marks_first && let Some(e) = first {
            self.data_literals.insert(e.range().start().to_u32());
        }
        let via = short(self.text(call.range()));
        self.push_data(kind, via, path, call.range());
    }

    /// `sqlite:///bot.db` in code (an engine URL, a settings default) and Django's sqlite3
    /// backend.
    pub(super) fn sqlite_literal(&mut self, text: &str, r: TextRange) {
        let start = r.start().to_u32();
        if self.not_sql.contains(&start) || self.data_literals.contains(&start) {
            return;
        }
        if text == "django.db.backends.sqlite3" {
            self.push_data(
                DataStoreKind::SqliteUrl,
                "Django `ENGINE: django.db.backends.sqlite3`".into(),
                None,
                r,
            );
        } else if let Some(path) = sqlite_url_path(text) {
            self.push_data(
                DataStoreKind::SqliteUrl,
                format!("`{}`", short(text)),
                Some(path),
                r,
            );
        }
    }
}

/// The path literal an expression names: a string, a module-level constant, the last
/// literal part of `os.path.join(...)`, `Path(...)`, `BASE / "data" / "bot.db"`.
pub(super) fn path_literal(e: &Expr, consts: &HashMap<String, String>) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::FString(f) => {
            let t = fstring_text(f);
            let tail = t
                .rsplit("$0")
                .next()
                .unwrap_or(&t)
                .trim_start_matches(['/', '\\']);
            (!tail.is_empty()).then(|| tail.to_string())
        }
        Expr::Name(n) => consts.get(n.id.as_str()).cloned(),
        Expr::Call(c) => {
            let name = last_seg(&c.func)?;
            if matches!(
                name,
                "join" | "Path" | "PurePath" | "joinpath" | "str" | "abspath" | "resolve"
            ) {
                c.arguments
                    .args
                    .last()
                    .and_then(|a| path_literal(a, consts))
            } else {
                None
            }
        }
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Div | ast::Operator::Add) => {
            path_literal(&b.right, consts)
        }
        _ => None,
    }
}

/// A `.json` file that holds data (not configuration, cache, logs or test output).
fn is_json_data(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json") && is_data_path(path)
}
