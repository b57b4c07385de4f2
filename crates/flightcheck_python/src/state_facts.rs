//! State facts of one Python file: JSON files rewritten (`json.dump(d, open(p, "w"))`,
//! `with open(p, "w") as f: json.dump(d, f)`, `Path(p).write_text(json.dumps(d))`),
//! module-level containers and what grows or shrinks them, periodic jobs (`schedule`,
//! APScheduler, python-telegram-bot's `JobQueue`, aiocron).

use crate::dotted;
use crate::string_lit;
use flightcheck_core::state::{
    ContainerOp, ContainerOpKind, FileWrite, LongLivedContainer, ScheduledJob, SchemaChange,
    StateFacts, cron_period_seconds, mentions_schema_version, schema_changes,
};
use flightcheck_core::{FileFacts, Span};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

pub(crate) fn extract(
    body: &[Stmt],
    source: &str,
    span_of: &dyn Fn(TextRange) -> Span,
    facts: &mut FileFacts,
) {
    let mut walk = StateWalk {
        source,
        span_of,
        functions: Vec::new(),
        classes: Vec::new(),
        locals: Vec::new(),
        strings: HashMap::new(),
        open_files: HashMap::new(),
        swallowed: 0,
        when_missing: 0,
        in_tests: 0,
        in_try: 0,
        out: StateFacts::default(),
        write_function: Vec::new(),
        renamed_in: Vec::new(),
        persistent_jobs: facts.imports.iter().any(|i| {
            i.names
                .iter()
                .any(|n| n.ends_with("JobStore") && n != "MemoryJobStore")
        }),
    };
    for stmt in body {
        walk.top_level(stmt);
    }
    for stmt in body {
        walk.visit_stmt(stmt);
    }
    for (i, function) in walk.write_function.iter().enumerate() {
        if walk.renamed_in.contains(function)
            && let Some(w) = walk.out.file_writes.get_mut(i)
        {
            w.atomic = true;
        }
    }
    walk.out.schema_version_check = mentions_schema_version(source);
    facts.state = walk.out;
}

struct StateWalk<'s> {
    source: &'s str,
    span_of: &'s dyn Fn(TextRange) -> Span,
    functions: Vec<String>,
    classes: Vec<String>,
    /// Names local to each enclosing function (parameters and assigned names not declared
    /// `global`): operations on them are not on module state.
    locals: Vec<HashSet<String>>,
    /// Module-level string constants (`DB_FILE = "data/users.json"`).
    strings: HashMap<String, String>,
    /// Names bound by `with open(path, "w") as f`: the path expression.
    open_files: HashMap<String, Expr>,
    /// Depth of `try` blocks whose handlers only `pass`.
    swallowed: u32,
    /// Inside `if not os.path.exists(p):` / `if not Path(p).exists():`.
    when_missing: u32,
    /// Inside `if ENV == "test":`: a branch only test runs take.
    in_tests: u32,
    /// Depth of `try` blocks of any kind.
    in_try: u32,
    out: StateFacts,
    write_function: Vec<Option<String>>,
    renamed_in: Vec<Option<String>>,
    persistent_jobs: bool,
}

/// `a.b.c` → `c`, `f` → `f`.
fn last_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

fn keyword<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

