//! Data kept in local files: SQLite drivers and ORMs configured for SQLite, file-backed
//! stores (lowdb, nedb, node-json-db, quick.db, enmap, keyv), JSON files the program writes.

use super::{WiringVisitor, arg, member, property, string_value};
use flightcheck_core::Span;
use flightcheck_core::wiring::{DataStore, DataStoreKind, is_data_path, sqlite_url_path};
use oxc_ast::ast::*;
use oxc_span::GetSpan;
use std::collections::HashMap;

/// The path literal an expression names: a string, the literal tail of a template, a
/// same-file constant, the last literal of `path.join(...)`/`path.resolve(...)`.
pub(super) fn path_literal(expr: &Expression, consts: &HashMap<String, String>) -> Option<String> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) => {
            let tail = t.quasis.last()?.value.raw.as_str().trim_start_matches('/');
            (!tail.is_empty()).then(|| tail.to_string())
        }
        Expression::Identifier(id) => consts.get(id.name.as_str()).cloned(),
        Expression::CallExpression(c) => {
            let name = match c.callee.without_parentheses() {
                Expression::Identifier(id) => id.name.as_str(),
                e => member(e).map(|(_, p)| p)?,
            };
            if matches!(name, "join" | "resolve" | "normalize" | "fileURLToPath") {
                c.arguments
                    .last()
                    .and_then(|a| a.as_expression())
                    .and_then(|a| path_literal(a, consts))
            } else {
                None
            }
        }
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            path_literal(&b.right, consts)
        }
        _ => None,
    }
}

fn is_db_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".db", ".sqlite", ".sqlite3", ".db3"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn is_json_data(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json") && is_data_path(path)
}

/// `{ dialect: 'sqlite' }`, `{ client: 'better-sqlite3' }`, `{ type: 'sqlite' }`: an ORM or
/// query builder configured for SQLite, and the file it names.
fn sqlite_config(
    obj: &ObjectExpression,
    consts: &HashMap<String, String>,
) -> Option<Option<String>> {
    let engine = ["dialect", "client", "type", "driver"]
        .iter()
        .find_map(|k| property(obj, k).and_then(|p| string_value(&p.value)))?;
    if !matches!(
        engine.to_ascii_lowercase().as_str(),
        "sqlite" | "sqlite3" | "better-sqlite3" | "libsql" | "expo"
    ) {
        return None;
    }
    let file = ["storage", "filename", "database"]
        .iter()
        .find_map(|k| property(obj, k).and_then(|p| path_literal(&p.value, consts)))
        .or_else(|| {
            property(obj, "connection").and_then(|p| match p.value.without_parentheses() {
                Expression::ObjectExpression(c) => {
                    property(c, "filename").and_then(|f| path_literal(&f.value, consts))
                }
                e => path_literal(e, consts),
            })
        });
    if file.as_deref().is_some_and(|f| f.contains(":memory:")) {
        return None;
    }
    Some(file)
}

impl<'s, 'a, F: Fn(u32, u32) -> Span> WiringVisitor<'s, 'a, F> {
    fn push_data(&mut self, kind: DataStoreKind, path: Option<String>, span: oxc_span::Span) {
        let via = self.text(span);
        let via = if via.chars().count() > 80 {
            format!("{}…", via.chars().take(80).collect::<String>())
        } else {
            via.to_string()
        };
        let s = self.span(span);
        self.wiring.data_stores.push(DataStore {
            kind,
            via,
            path,
            span: s,
            owner: self.owner.clone(),
        });
    }

    fn mark_literal(&mut self, expr: Option<&Expression>) {
        if let Some(e) = expr {
            self.data_literals.insert(e.span().start);
        }
    }

