//! `security/admin-action-unaudited`: an admin-only handler that changes data and leaves
//! no record of who did it.

use crate::registry::{FileTexts, Rule, has_python_sources};
use flightcheck_core::{Category, FixKind, RuleMeta, Severity, WhenUnreachable};
use flightcheck_python::{PyFileRule, PyNode, PyRuleContext};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, NodeKind, Stmt};
use ruff_text_size::Ranged;

pub static META: RuleMeta = RuleMeta {
    id: "security/admin-action-unaudited",
    severity: Severity::Low,
    category: Category::Security,
    fix_kind: FixKind::Code,
    summary: "Admin-only commands or routes that change data and write no audit record",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 20,
    docs: r#"## What it does
Finds Python functions that only admins may run and that change data, but leave no trace of
who did what. Conservative on all three points:

- admin-only: an admin decorator or filter (`@admin_required`, `@router.message(IsAdmin())`,
  `is_admin=True`, any decorator naming `admin`), a route under `/admin`, or an `if` in the
  body that checks an admin list or flag (`if user_id in ADMINS`, `if not user.is_admin`);
- changes data: SQL `INSERT`/`UPDATE`/`DELETE` executed, `session.add`/`delete`/`commit`,
  `.save()`/`.delete()`, Mongo `insert_*`/`update_*`/`delete_*`, or a ban/kick/restrict
  (`ban_chat_member`, `kick_chat_member`, `restrict_chat_member`);
- no audit: no logging call (`logger.*`, `logging.*`, `log.*`), no `audit`/`admin_log` write,
  and no message to a log channel (`send_message` to a name with `log`).

Python only for now.

## Why it breaks production
When an admin account is stolen, shared or simply mistaken, the only way to know which
balances, bans or deletions it made — and to undo them — is a record of the action with the
actor. Without it an incident cannot be investigated, and a rogue admin leaves no trace.

## Flagged
```python
@router.message(Command("setbalance"), IsAdmin())
async def set_balance(message: Message, command: CommandObject):
    user_id, amount = command.args.split()
    await db.execute("UPDATE users SET balance = $1 WHERE id = $2", int(amount), int(user_id))
```

## Not flagged
```python
@router.message(Command("setbalance"), IsAdmin())
async def set_balance(message: Message, command: CommandObject):
    user_id, amount = command.args.split()
    await db.execute("UPDATE users SET balance = $1 WHERE id = $2", int(amount), int(user_id))
    logger.info("admin %s set balance of %s to %s", message.from_user.id, user_id, amount)
```

## Fix
Log every admin action with the actor, the action and its target (`logger.info("admin %s
banned %s", admin_id, user_id)`), or write it to an `admin_log`/`audit` table.
"#,
};

pub static RULE: Rule = Rule {
    meta: &META,
    applies: has_python_sources,
    check: None,
    js: None,
    python: Some(&AdminUnaudited),
    after: None,
    refine: None,
    file_texts: FileTexts {
        impact: "Changes made with an admin account (stolen, shared or mistaken) cannot be traced or undone.",
        fix: "Log each admin action with the actor, the action and the target, or write it to an audit table.",
        verify: "Run the admin command once: a log line or audit row names the admin and the change.",
    },
};

struct AdminUnaudited;

impl PyFileRule for AdminUnaudited {
    fn id(&self) -> &'static str {
        META.id
    }

    fn node_kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check(&self, node: PyNode<'_>, ctx: &mut PyRuleContext<'_>) {
        let PyNode::Stmt(Stmt::FunctionDef(func)) = node else {
            return;
        };
        let by_decorator = func.decorator_list.iter().any(|d| {
            let text = ctx.text(&d.expression).to_ascii_lowercase();
            text.contains("admin")
        });
        let mut scan = Scan {
            ctx,
            guard: false,
            admin_depth: 0,
            change: None,
            admin_change: None,
            audited: false,
        };
        for stmt in &func.body {
            scan.visit_stmt(stmt);
        }
        if scan.audited {
            return;
        }
        // Admin-only as a whole (decorator, guard clause), or a change made inside an
        // `if <admin check>:` branch.
        let change = if by_decorator || scan.guard {
            scan.change
        } else {
            scan.admin_change
        };
        let Some(change) = change else {
            return;
        };
        let name = func.name.as_str();
        ctx.report(
            META.id,
            func.name.range(),
            format!(
                "Admin-only `{name}` changes data ({change}) and writes no audit record (no log call, no audit table)"
            ),
            None,
        );
    }
}