fn number(e: &Expr) -> Option<f64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64().map(|v| v as f64),
            ast::Number::Float(f) => Some(*f),
            _ => None,
        },
        Expr::BinOp(b) => {
            let (l, r) = (number(&b.left)?, number(&b.right)?);
            match b.op {
                ast::Operator::Mult => Some(l * r),
                ast::Operator::Add => Some(l + r),
                ast::Operator::Sub => Some(l - r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `open(p, "w")` / `aiofiles.open(p, mode="w")`: the path expression when opened for
/// writing (not appending).
fn open_for_write(e: &Expr) -> Option<&Expr> {
    let Expr::Call(call) = e else { return None };
    if !matches!(
        dotted(&call.func).as_deref(),
        Some("open" | "aiofiles.open" | "io.open")
    ) {
        return None;
    }
    let mode = call
        .arguments
        .args
        .get(1)
        .or_else(|| keyword(call, "mode"))
        .and_then(string_lit)?;
    (mode.contains('w') && !mode.contains('a')).then(|| call.arguments.args.first())?
}

fn is_json_dumps(e: &Expr) -> bool {
    let e = match e {
        Expr::Await(a) => &a.value,
        e => e,
    };
    matches!(e, Expr::Call(c) if matches!(dotted(&c.func).as_deref(), Some("json.dumps" | "dumps" | "orjson.dumps" | "ujson.dumps")))
}

/// Names a function binds locally: parameters and assigned names, minus `global` ones
/// (nested functions and classes excluded).
fn function_locals(def: &ast::StmtFunctionDef) -> HashSet<String> {
    struct Binds {
        names: HashSet<String>,
        globals: HashSet<String>,
    }
    impl<'a> Visitor<'a> for Binds {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Global(g) => {
                    self.globals.extend(g.names.iter().map(|n| n.to_string()));
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.ctx == ast::ExprContext::Store
            {
                self.names.insert(n.id.to_string());
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut b = Binds {
        names: HashSet::new(),
        globals: HashSet::new(),
    };
    for p in def.parameters.iter() {
        b.names.insert(p.name().to_string());
    }
    for s in &def.body {
        b.visit_stmt(s);
    }
    b.names.retain(|n| !b.globals.contains(n));
    b.names
}

impl StateWalk<'_> {
    fn function(&self) -> Option<String> {
        self.functions.last().cloned()
    }

    fn text(&self, r: TextRange) -> String {
        let raw = self
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        flightcheck_core::text::truncate(&one_line, 80)
    }

    fn is_module_name(&self, name: &str) -> bool {
        self.locals.last().is_none_or(|l| !l.contains(name))
    }

    fn op(&mut self, target: &Expr, kind: ContainerOpKind, r: TextRange) {
        let Expr::Name(n) = target else { return };
        if !self.is_module_name(n.id.as_str()) {
            return;
        }
        let line = (self.span_of)(r).line;
        let function = self.function();
        self.out.container_ops.push(ContainerOp {
            name: n.id.to_string(),
            kind,
            function,
            line,
        });
    }

    fn top_level(&mut self, stmt: &Stmt) {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
            Stmt::AnnAssign(a) => match &a.value {
                Some(v) => (&*a.target, &**v),
                None => return,
            },
            _ => return,
        };
        let Expr::Name(name) = target else { return };
        if let Some(s) = self.path_literal(value) {
            self.strings.insert(name.id.to_string(), s);
        }
        let kind = match value {
            Expr::Dict(d) if d.is_empty() => "dict",
            Expr::List(l) if l.elts.is_empty() => "list",
            Expr::Call(c)
                if c.arguments.args.is_empty() || last_name(&c.func) == Some("defaultdict") =>
            {
                match last_name(&c.func) {
                    Some("dict") if c.arguments.keywords.is_empty() => "dict",
                    Some("list") => "list",
                    Some("set") => "set",
                    Some("defaultdict") => "defaultdict",
                    Some("OrderedDict") => "OrderedDict",
                    _ => return,
                }
            }
            _ => return,
        };
        let span = (self.span_of)(name.range());
        self.out.containers.push(LongLivedContainer {
            name: name.id.to_string(),
            kind: kind.to_string(),
            span,
        });
    }

    /// A literal path: a string, a module constant, `Path("x")`, `os.path.join(..., "x")`,
    /// `BASE / "x"`.
    fn path_literal(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::StringLiteral(_) => string_lit(e),
            Expr::FString(f) => {
                let raw = self.text(f.range());
                let inner = raw.trim_end_matches(['"', '\'']);
                let tail = inner.rsplit(['}', '/']).next()?;
                (!tail.is_empty() && tail.contains('.')).then(|| tail.to_string())
            }
            Expr::Name(n) => self.strings.get(n.id.as_str()).cloned(),
            Expr::Call(c) => match last_name(&c.func) {
                Some("Path" | "join" | "abspath" | "PurePath") => {
                    c.arguments.args.last().and_then(|a| self.path_literal(a))
                }
                _ => None,
            },
            Expr::BinOp(b) if b.op == ast::Operator::Div => self.path_literal(&b.right),
            _ => None,
        }
    }

    fn push_write(&mut self, api: &str, target: &Expr, r: TextRange) {
        let path = self.path_literal(target);
        let error_ignored = (self.swallowed > 0)
            .then(|| "an `except` that only passes swallows its error".to_string());
        let function = self.function();
        self.write_function.push(function.clone());
        let w = FileWrite {
            api: api.to_string(),
            path,
            target: self.text(target.range()),
            json: true,
            function,
            atomic: false,
            error_ignored,
            only_when_missing: self.when_missing > 0,
            only_in_tests: self.in_tests > 0,
            span: (self.span_of)(r),
        };
        self.out.file_writes.push(w);
    }

    /// A read of a file: `open(p)` (no write mode), `aiofiles.open(p)`,
    /// `Path(p).read_text()` / `.read_bytes()`.
    fn file_read(&mut self, call: &ast::ExprCall) {
        let target = match &*call.func {
            Expr::Name(n) if n.id.as_str() == "open" => call
                .arguments
                .args
                .first()
                .filter(|_| !opens_for_write(call)),
            Expr::Attribute(a)
                if a.attr.as_str() == "open"
                    && matches!(&*a.value, Expr::Name(m) if matches!(m.id.as_str(), "aiofiles" | "io" | "codecs")) =>
            {
                call.arguments
                    .args
                    .first()
                    .filter(|_| !opens_for_write(call))
            }
            Expr::Attribute(a) if matches!(a.attr.as_str(), "read_text" | "read_bytes") => {
                Some(match &*a.value {
                    Expr::Call(c) if last_name(&c.func) == Some("Path") => {
                        match c.arguments.args.first() {
                            Some(t) => t,
                            None => return,
                        }
                    }
                    e => e,
                })
            }
            _ => None,
        };
        let Some(target) = target else { return };
        let read = flightcheck_core::state::FileRead {
            path: self.path_literal(target),
            target: self.text(target.range()),
            span: (self.span_of)(call.range()),
        };
        self.out.file_reads.push(read);
    }

    fn call(&mut self, call: &ast::ExprCall) {
        self.file_read(call);
        let name = dotted(&call.func);
        let last = last_name(&call.func).unwrap_or("");
        let args = &call.arguments.args;
        // `json.dump(data, f)` / `json.dump(data, open(p, "w"))`.
        if matches!(name.as_deref(), Some("json.dump" | "ujson.dump"))
            && let Some(file) = args.get(1).or_else(|| keyword(call, "fp"))
        {
            let target = match file {
                Expr::Name(n) => self.open_files.get(n.id.as_str()).cloned(),
                e => open_for_write(e).cloned(),
            };
            if let Some(t) = target {
                self.push_write("json.dump", &t, call.range());
            }
        }
        // `f.write(json.dumps(d))` with `f` opened for writing, `open(p, "w").write(...)`,
        // `Path(p).write_text(json.dumps(d))`.
        if let Expr::Attribute(a) = &*call.func
            && args.first().is_some_and(is_json_dumps)
        {
            match a.attr.as_str() {
                "write" => {
                    let target = match &*a.value {
                        Expr::Name(n) => self.open_files.get(n.id.as_str()).cloned(),
                        e => open_for_write(e).cloned(),
                    };
                    if let Some(t) = target {
                        self.push_write("write(json.dumps(...))", &t, call.range());
                    }
                }
                "write_text" => {
                    let target = match &*a.value {
                        Expr::Call(c) if last_name(&c.func) == Some("Path") => {
                            c.arguments.args.first().cloned()
                        }
                        e => Some(e.clone()),
                    };
                    if let Some(t) = target {
                        self.push_write("Path.write_text", &t, call.range());
                    }
                }
                _ => {}
            }
        }
        if matches!(
            name.as_deref(),
            Some("os.replace" | "os.rename" | "shutil.move" | "replace" | "rename")
        ) || (matches!(last, "replace" | "rename") && args.len() == 1)
        {
            let f = self.function();
            self.renamed_in.push(f);
        }
        // Container operations on module names.
        if let Expr::Attribute(a) = &*call.func {
            let kind = match a.attr.as_str() {
                "append" | "add" | "setdefault" | "extend" | "insert" | "appendleft" => {
                    Some(ContainerOpKind::Grow)
                }
                "update" if !args.is_empty() => Some(ContainerOpKind::Grow),
                "pop" | "popitem" | "remove" | "discard" | "clear" | "popleft" => {
                    Some(ContainerOpKind::Shrink)
                }
                _ => None,
            };
            if let Some(kind) = kind {
                self.op(&a.value, kind, call.range());
            }
        }
        self.job(call, last);
    }

    fn job(&mut self, call: &ast::ExprCall, last: &str) {
        let args = &call.arguments.args;
        match last {
            // `schedule.every(10).minutes.do(job)`, `schedule.every().day.at("09:00").do(job)`.
            "do" => {
                let Expr::Attribute(a) = &*call.func else {
                    return;
                };
                let Some(period) = every_period(&a.value) else {
                    return;
                };
                self.push_job("schedule", args.first(), period, false, call.range());
            }
            // APScheduler `scheduler.add_job(func, "interval", hours=1)`.
            "add_job" => {
                let trigger = args
                    .get(1)
                    .or_else(|| keyword(call, "trigger"))
                    .and_then(string_lit);
                let period = match trigger.as_deref() {
                    Some("interval") => Some(interval_seconds(call)),
                    Some("cron") => Some(None),
                    _ => None,
                };
                let Some(period) = period else { return };
                let at_start = keyword(call, "next_run_time").is_some() || self.persistent_jobs;
                let func = args.first().or_else(|| keyword(call, "func"));
                self.push_job("apscheduler", func, period, at_start, call.range());
            }
            // python-telegram-bot `job_queue.run_repeating(cb, interval=3600, first=10)`.
            "run_repeating" => {
                let interval = args
                    .get(1)
                    .or_else(|| keyword(call, "interval"))
                    .and_then(number);
                let first = keyword(call, "first").or_else(|| args.get(2));
                let at_start = first.is_some_and(|f| number(f).is_none_or(|n| n <= 60.0));
                let func = args.first().or_else(|| keyword(call, "callback"));
                let period = interval.map(|n| n as u64);
                self.push_job(
                    "python-telegram-bot JobQueue",
                    func,
                    period,
                    at_start,
                    call.range(),
                );
            }
            "run_daily" | "run_monthly" => {
                let func = args.first().or_else(|| keyword(call, "callback"));
                self.push_job(
                    "python-telegram-bot JobQueue",
                    func,
                    None,
                    false,
                    call.range(),
                );
            }
            _ => {}
        }
    }

    fn push_job(
        &mut self,
        scheduler: &str,
        func: Option<&Expr>,
        period: Option<u64>,
        runs_at_start: bool,
        r: TextRange,
    ) {
        let Some(func) = func else { return };
        let job = match func {
            Expr::Lambda(l) => match &*l.body {
                Expr::Call(c) => last_name(&c.func).map(str::to_string),
                _ => None,
            },
            e => last_name(e).map(str::to_string),
        };
        let text = self.text(func.range());
        let function = self.function();
        self.out.jobs.push(ScheduledJob {
            scheduler: scheduler.to_string(),
            job,
            text,
            period_seconds: period,
            runs_at_start,
            function,
            span: (self.span_of)(r),
        });
    }

    /// `@scheduler.scheduled_job("interval", minutes=5)`, `@aiocron.crontab("0 9 * * *")`.
    fn decorated_job(&mut self, def: &ast::StmtFunctionDef) {
        for d in &def.decorator_list {
            let Expr::Call(call) = &d.expression else {
                continue;
            };
            let (scheduler, period, at_start) = match last_name(&call.func) {
                Some("scheduled_job") => {
                    let trigger = call.arguments.args.first().and_then(string_lit);
                    let period = match trigger.as_deref() {
                        Some("interval") => interval_seconds(call),
                        Some("cron") => None,
                        _ => continue,
                    };
                    let at_start = keyword(call, "next_run_time").is_some() || self.persistent_jobs;
                    ("apscheduler", period, at_start)
                }
                Some("crontab") => {
                    let Some(expr) = call.arguments.args.first().and_then(string_lit) else {
                        continue;
                    };
                    let at_start = keyword(call, "start")
                        .is_some_and(|s| matches!(s, Expr::BooleanLiteral(b) if !b.value));
                    // `start=False` means started by hand later; treat it as unknown.
                    if at_start {
                        continue;
                    }
                    ("aiocron", cron_period_seconds(&expr), false)
                }
                _ => continue,
            };
            self.out.jobs.push(ScheduledJob {
                scheduler: scheduler.to_string(),
                job: Some(def.name.to_string()),
                text: def.name.to_string(),
                period_seconds: period,
                runs_at_start: at_start,
                function: self.function(),
                span: (self.span_of)(d.range()),
            });
        }
    }
}

/// APScheduler's `weeks=`, `days=`, `hours=`, `minutes=`, `seconds=` as seconds.
impl StateWalk<'_> {
    /// SQL written literally as a call argument (`cur.execute("ALTER TABLE ...")`):
    /// schema changes and whole-table rewrites.
    fn sql_arguments(&mut self, call: &ast::ExprCall) {
        for arg in &call.arguments.args {
            let Some(text) = string_lit(arg) else {
                continue;
            };
            if text.len() > 20_000 {
                continue;
            }
            for (kind, table, statement) in schema_changes(&text) {
                let change = SchemaChange {
                    kind,
                    table,
                    statement,
                    function: self.function(),
                    in_try: self.in_try > 0,
                    span: (self.span_of)(arg.range()),
                };
                self.out.schema_changes.push(change);
            }
        }
    }
}

fn interval_seconds(call: &ast::ExprCall) -> Option<u64> {
    let mut total = 0.0;
    let mut any = false;
    for (k, unit) in [
        ("weeks", 604_800.0),
        ("days", 86_400.0),
        ("hours", 3600.0),
        ("minutes", 60.0),
        ("seconds", 1.0),
    ] {
        if let Some(v) = keyword(call, k) {
            total += number(v)? * unit;
            any = true;
        }
    }
    any.then_some(total as u64)
}

/// The period of a `schedule.every(n).<unit>` chain: `Some(Some(seconds))`, `Some(None)`
/// at a fixed time (`.at("09:00")`, `.monday`), `None` when not such a chain.
fn every_period(e: &Expr) -> Option<Option<u64>> {
    let mut unit: Option<&str> = None;
    let mut at = false;
    let mut cur = e;
    loop {
        match cur {
            Expr::Attribute(a) => {
                unit = unit.or(Some(a.attr.as_str()));
                cur = &a.value;
            }
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "every" => {
                    let n = c.arguments.args.first().and_then(number).unwrap_or(1.0);
                    let secs = match unit?.trim_end_matches('s') {
                        "second" => 1.0,
                        "minute" => 60.0,
                        "hour" => 3600.0,
                        "day" => 86_400.0,
                        "week" => 604_800.0,
                        _ => return Some(None),
                    };
                    return Some((!at).then_some((n * secs) as u64));
                }
                Expr::Attribute(a) => {
                    if matches!(a.attr.as_str(), "at" | "to") {
                        at = true;
                    }
                    cur = &a.value;
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// `not os.path.exists(p)`, `not os.path.isfile(p)`, `not Path(p).exists()`: the test
/// holds when the file is missing.
/// `x == "test"` / `"test" == x`: the environment names a test run.
fn is_test_run(test: &Expr) -> bool {
    let Expr::Compare(c) = test else {
        return false;
    };
    let is_test = |e: &Expr| matches!(e, Expr::StringLiteral(s) if matches!(s.value.to_str(), "test" | "testing"));
    c.ops.len() == 1
        && matches!(c.ops[0], ast::CmpOp::Eq)
        && (is_test(&c.left) || c.comparators.iter().any(is_test))
}

fn tests_missing_file(test: &Expr) -> bool {
    let Expr::UnaryOp(u) = test else {
        return false;
    };
    if u.op != ast::UnaryOp::Not {
        return false;
    }
    let Expr::Call(c) = &*u.operand else {
        return false;
    };
    matches!(&*c.func, Expr::Attribute(a) if matches!(a.attr.as_str(), "exists" | "isfile"))
}

impl<'a> Visitor<'a> for StateWalk<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for d in &def.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.decorated_job(def);
                let name = match self.classes.last() {
                    Some(c) => format!("{c}.{}", def.name),
                    None => def.name.to_string(),
                };
                self.functions.push(name);
                self.locals.push(function_locals(def));
                let open = std::mem::take(&mut self.open_files);
                let swallowed = std::mem::take(&mut self.swallowed);
                let in_try = std::mem::take(&mut self.in_try);
                for s in &def.body {
                    self.visit_stmt(s);
                }
                self.open_files = open;
                self.swallowed = swallowed;
                self.in_try = in_try;
                self.locals.pop();
                self.functions.pop();
            }
            Stmt::ClassDef(class) => {
                self.classes.push(class.name.to_string());
                visitor::walk_stmt(self, stmt);
                self.classes.pop();
            }
            Stmt::If(i) if is_test_run(&i.test) => {
                self.visit_expr(&i.test);
                self.in_tests += 1;
                for s in &i.body {
                    self.visit_stmt(s);
                }
                self.in_tests -= 1;
                for clause in &i.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
            }
            Stmt::If(i) if tests_missing_file(&i.test) => {
                self.visit_expr(&i.test);
                self.when_missing += 1;
                for s in &i.body {
                    self.visit_stmt(s);
                }
                self.when_missing -= 1;
                for clause in &i.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let (Some(path), Some(Expr::Name(n))) = (
                        open_for_write(&item.context_expr),
                        item.optional_vars.as_deref(),
                    ) {
                        self.open_files.insert(n.id.to_string(), path.clone());
                    }
                }
                for s in &with.body {
                    self.visit_stmt(s);
                }
            }
            Stmt::Try(t) => {
                let swallows = !t.handlers.is_empty()
                    && t.handlers.iter().all(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        h.body.iter().all(|s| match s {
                            Stmt::Pass(_) => true,
                            Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_)),
                            _ => false,
                        })
                    });
                if swallows {
                    self.swallowed += 1;
                }
                self.in_try += 1;
                for s in &t.body {
                    self.visit_stmt(s);
                }
                self.in_try -= 1;
                if swallows {
                    self.swallowed -= 1;
                }
                for h in &t.handlers {
                    self.visit_except_handler(h);
                }
                for s in t.orelse.iter().chain(&t.finalbody) {
                    self.visit_stmt(s);
                }
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    match t {
                        Expr::Subscript(s) => self.op(&s.value, ContainerOpKind::Grow, a.range()),
                        Expr::Name(_) if !self.functions.is_empty() => {
                            self.op(t, ContainerOpKind::Shrink, a.range())
                        }
                        _ => {}
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    if let Expr::Subscript(s) = t {
                        self.op(&s.value, ContainerOpKind::Shrink, d.range());
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                self.call(call);
                self.sql_arguments(call);
            }
            // `if len(cache) > 1000:` bounds it.
            Expr::Compare(c) => {
                for side in std::iter::once(&*c.left).chain(c.comparators.iter()) {
                    if let Expr::Call(len) = side
                        && last_name(&len.func) == Some("len")
                        && let Some(arg) = len.arguments.args.first()
                    {
                        self.op(arg, ContainerOpKind::Shrink, c.range());
                    }
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// `open(p, "w")`, `open(p, mode="a+")`: the mode writes, appends or creates.
fn opens_for_write(call: &ast::ExprCall) -> bool {
    let mode = call
        .arguments
        .args
        .get(1)
        .or_else(|| keyword(call, "mode"))
        .and_then(string_lit);
    mode.is_some_and(|m| m.contains(['w', 'a', 'x']))
}

#[cfg(test)]
mod tests {
    use crate::analyze;
    use flightcheck_core::state::ContainerOpKind;

    #[test]
    fn json_writes() {
        let src = "import json, os\nDB = 'data/users.json'\ndef save(d):\n    with open(DB, 'w') as f:\n        json.dump(d, f)\ndef save2(d):\n    try:\n        json.dump(d, open(DB, 'w'))\n    except Exception:\n        pass\ndef safe(d):\n    with open(DB + '.tmp', 'w') as f:\n        f.write(json.dumps(d))\n    os.replace(DB + '.tmp', DB)\ndef log(d):\n    with open('x.json', 'a') as f:\n        json.dump(d, f)\n";
        let f = analyze(src, &[]);
        let w: Vec<(Option<&str>, Option<&str>, bool, bool)> = f
            .state
            .file_writes
            .iter()
            .map(|w| {
                (
                    w.function.as_deref(),
                    w.path.as_deref(),
                    w.atomic,
                    w.error_ignored.is_some(),
                )
            })
            .collect();
        assert_eq!(
            w,
            vec![
                (Some("save"), Some("data/users.json"), false, false),
                (Some("save2"), Some("data/users.json"), false, true),
                (Some("safe"), None, true, false),
            ]
        );
    }

    #[test]
    fn containers_and_ops() {
        let src = "users = {}\nseen = set()\ndef on_msg(m):\n    users[m.id] = m\n    seen.add(m.id)\ndef local():\n    users = {}\n    users['a'] = 1\ndef forget(k):\n    del users[k]\n";
        let f = analyze(src, &[]);
        assert_eq!(f.state.containers.len(), 2);
        let ops: Vec<(&str, ContainerOpKind)> = f
            .state
            .container_ops
            .iter()
            .map(|o| (o.name.as_str(), o.kind))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("users", ContainerOpKind::Grow),
                ("seen", ContainerOpKind::Grow),
                ("users", ContainerOpKind::Shrink),
            ]
        );
    }

    #[test]
    fn jobs() {
        let src = "schedule.every(1).hours.do(expire_subs)\nschedule.every().day.at('09:00').do(send_reminders)\nsched.add_job(cleanup, 'interval', minutes=30)\nsched.add_job(billing, 'interval', hours=1, next_run_time=datetime.now())\napp.job_queue.run_repeating(check_due, interval=600)\napp.job_queue.run_repeating(check_due, interval=600, first=0)\n@aiocron.crontab('*/10 * * * *')\nasync def remind():\n    pass\n";
        let f = analyze(src, &[]);
        let jobs: Vec<(Option<&str>, Option<u64>, bool)> = f
            .state
            .jobs
            .iter()
            .map(|j| (j.job.as_deref(), j.period_seconds, j.runs_at_start))
            .collect();
        assert_eq!(
            jobs,
            vec![
                (Some("expire_subs"), Some(3600), false),
                (Some("send_reminders"), None, false),
                (Some("cleanup"), Some(1800), false),
                (Some("billing"), Some(3600), true),
                (Some("check_due"), Some(600), false),
                (Some("check_due"), Some(600), true),
                (Some("remind"), Some(600), false),
            ]
        );
    }
}