    /// `new Database('bot.db')`, `new Datastore({ filename })`, `new JSONFile('db.json')`,
    /// `new QuickDB()`, `new Sequelize({ dialect: 'sqlite' })`...
    pub(super) fn data_new(&mut self, n: &NewExpression<'a>) {
        let callee = self.text(n.callee.span());
        let name = callee.rsplit('.').next().unwrap_or(callee);
        let first = n.arguments.first().and_then(|a| a.as_expression());
        let first_obj = match first.map(|e| e.without_parentheses()) {
            Some(Expression::ObjectExpression(o)) => Some(&**o),
            _ => None,
        };
        let literal = first.and_then(|e| path_literal(e, &self.path_consts));
        let found = match name {
            "Database" => {
                let sqlite_lib = callee.contains("sqlite");
                match &literal {
                    Some(p) if p.contains(":memory:") => None,
                    Some(p) if is_db_file(p) || sqlite_lib => {
                        Some((DataStoreKind::Sqlite, literal.clone()))
                    }
                    None if sqlite_lib => Some((DataStoreKind::Sqlite, None)),
                    _ => None,
                }
            }
            "Datastore" => {
                let file = first_obj
                    .and_then(|o| property(o, "filename"))
                    .and_then(|p| path_literal(&p.value, &self.path_consts))
                    .or(literal.clone());
                file.map(|f| (DataStoreKind::FileStore, Some(f)))
            }
            "JSONFile" | "JSONFileSync" | "FileSync" | "FileAsync" | "JsonDB" => {
                Some((DataStoreKind::FileStore, literal.clone()))
            }
            "QuickDB" => Some((DataStoreKind::Sqlite, None)),
            "Enmap" => {
                let in_memory = first_obj
                    .and_then(|o| property(o, "inMemory"))
                    .is_some_and(|p| {
                        matches!(p.value.without_parentheses(), Expression::BooleanLiteral(b) if b.value)
                    });
                (!in_memory).then_some((DataStoreKind::Sqlite, None))
            }
            "Keyv" | "KeyvSqlite" => literal
                .as_deref()
                .and_then(sqlite_url_path)
                .map(|p| (DataStoreKind::Sqlite, Some(p))),
            "Sequelize" | "DataSource" | "MikroORM" => match (first_obj, &literal) {
                (Some(o), _) => {
                    sqlite_config(o, &self.path_consts).map(|f| (DataStoreKind::Sqlite, f))
                }
                (None, Some(url)) => sqlite_url_path(url).map(|p| (DataStoreKind::Sqlite, Some(p))),
                _ => None,
            },
            _ => None,
        };
        if let Some((kind, path)) = found {
            self.mark_literal(first);
            self.push_data(kind, path, n.span);
        }
    }

    /// `knex({ client: 'sqlite3' })`, `open({ filename, driver })`, `JSONFilePreset('db.json')`,
    /// `fs.writeFileSync('db.json', JSON.stringify(db))`.
    pub(super) fn data_call_store(&mut self, call: &CallExpression<'a>) {
        let (receiver, name) = match call.callee.without_parentheses() {
            Expression::Identifier(id) => (None, id.name.as_str()),
            // `require('knex')({ client: 'sqlite3', ... })`
            Expression::CallExpression(c)
                if self.text(c.callee.span()) == "require"
                    && arg(c, 0).and_then(string_value) == Some("knex") =>
            {
                (None, "knex")
            }
            e => match member(e) {
                Some((o, p)) => (Some(self.text(o.span())), p),
                None => return,
            },
        };
        let first = arg(call, 0);
        let first_obj = match first.map(|e| e.without_parentheses()) {
            Some(Expression::ObjectExpression(o)) => Some(&**o),
            _ => None,
        };
        let found = match name {
            "JSONFilePreset" | "JSONFileSyncPreset" => Some((
                DataStoreKind::FileStore,
                first.and_then(|e| path_literal(e, &self.path_consts)),
            )),
            "knex" | "Knex" | "open" | "drizzle" | "createClient" => match first_obj {
                Some(o) if o.properties.iter().any(|p| matches!(p, ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some("driver"))) =>
                {
                    // sqlite's `open({ filename, driver: sqlite3.Database })`.
                    property(o, "filename")
                        .and_then(|p| path_literal(&p.value, &self.path_consts))
                        .filter(|f| !f.contains(":memory:"))
                        .map(|f| (DataStoreKind::Sqlite, Some(f)))
                }
                Some(o) => sqlite_config(o, &self.path_consts)
                    .map(|f| (DataStoreKind::Sqlite, f))
                    .or_else(|| {
                        property(o, "url")
                            .and_then(|p| path_literal(&p.value, &self.path_consts))
                            .and_then(|u| sqlite_url_path(&u))
                            .map(|p| (DataStoreKind::Sqlite, Some(p)))
                    }),
                None => None,
            },
            "writeFileSync" | "writeFile" | "outputFile" | "outputFileSync" | "writeJson"
            | "writeJsonSync" | "writeJSON" | "writeJSONSync" | "outputJson"
            | "outputJsonSync" => {
                let fs_like = receiver.is_none_or(|r| {
                    let r = r.to_ascii_lowercase();
                    r.contains("fs") || r.contains("promises") || r.contains("jsonfile")
                });
                let json_content = name.to_ascii_lowercase().contains("json")
                    || arg(call, 1).is_some_and(|a| {
                        matches!(a.without_parentheses(), Expression::CallExpression(c)
                            if self.text(c.callee.span()) == "JSON.stringify")
                    });
                let path = first
                    .and_then(|e| path_literal(e, &self.path_consts))
                    .filter(|p| is_json_data(p));
                (fs_like && json_content && path.is_some())
                    .then_some((DataStoreKind::JsonFile, path))
            }
            _ => None,
        };
        if let Some((kind, path)) = found {
            self.mark_literal(first);
            self.push_data(kind, path, call.span);
        }
    }

