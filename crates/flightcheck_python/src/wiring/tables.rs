//! Tables and migrations: ORM models (SQLAlchemy, SQLModel, Django, tortoise), SQL text,
//! alembic/Django/aerich/tortoise migration runs.

use super::Walker;
use super::common::{is_true, last_seg, str_list, str_lit};
use flightcheck_core::sql::{looks_like_sql, tables_created, tables_queried};
use flightcheck_core::wiring::{MigrationRun, Owner, TableAccess, TableCreate, TableQuery};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ModelKind {
    Django,
    Tortoise,
}

impl<'a> Walker<'_, '_, 'a> {
    pub(super) fn table_query(&mut self, table: &str, via: String, r: TextRange, owner: Owner) {
        let span = self.span(r);
        self.out.table_queries.push(TableQuery {
            table: table.to_ascii_lowercase(),
            access: TableAccess::Read,
            via,
            span,
            owner,
        });
    }

    pub(super) fn table_create(&mut self, table: &str, via: &str, r: TextRange) {
        let span = self.span(r);
        self.out.table_creates.push(TableCreate {
            table: table.to_ascii_lowercase(),
            via: via.to_string(),
            span,
        });
    }

    pub(super) fn migration(&mut self, tool: &str, creates_models: bool, r: TextRange) {
        let span = self.span(r);
        if self.out.migration_runs.iter().any(|m| m.span == span) {
            return;
        }
        self.out.migration_runs.push(MigrationRun {
            tool: tool.to_string(),
            directory: None,
            creates_models,
            span,
            owner: self.owner.clone(),
        });
    }

    pub(super) fn is_aerich_command(&self, receiver: Option<&Expr>) -> bool {
        match receiver {
            Some(Expr::Call(c)) => last_seg(&c.func) == Some("Command"),
            Some(Expr::Name(n)) => matches!(
                self.idx.single_assigns.get(n.id.as_str()),
                Some(Some(Expr::Call(c))) if last_seg(&c.func) == Some("Command")
            ),
            _ => false,
        }
    }