struct Scan<'c, 's> {
    ctx: &'c PyRuleContext<'s>,
    /// `if <not admin>: return` at the function's top: the rest is admin-only.
    guard: bool,
    /// Inside `if <admin check>:` branches.
    admin_depth: u32,
    change: Option<String>,
    /// The first change made inside an admin branch.
    admin_change: Option<String>,
    audited: bool,
}

impl<'a> Visitor<'a> for Scan<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::If(i) => {
                let test = self.ctx.text(&*i.test).to_ascii_lowercase();
                if test.contains("admin") {
                    let returns = i
                        .body
                        .iter()
                        .any(|s| matches!(s, Stmt::Return(_) | Stmt::Raise(_)));
                    let negated = test.starts_with("not ") || test.contains(" not ");
                    if returns && negated {
                        self.guard = true;
                    } else {
                        self.admin_depth += 1;
                        for s in &i.body {
                            self.visit_stmt(s);
                        }
                        self.admin_depth -= 1;
                        for clause in &i.elif_else_clauses {
                            for s in &clause.body {
                                self.visit_stmt(s);
                            }
                        }
                        return;
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.call(call);
        }
        visitor::walk_expr(self, expr);
    }
}

impl Scan<'_, '_> {
    fn call(&mut self, call: &ast::ExprCall) {
        let func = self.ctx.text(&*call.func);
        let lower = func.to_ascii_lowercase();
        let last = lower.rsplit('.').next().unwrap_or(&lower);
        let receiver = lower.rsplit_once('.').map(|(r, _)| r).unwrap_or("");
        // Logging of any kind, an audit helper, or a report to a log channel.
        if matches!(
            receiver,
            "logger" | "logging" | "log" | "_logger" | "self.logger" | "self.log"
        ) || lower.contains("audit")
            || lower.contains("admin_log")
            || (matches!(last, "execute" | "executemany")
                && call.arguments.args.first().is_some_and(|sql| {
                    let sql = self.ctx.text(sql).to_ascii_lowercase();
                    sql.contains("audit") || sql.contains("admin_log")
                }))
            || (last.starts_with("send_")
                && self.ctx.text(call).to_ascii_lowercase().contains("log"))
        {
            self.audited = true;
            return;
        }
        if self.change.is_some() && (self.admin_change.is_some() || self.admin_depth == 0) {
            return;
        }
        let change = match last {
            "ban_chat_member"
            | "kick_chat_member"
            | "restrict_chat_member"
            | "ban"
            | "kick"
            | "unban_chat_member" => Some(format!("`{func}`")),
            "insert_one" | "insert_many" | "update_one" | "update_many" | "delete_one"
            | "delete_many" | "replace_one" => Some(format!("`{func}`")),
            "commit" if receiver.contains("session") || receiver.contains("db") => {
                Some(format!("`{func}`"))
            }
            "execute" | "executemany" => call.arguments.args.first().and_then(|sql| {
                let text = self
                    .ctx
                    .text(sql)
                    .trim_start_matches(['f', 'r', '"', '\'', ' ', '\n']);
                let word = text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                matches!(word.as_str(), "INSERT" | "UPDATE" | "DELETE")
                    .then(|| format!("SQL {word}"))
            }),
            _ => None,
        };
        if change.is_some() {
            if self.admin_depth > 0 && self.admin_change.is_none() {
                self.admin_change.clone_from(&change);
            }
            if self.change.is_none() {
                self.change = change;
            }
        }
    }
}
