//! State facts of one JS/TS file: whole-file writes (and whether they are atomic and
//! checked), module-level containers and the operations that grow or shrink them, and
//! periodic jobs (`setInterval`, node-cron, cron's `CronJob`, node-schedule).

use crate::fn_names::{FunctionNames, is_function_expr};
use flightcheck_core::state::{
    ContainerOp, ContainerOpKind, FileWrite, LongLivedContainer, ScheduledJob, SchemaChange,
    StateFacts, cron_period_seconds, mentions_schema_version, schema_changes,
};
use flightcheck_core::{FileFacts, Span};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::ScopeFlags;
use oxc_semantic::{Scoping, SymbolId};
use oxc_span::GetSpan;
use std::collections::HashMap;

const WRITE_APIS: [&str; 10] = [
    "writeFileSync",
    "writeFile",
    "outputFile",
    "outputFileSync",
    "writeJson",
    "writeJsonSync",
    "writeJSON",
    "writeJSONSync",
    "outputJson",
    "outputJsonSync",
];

pub(crate) fn extract(
    program: &Program,
    source: &str,
    scoping: &Scoping,
    span_of: &dyn Fn(u32, u32) -> Span,
    facts: &mut FileFacts,
) {
    let mut walk = StateWalk {
        source,
        scoping,
        span_of,
        names: FunctionNames::default(),
        strings: HashMap::new(),
        numbers: HashMap::new(),
        promise_write_names: Vec::new(),
        out: StateFacts::default(),
        write_function: Vec::new(),
        renamed_in: Vec::new(),
        statement_call: None,
        empty_catch: 0,
        when_missing: 0,
        in_tests: 0,
        in_try: 0,
    };
    // Literal constants first: paths and periods are often named (`const DB = 'db.json'`).
    for stmt in &program.body {
        walk.top_level(stmt);
    }
    for import in &facts.imports {
        if matches!(
            import.specifier.as_str(),
            "fs/promises" | "node:fs/promises" | "fs-extra"
        ) {
            walk.promise_write_names
                .extend(import.names.iter().cloned());
        }
    }
    walk.visit_program(program);
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
    scoping: &'s Scoping,
    span_of: &'s dyn Fn(u32, u32) -> Span,
    names: FunctionNames,
    strings: HashMap<String, String>,
    numbers: HashMap<String, f64>,
    /// Names imported from `fs/promises`: bare `writeFile(...)` returns a promise.
    promise_write_names: Vec<String>,
    out: StateFacts,
    /// The function of each recorded write (parallel to `out.file_writes`).
    write_function: Vec<Option<String>>,
    /// Functions that rename a file into place.
    renamed_in: Vec<Option<String>>,
    /// Start of the call that is a whole expression statement (its result dropped).
    statement_call: Option<oxc_span::Span>,
    /// Depth of `try` blocks whose `catch` is empty.
    empty_catch: u32,
    /// Inside `if (!fs.existsSync(…))`: code that runs only when a file is missing.
    when_missing: u32,
    /// Inside `if (x === 'test')`: a branch only test runs take.
    in_tests: u32,
    /// Depth of `try` blocks of any kind.
    in_try: u32,
}

/// `a.b.c` → `c`, `f` → `f`.
fn last_name<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    }
}

impl<'s> StateWalk<'s> {
    fn span(&self, span: oxc_span::Span) -> Span {
        (self.span_of)(span.start, span.end)
    }

    fn line(&self, span: oxc_span::Span) -> u32 {
        self.span(span).line
    }

    fn text(&self, span: oxc_span::Span) -> String {
        let raw = self
            .source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        flightcheck_core::text::truncate(&one_line, 80)
    }

    fn function(&self) -> Option<String> {
        self.names.current()
    }

    fn enter_function(&mut self, own: Option<String>, iife: bool) {
        self.names.enter(own, iife);
    }

    /// The module-level symbol an identifier refers to (its own or an imported binding).
    fn module_symbol(&self, id: &IdentifierReference) -> Option<SymbolId> {
        let reference = id.reference_id.get()?;
        let symbol = self.scoping.get_reference(reference).symbol_id()?;
        (self.scoping.symbol_scope_id(symbol) == self.scoping.root_scope_id()).then_some(symbol)
    }

    fn module_name<'e>(&self, e: &'e Expression<'e>) -> Option<&'e str> {
        match e.without_parentheses() {
            Expression::Identifier(id) if self.module_symbol(id).is_some() => {
                Some(id.name.as_str())
            }
            _ => None,
        }
    }