    /// ORM models: SQLAlchemy `__tablename__`, SQLModel `table=True`, Django and tortoise.
    pub(super) fn models(&mut self, class: &'a ast::StmtClassDef, owner: &Owner) {
        let name = class.name.as_str();
        let assigned = |key: &str| -> Option<&'a Expr> {
            class.body.iter().find_map(|s| match s {
                Stmt::Assign(a) => match &a.targets[..] {
                    [Expr::Name(n)] if n.id.as_str() == key => Some(&*a.value),
                    _ => None,
                },
                Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
                    (Expr::Name(n), Some(v)) if n.id.as_str() == key => Some(&**v),
                    _ => None,
                },
                _ => None,
            })
        };
        if let Some(v) = assigned("__tablename__") {
            self.narrow_id_columns(class, &format!("SQLAlchemy model `{name}`"));
            if let Some(t) = str_lit(v) {
                let via = format!("SQLAlchemy model `{name}`");
                self.table_query(&t, via, class.name.range(), owner.clone());
            }
            return;
        }
        let bases = class.bases();
        if bases.iter().any(|b| last_seg(b) == Some("SQLModel"))
            && class
                .arguments
                .as_ref()
                .and_then(|a| a.find_keyword("table"))
                .is_some_and(|k| is_true(&k.value))
        {
            self.narrow_id_columns(class, &format!("SQLModel model `{name}`"));
            let via = format!("SQLModel model `{name}`");
            self.table_query(name, via, class.name.range(), owner.clone());
            return;
        }
        let mut kind = None;
        for b in bases {
            let last = last_seg(b).unwrap_or("");
            if let Some(k) = self.models.get(last) {
                kind = Some(*k);
            } else if last == "Model" && self.is_imported(b) {
                let q = self.qualify(b).unwrap_or_default();
                if q.starts_with("django.") {
                    kind = Some(ModelKind::Django);
                } else if q.starts_with("tortoise") {
                    kind = Some(ModelKind::Tortoise);
                }
            }
        }
        let Some(kind) = kind else { return };
        self.models.insert(name.to_string(), kind);
        let label = match kind {
            ModelKind::Django => "Django",
            ModelKind::Tortoise => "tortoise",
        };
        self.narrow_id_columns(class, &format!("{label} model `{name}`"));
        let meta = class.body.iter().find_map(|s| match s {
            Stmt::ClassDef(c) if c.name.as_str() == "Meta" => Some(c),
            _ => None,
        });
        let meta_value = |key: &str| -> Option<&'a Expr> {
            meta?.body.iter().find_map(|s| match s {
                Stmt::Assign(a) => match &a.targets[..] {
                    [Expr::Name(n)] if n.id.as_str() == key => Some(&*a.value),
                    _ => None,
                },
                _ => None,
            })
        };
        if meta_value("abstract").is_some_and(is_true)
            || meta_value("proxy").is_some_and(is_true)
            || meta_value("managed")
                .is_some_and(|v| matches!(v, Expr::BooleanLiteral(b) if !b.value))
        {
            return;
        }
        let (key, label) = match kind {
            ModelKind::Django => ("db_table", "Django"),
            ModelKind::Tortoise => ("table", "tortoise"),
        };
        let table = meta_value(key)
            .and_then(str_lit)
            .unwrap_or_else(|| name.to_ascii_lowercase());
        let via = format!("{label} model `{name}`");
        self.table_query(&table, via, class.name.range(), owner.clone());
    }

    /// Columns of a model class named for a Telegram id and declared as 32-bit integers:
    /// `chat_id = Column(Integer)`, `chat_id: Mapped[int] = mapped_column()` (SQLAlchemy maps
    /// `int` to `Integer`), `tg_id: int = Field(...)` (SQLModel), Django `IntegerField`,
    /// tortoise `IntField`. A foreign key is another table's id, not Telegram's.
    fn narrow_id_columns(&mut self, class: &'a ast::StmtClassDef, via: &str) {
        for stmt in &class.body {
            let (target, annotation, value) = match stmt {
                Stmt::Assign(a) => match &a.targets[..] {
                    [t] => (t, None, &*a.value),
                    _ => continue,
                },
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (&*a.target, Some(&*a.annotation), &**v),
                    None => continue,
                },
                _ => continue,
            };
            let (Expr::Name(n), Expr::Call(c)) = (target, value) else {
                continue;
            };
            if !flightcheck_core::is_telegram_id_column(n.id.as_str()) {
                continue;
            }
            let callee = last_seg(&c.func).unwrap_or("");
            let foreign = c
                .arguments
                .args
                .iter()
                .any(|a| matches!(a, Expr::Call(f) if last_seg(&f.func) == Some("ForeignKey")))
                || c.arguments.find_keyword("foreign_key").is_some();
            let is_int = |e: &Expr| match e {
                Expr::Call(t) => matches!(last_seg(&t.func), Some("Integer" | "INTEGER")),
                e => matches!(last_seg(e), Some("Integer" | "INTEGER")),
            };
            let typed_int = c.arguments.args.iter().any(is_int);
            let typed =
                c.arguments
                    .args
                    .iter()
                    .any(|a| !matches!(a, Expr::StringLiteral(_)))
                    && !c.arguments.args.iter().all(
                        |a| matches!(a, Expr::Call(f) if last_seg(&f.func) == Some("ForeignKey")),
                    );
            // `Mapped[int]` / `int` with no column type: SQLAlchemy and SQLModel pick Integer.
            let int_annotation = annotation.is_some_and(|t| {
                let t = match t {
                    Expr::Subscript(s) if last_seg(&s.value) == Some("Mapped") => &*s.slice,
                    t => t,
                };
                matches!(t, Expr::Name(x) if x.id.as_str() == "int")
            });
            let narrow = match callee {
                "Column" | "mapped_column" => typed_int || (!typed && int_annotation),
                "Field" => {
                    int_annotation
                        && c.arguments.find_keyword("sa_column").is_none()
                        && c.arguments.find_keyword("sa_type").is_none()
                }
                "IntegerField" | "PositiveIntegerField" | "IntField" => true,
                _ => false,
            };
            if narrow && !foreign {
                let span = self.span(stmt.range());
                let declared: String = self.m.source[stmt.range()]
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(100)
                    .collect();
                self.out
                    .narrow_id_columns
                    .push(flightcheck_core::NarrowIdColumn {
                        column: n.id.to_string(),
                        declared,
                        via: via.to_string(),
                        span,
                    });
            }
        }
    }

    pub(super) fn sql(&mut self, text: &str, r: TextRange) {
        let start = r.start().to_u32();
        if self.not_sql.contains(&start) {
            return;
        }
        let in_call = self.sql_args.contains(&start);
        let is_sql = looks_like_sql(text) || in_call && sql_keyword_start(text);
        if !is_sql {
            return;
        }
        let owner = self.owner.clone();
        for (t, access) in tables_queried(text) {
            let span = self.span(r);
            self.out.table_queries.push(TableQuery {
                table: t.table,
                access,
                via: "SQL string".into(),
                span,
                owner: owner.clone(),
            });
        }
        for t in tables_created(text) {
            self.table_create(&t.table, "CREATE TABLE in SQL string", r);
        }
        for (column, declared, at) in flightcheck_core::narrow_id_columns_in_sql(text) {
            let span = flightcheck_core::line_in_literal(&self.m.source[r], text, at, self.span(r));
            self.out
                .narrow_id_columns
                .push(flightcheck_core::NarrowIdColumn {
                    column,
                    declared,
                    via: "a `CREATE TABLE` in an SQL string".into(),
                    span,
                });
        }
    }
}

/// A migration tool started as a process: `["alembic", "upgrade", "head"]`,
/// `"alembic upgrade head"`, `"python manage.py migrate"`.
pub(super) fn spawned_migration(args: &[Expr]) -> Option<&'static str> {
    let mut words: Vec<String> = Vec::new();
    for a in args {
        match a {
            Expr::List(_) | Expr::Tuple(_) => {
                words.extend(str_list(a).unwrap_or_default());
            }
            Expr::StringLiteral(_) => {
                if let Some(s) = str_lit(a) {
                    words.extend(s.split_whitespace().map(str::to_string));
                }
            }
            _ => {}
        }
    }
    let has = |w: &str| {
        words
            .iter()
            .any(|x| x == w || x.ends_with(&format!("/{w}")))
    };
    if has("alembic") && has("upgrade") {
        Some("alembic")
    } else if has("manage.py") && has("migrate") {
        Some("django")
    } else if has("aerich") && has("upgrade") {
        Some("aerich")
    } else {
        None
    }
}

/// Text passed to `execute()` and friends that starts like a statement, in any case.
fn sql_keyword_start(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        return false;
    }
    let first = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        first.as_str(),
        "select" | "insert" | "update" | "delete" | "with" | "create" | "replace" | "alter"
    )
}