    /// `'sqlite:./bot.db'`, `"file:./dev.db"` written in code (often a development default).
    pub(super) fn data_literal(&mut self, text: &str, span: oxc_span::Span) {
        if self.data_literals.contains(&span.start) {
            return;
        }
        if let Some(path) = sqlite_url_path(text) {
            self.push_data(DataStoreKind::SqliteUrl, Some(path), span);
        }
    }
}

#[cfg(test)]
mod tests {
    use flightcheck_core::wiring::DataStoreKind::{self, *};

    fn stores(src: &str) -> Vec<(DataStoreKind, Option<String>, u32)> {
        crate::analyze("src/db.js", src, &[])
            .wiring
            .data_stores
            .iter()
            .map(|d| (d.kind, d.path.clone(), d.span.line))
            .collect()
    }

    #[test]
    fn local_data_files() {
        let src = r#"const Database = require('better-sqlite3');
const sqlite3 = require('sqlite3');
const fs = require('fs');
const path = require('path');
const { Low } = require('lowdb');
const { JSONFile } = require('lowdb/node');
const Datastore = require('nedb');

const USERS_FILE = path.join(__dirname, '..', 'data', 'users.json');
const db = new Database('bot.db');
const legacy = new sqlite3.Database(process.env.DB_FILE);
const mem = new Database(':memory:');
const low = new Low(new JSONFile('db.json'), {});
const orders = new Datastore({ filename: 'orders.db', autoload: true });
const cache = new Datastore();

function save(users) {
  fs.writeFileSync(USERS_FILE, JSON.stringify(users, null, 2));
  fs.writeFileSync('report.json', JSON.stringify(users));
  fs.writeFileSync('users.json', users.join('\n'));
}

const knex = require('knex')({ client: 'better-sqlite3', connection: { filename: './data/app.sqlite' } });
const url = process.env.DATABASE_URL || 'file:./dev.db';
"#;
        assert_eq!(
            stores(src),
            vec![
                (Sqlite, Some("bot.db".into()), 10),
                (Sqlite, None, 11),
                (FileStore, Some("db.json".into()), 13),
                (FileStore, Some("orders.db".into()), 14),
                (JsonFile, Some("users.json".into()), 18),
                (Sqlite, Some("./data/app.sqlite".into()), 23),
                (SqliteUrl, Some("./dev.db".into()), 24),
            ]
        );
        assert!(stores("const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n").is_empty());
    }
}