    fn op(&mut self, name: &str, kind: ContainerOpKind, span: oxc_span::Span) {
        let line = self.line(span);
        let function = self.function();
        self.out.container_ops.push(ContainerOp {
            name: name.to_string(),
            kind,
            function,
            line,
        });
    }

    fn top_level(&mut self, stmt: &Statement) {
        let decl = match stmt {
            Statement::VariableDeclaration(d) => d,
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::VariableDeclaration(d) => d,
                _ => return,
            },
            _ => return,
        };
        for d in &decl.declarations {
            let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) else {
                continue;
            };
            let name = id.name.to_string();
            if let Some(s) = self.path_literal(init) {
                self.strings.insert(name.clone(), s);
            }
            if let Some(n) = self.number(init) {
                self.numbers.insert(name.clone(), n);
            }
            let kind = match init.without_parentheses() {
                Expression::NewExpression(n) => match n.callee.without_parentheses() {
                    Expression::Identifier(c) if matches!(c.name.as_str(), "Map" | "Set") => {
                        c.name.to_string()
                    }
                    _ => continue,
                },
                Expression::ObjectExpression(o) if o.properties.is_empty() => "object".into(),
                Expression::ArrayExpression(a) if a.elements.is_empty() => "array".into(),
                _ => continue,
            };
            let span = self.span(id.span);
            self.out
                .containers
                .push(LongLivedContainer { name, kind, span });
        }
    }

    /// A numeric constant: literals, `* + -` of constants, named module constants.
    fn number(&self, e: &Expression) -> Option<f64> {
        match e.without_parentheses() {
            Expression::NumericLiteral(n) => Some(n.value),
            Expression::Identifier(id) => self.numbers.get(id.name.as_str()).copied(),
            Expression::BinaryExpression(b) => {
                let (l, r) = (self.number(&b.left)?, self.number(&b.right)?);
                match b.operator {
                    BinaryOperator::Multiplication => Some(l * r),
                    BinaryOperator::Addition => Some(l + r),
                    BinaryOperator::Subtraction => Some(l - r),
                    BinaryOperator::Division if r != 0.0 => Some(l / r),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The file a path expression names: a string, a template's literal tail, a module
    /// constant, the last argument of `path.join`/`path.resolve`.
    fn path_literal(&self, e: &Expression) -> Option<String> {
        match e.without_parentheses() {
            Expression::StringLiteral(s) => Some(s.value.to_string()),
            Expression::TemplateLiteral(t) => {
                let tail = t.quasis.last()?.value.raw.as_str().trim_start_matches('/');
                (!tail.is_empty()).then(|| tail.to_string())
            }
            Expression::Identifier(id) => self.strings.get(id.name.as_str()).cloned(),
            Expression::CallExpression(c)
                if last_name(&c.callee)
                    .is_some_and(|n| matches!(n, "join" | "resolve" | "normalize")) =>
            {
                c.arguments
                    .last()
                    .and_then(|a| a.as_expression())
                    .and_then(|a| self.path_literal(a))
            }
            _ => None,
        }
    }

    /// Whether the receiver of a write call is a file-system module.
    fn fs_receiver(&self, callee: &Expression) -> Option<(bool, String)> {
        match callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => {
                let r = self.text(m.object.span());
                let lower = r.to_ascii_lowercase();
                let fs_like = lower == "fs"
                    || lower.ends_with("fs")
                    || lower.contains("promises")
                    || lower == "fse"
                    || lower.contains("fsextra")
                    || lower == "jsonfile";
                let promise = lower.contains("promises")
                    || lower == "fsp"
                    || lower == "fsextra"
                    || lower == "fse";
                fs_like.then(|| (promise, format!("{r}.{}", m.property.name)))
            }
            Expression::Identifier(id) => {
                let promise = self
                    .promise_write_names
                    .iter()
                    .any(|n| n == id.name.as_str());
                Some((promise, id.name.to_string()))
            }
            _ => None,
        }
    }

    /// A read of a file: `fs.readFileSync(p)`, `fs.promises.readFile(p)`, `readJson(p)`,
    /// `require('./db.json')`.
    fn file_read(&mut self, call: &CallExpression) {
        let Some(name) = last_name(&call.callee) else {
            return;
        };
        let target = match name {
            "require" => call
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .filter(|e| {
                    matches!(e.without_parentheses(), Expression::StringLiteral(s) if s.value.ends_with(".json"))
                }),
            "readFileSync" | "readFile" | "readJson" | "readJSON" | "readJsonSync"
            | "readJSONSync"
                if self.fs_receiver(&call.callee).is_some() =>
            {
                call.arguments.first().and_then(|a| a.as_expression())
            }
            _ => None,
        };
        let Some(target) = target else { return };
        let path = self.path_literal(target);
        let read = flightcheck_core::state::FileRead {
            path,
            target: self.text(target.span()),
            span: self.span(call.span),
        };
        self.out.file_reads.push(read);
    }

    fn file_write(&mut self, call: &CallExpression) {
        let Some(name) = last_name(&call.callee) else {
            return;
        };
        if !WRITE_APIS.contains(&name) {
            return;
        }
        let Some((promise_api, api)) = self.fs_receiver(&call.callee) else {
            return;
        };
        let args: Vec<&Expression> = call
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect();
        let Some(target) = args.first() else { return };
        let json = name.to_ascii_lowercase().contains("json")
            || args.get(1).is_some_and(|a| {
                matches!(a.without_parentheses(), Expression::CallExpression(c)
                    if self.text(c.callee.span()) == "JSON.stringify")
            });
        let sync = name.ends_with("Sync");
        let callback = args
            .last()
            .filter(|a| args.len() >= 3 && is_function_expr(a));
        let mut error_ignored = None;
        if let Some(cb) = callback {
            if !self.callback_uses_error(cb) {
                error_ignored = Some("its callback ignores the error argument".to_string());
            }
        } else if !sync
            && (promise_api || name.contains("Json") || name.contains("JSON"))
            && self.statement_call == Some(call.span)
        {
            error_ignored = Some("its promise is neither awaited nor caught".to_string());
        }
        if error_ignored.is_none() && self.empty_catch > 0 {
            error_ignored = Some("an empty `catch` swallows its error".to_string());
        }
        let path = self.path_literal(target);
        let target_text = self.text(target.span());
        let function = self.function();
        let span = self.span(call.span);
        self.write_function.push(function.clone());
        self.out.file_writes.push(FileWrite {
            api,
            path,
            target: target_text,
            json,
            function,
            atomic: false,
            error_ignored,
            only_when_missing: self.when_missing > 0,
            only_in_tests: self.in_tests > 0,
            span,
        });
    }

    fn callback_uses_error(&self, cb: &Expression) -> bool {
        let params = match cb.without_parentheses() {
            Expression::FunctionExpression(f) => &f.params,
            Expression::ArrowFunctionExpression(f) => &f.params,
            _ => return true,
        };
        let Some(first) = params.items.first() else {
            return false;
        };
        match &first.pattern {
            BindingPattern::BindingIdentifier(id) => id
                .symbol_id
                .get()
                .is_none_or(|s| self.scoping.get_resolved_references(s).next().is_some()),
            _ => true,
        }
    }

    fn job(&mut self, call: &CallExpression) {
        let args: Vec<&Expression> = call
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect();
        let callee = self.text(call.callee.span());
        let last = last_name(&call.callee).unwrap_or("");
        let (scheduler, func, period, runs_at_start) = match last {
            "setInterval" if callee == "setInterval" || callee.ends_with(".setInterval") => {
                let Some(ms) = args.get(1).and_then(|a| self.number(a)) else {
                    return;
                };
                (
                    "setInterval",
                    args.first().copied(),
                    Some((ms / 1000.0) as u64),
                    false,
                )
            }
            // node-cron `cron.schedule('0 * * * *', fn)`, node-schedule
            // `schedule.scheduleJob('0 9 * * *', fn)`.
            "schedule" | "scheduleJob" => {
                let expr = match args.first().map(|a| a.without_parentheses()) {
                    Some(Expression::StringLiteral(s)) => s.value.to_string(),
                    _ => return,
                };
                let fields = expr.split_whitespace().count();
                if !(5..=6).contains(&fields) {
                    return;
                }
                let func = args
                    .iter()
                    .skip(1)
                    .find(|a| {
                        is_function_expr(a)
                            || matches!(
                                a.without_parentheses(),
                                Expression::Identifier(_) | Expression::StaticMemberExpression(_)
                            )
                    })
                    .copied();
                let scheduler = if last == "schedule" {
                    "node-cron"
                } else {
                    "node-schedule"
                };
                (scheduler, func, cron_period_seconds(&expr), false)
            }
            _ => return,
        };
        self.push_job(scheduler, func, period, runs_at_start, call.span);
    }

    /// `new CronJob('0 * * * *', fn, onComplete, start, tz, ctx, runOnInit)`.
    fn cron_job(&mut self, n: &NewExpression) {
        if last_name(&n.callee) != Some("CronJob") {
            return;
        }
        let args: Vec<&Expression> = n
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect();
        let expr = match args.first().map(|a| a.without_parentheses()) {
            Some(Expression::StringLiteral(s)) => s.value.to_string(),
            _ => return,
        };
        let run_on_init = matches!(
            args.get(6).map(|a| a.without_parentheses()),
            Some(Expression::BooleanLiteral(b)) if b.value
        );
        let func = args.get(1).copied();
        self.push_job(
            "cron",
            func,
            cron_period_seconds(&expr),
            run_on_init,
            n.span,
        );
    }

    fn push_job(
        &mut self,
        scheduler: &str,
        func: Option<&Expression>,
        period: Option<u64>,
        runs_at_start: bool,
        span: oxc_span::Span,
    ) {
        let Some(func) = func else { return };
        let job = match func.without_parentheses() {
            Expression::ArrowFunctionExpression(f) => match &f.body {
                ArrowFunctionBody::FunctionBody(b) => single_call(&b.statements),
                ArrowFunctionBody::CallExpression(c) => last_name(&c.callee).map(str::to_string),
                _ => None,
            },
            Expression::FunctionExpression(f) => {
                f.body.as_ref().and_then(|b| single_call(&b.statements))
            }
            e => last_name(e).map(str::to_string),
        };
        let text = self.text(func.span());
        let function = self.function();
        let span = self.span(span);
        self.out.jobs.push(ScheduledJob {
            scheduler: scheduler.to_string(),
            job,
            text,
            period_seconds: period,
            runs_at_start,
            function,
            span,
        });
    }
}

/// The function called by a body that is one call (`() => checkExpired()`,
/// `async () => { await sweep(); }`).
impl StateWalk<'_> {
    /// SQL written literally as a call argument (`db.run('ALTER TABLE ...')`,
    /// ``pool.query(`UPDATE ...`)``): schema changes and whole-table rewrites.
    fn sql_argument(&mut self, arg: &Argument) {
        let (text, span) = match arg {
            Argument::StringLiteral(s) => (s.value.to_string(), s.span),
            Argument::TemplateLiteral(t) => (
                t.quasis
                    .iter()
                    .map(|q| q.value.raw.as_str())
                    .collect::<Vec<_>>()
                    .join(" ? "),
                t.span,
            ),
            _ => return,
        };
        if text.len() > 20_000 {
            return;
        }
        for (kind, table, statement) in schema_changes(&text) {
            let change = SchemaChange {
                kind,
                table,
                statement,
                function: self.function(),
                in_try: self.in_try > 0,
                span: self.span(span),
            };
            self.out.schema_changes.push(change);
        }
    }
}

fn single_call(statements: &[Statement]) -> Option<String> {
    let [Statement::ExpressionStatement(s)] = statements else {
        return None;
    };
    let call = match s.expression.without_parentheses() {
        Expression::CallExpression(c) => c,
        Expression::AwaitExpression(a) => match a.argument.without_parentheses() {
            Expression::CallExpression(c) => c,
            _ => return None,
        },
        _ => return None,
    };
    last_name(&call.callee).map(str::to_string)
}

/// `!fs.existsSync(p)`, `!existsSync(p)`: the test holds when the file is missing.
/// `x === 'test'` / `'test' == x`: the environment names a test run.
fn is_test_run(test: &Expression) -> bool {
    let Expression::BinaryExpression(b) = test.without_parentheses() else {
        return false;
    };
    let is_test = |e: &Expression| matches!(e.without_parentheses(), Expression::StringLiteral(s) if matches!(s.value.as_str(), "test" | "testing"));
    matches!(
        b.operator,
        BinaryOperator::StrictEquality | BinaryOperator::Equality
    ) && (is_test(&b.left) || is_test(&b.right))
}

fn tests_missing_file(test: &Expression) -> bool {
    let Expression::UnaryExpression(u) = test.without_parentheses() else {
        return false;
    };
    if u.operator != UnaryOperator::LogicalNot {
        return false;
    }
    let Expression::CallExpression(c) = u.argument.without_parentheses() else {
        return false;
    };
    match c.callee.without_parentheses() {
        Expression::Identifier(i) => i.name == "existsSync",
        Expression::StaticMemberExpression(m) => m.property.name == "existsSync",
        _ => false,
    }
}

impl<'a> Visit<'a> for StateWalk<'_> {
    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        self.visit_expression(&it.test);
        let missing = tests_missing_file(&it.test);
        let tests_only = is_test_run(&it.test);
        if missing {
            self.when_missing += 1;
        }
        if tests_only {
            self.in_tests += 1;
        }
        self.visit_statement(&it.consequent);
        if missing {
            self.when_missing -= 1;
        }
        if tests_only {
            self.in_tests -= 1;
        }
        if let Some(alt) = &it.alternate {
            self.visit_statement(alt);
        }
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if self.names.pending.as_deref() == Some("<iife>") {
            self.names.pending = None;
            self.enter_function(None, true);
        } else {
            self.enter_function(it.id.as_ref().map(|id| id.name.to_string()), false);
        }
        let saved = std::mem::take(&mut self.empty_catch);
        walk::walk_function(self, it, flags);
        self.empty_catch = saved;
        self.names.leave();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let iife = self.names.pending.as_deref() == Some("<iife>");
        if iife {
            self.names.pending = None;
        }
        self.enter_function(None, iife);
        let saved = std::mem::take(&mut self.empty_catch);
        walk::walk_arrow_function_expression(self, it);
        self.empty_catch = saved;
        self.names.leave();
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        self.names.enter_class(it);
        walk::walk_class(self, it);
        self.names.leave_class();
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.names.name_method(it);
        walk::walk_method_definition(self, it);
        self.names.pending = None;
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        self.names.name_class_field(it);
        walk::walk_property_definition(self, it);
        self.names.pending = None;
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        self.names.name_object_value(it);
        walk::walk_object_property(self, it);
        self.names.pending = None;
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init)
            && is_function_expr(init)
        {
            self.names.pending = Some(id.name.to_string());
        }
        walk::walk_variable_declarator(self, it);
        self.names.pending = None;
    }

    fn visit_expression_statement(&mut self, it: &ExpressionStatement<'a>) {
        if let Expression::CallExpression(c) = it.expression.without_parentheses() {
            self.statement_call = Some(c.span);
        }
        walk::walk_expression_statement(self, it);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        let empty = it.handler.as_ref().is_some_and(|h| h.body.body.is_empty());
        if empty {
            self.empty_catch += 1;
        }
        self.in_try += 1;
        self.visit_block_statement(&it.block);
        self.in_try -= 1;
        if empty {
            self.empty_catch -= 1;
        }
        if let Some(h) = &it.handler {
            self.visit_catch_clause(h);
        }
        if let Some(f) = &it.finalizer {
            self.visit_block_statement(f);
        }
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.cron_job(it);
        walk::walk_new_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.file_read(it);
        self.file_write(it);
        self.job(it);
        for arg in &it.arguments {
            self.sql_argument(arg);
        }
        if let Expression::StaticMemberExpression(m) = it.callee.without_parentheses() {
            let method = m.property.name.as_str();
            if let Some(name) = self.module_name(&m.object) {
                let kind = match method {
                    "set" | "add" | "push" | "unshift" => Some(ContainerOpKind::Grow),
                    "delete" | "clear" | "splice" | "shift" | "pop" => {
                        Some(ContainerOpKind::Shrink)
                    }
                    _ => None,
                };
                if let Some(kind) = kind {
                    let name = name.to_string();
                    self.op(&name, kind, it.span);
                }
            }
            if matches!(method, "rename" | "renameSync" | "move" | "moveSync") {
                let f = self.function();
                self.renamed_in.push(f);
            }
        }
        if is_function_expr(&it.callee) {
            self.names.pending = Some("<iife>".into());
        }
        self.visit_expression(&it.callee);
        self.names.pending = None;
        let callee = flightcheck_core::text::truncate(&self.text(it.callee.span()), 40);
        for arg in &it.arguments {
            if arg.as_expression().is_some_and(is_function_expr) {
                self.names.pending = Some(format!("callback of {callee}"));
            }
            self.visit_argument(arg);
            self.names.pending = None;
        }
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        match &it.left {
            // `cache[key] = value`
            AssignmentTarget::ComputedMemberExpression(m) => {
                if let Some(name) = self.module_name(&m.object) {
                    let name = name.to_string();
                    self.op(&name, ContainerOpKind::Grow, it.span);
                }
            }
            // `list.length = 0`
            AssignmentTarget::StaticMemberExpression(m) if m.property.name == "length" => {
                if let Some(name) = self.module_name(&m.object) {
                    let name = name.to_string();
                    self.op(&name, ContainerOpKind::Shrink, it.span);
                }
            }
            // `cache = new Map()` inside a function: replaced wholesale.
            AssignmentTarget::AssignmentTargetIdentifier(id)
                if self.names.in_function() && self.module_symbol(id).is_some() =>
            {
                let name = id.name.to_string();
                self.op(&name, ContainerOpKind::Shrink, it.span);
            }
            _ => {}
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        // `delete cache[key]`
        if it.operator == UnaryOperator::Delete
            && let Some(m) = it.argument.as_member_expression()
            && let Some(name) = self.module_name(m.object())
        {
            let name = name.to_string();
            self.op(&name, ContainerOpKind::Shrink, it.span);
        }
        walk::walk_unary_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        // `if (cache.size > 1000)`: a size check bounds it.
        if matches!(
            it.operator,
            BinaryOperator::GreaterThan
                | BinaryOperator::GreaterEqualThan
                | BinaryOperator::LessThan
                | BinaryOperator::LessEqualThan
        ) {
            for side in [&it.left, &it.right] {
                if let Expression::StaticMemberExpression(m) = side.without_parentheses()
                    && matches!(m.property.name.as_str(), "size" | "length")
                    && let Some(name) = self.module_name(&m.object)
                {
                    let name = name.to_string();
                    self.op(&name, ContainerOpKind::Shrink, it.span);
                }
            }
        }
        walk::walk_binary_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze;
    use flightcheck_core::state::ContainerOpKind;

    #[test]
    fn writes_containers_and_jobs() {
        let src = "const fs = require('fs');\nconst DB = './data/users.json';\nconst HOUR = 60 * 60 * 1000;\nconst seen = new Map();\nfunction save(db) {\n  fs.writeFileSync(DB, JSON.stringify(db));\n}\nfunction saveLater(db) {\n  fs.writeFile(DB, JSON.stringify(db), () => {});\n  fs.promises.writeFile(DB, JSON.stringify(db));\n}\nasync function safe(db) {\n  await fs.promises.writeFile(DB + '.tmp', JSON.stringify(db));\n  await fs.promises.rename(DB + '.tmp', DB);\n}\nbot.on('message', (ctx) => { seen.set(ctx.from.id, Date.now()); });\nsetInterval(() => expireOrders(), HOUR);\ncron.schedule('*/5 * * * *', sendReminders);\n";
        let f = analyze("bot.js", src, &[]);
        let w: Vec<(Option<&str>, bool, bool, Option<&str>)> = f
            .state
            .file_writes
            .iter()
            .map(|w| {
                (
                    w.function.as_deref(),
                    w.json,
                    w.atomic,
                    w.error_ignored.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            w,
            vec![
                (Some("save"), true, false, None),
                (
                    Some("saveLater"),
                    true,
                    false,
                    Some("its callback ignores the error argument")
                ),
                (
                    Some("saveLater"),
                    true,
                    false,
                    Some("its promise is neither awaited nor caught")
                ),
                (Some("safe"), true, true, None),
            ]
        );
        assert_eq!(
            f.state.file_writes[0].path.as_deref(),
            Some("./data/users.json")
        );
        assert_eq!(f.state.containers.len(), 1);
        assert_eq!(f.state.container_ops.len(), 1);
        assert_eq!(f.state.container_ops[0].kind, ContainerOpKind::Grow);
        assert_eq!(
            f.state.container_ops[0].function.as_deref(),
            Some("callback of bot.on")
        );
        let jobs: Vec<(Option<&str>, Option<u64>)> = f
            .state
            .jobs
            .iter()
            .map(|j| (j.job.as_deref(), j.period_seconds))
            .collect();
        assert_eq!(
            jobs,
            vec![
                (Some("expireOrders"), Some(3600)),
                (Some("sendReminders"), Some(300))
            ]
        );
    }

    #[test]
    fn local_shadows_and_removals() {
        let src = "const cache = new Map();\nfunction f() { const cache = []; cache.push(1); }\nfunction g(k) { delete cache[k]; if (cache.size > 10) cache.clear(); }\n";
        let f = analyze("x.js", src, &[]);
        let kinds: Vec<ContainerOpKind> = f.state.container_ops.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ContainerOpKind::Shrink,
                ContainerOpKind::Shrink,
                ContainerOpKind::Shrink
            ]
        );
    }
}
