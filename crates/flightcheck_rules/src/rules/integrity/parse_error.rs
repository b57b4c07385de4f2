//! `integrity/parse-error`: a source file the runtime refuses to load.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, Language, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/parse-error",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A reachable source file does not parse",
    when_unreachable: WhenUnreachable::Downgrade(Severity::Low),
    effort_minutes: 15,
    docs: r#"## What it does
Parses every JavaScript/TypeScript file with oxc (including the early errors that a runtime
reports before running anything, such as a `const` declared twice in one scope, which
`node --check` rejects) and every Python file with ruff's parser (the errors
`python3 -m py_compile` reports, and files that are not valid UTF-8), plus the compiler's
placement checks the parser leaves out: `await`, `async for` and `async with` outside an
`async def` (in a plain `def`, a lambda, a class body or at module level).

## Why it breaks production
Node and Python refuse to load a module that does not parse. If an entry point imports the
file, directly or through other modules, the process dies at startup (or when the import
first runs) and the service never comes up. The severity is `blocker` when an entry point
reaches the file, `low` when nothing starts it (dead code still deserves a note: someone may
wire it back in).

## Flagged
```js
function book() {
  const slot = pickSlot();
  const slot = pickSlot(); // SyntaxError: Identifier 'slot' has already been declared
}
```
```python
def handler(message:   # SyntaxError
    pass
```

## Not flagged
```js
{ const slot = 1; }
{ const slot = 2; } // different block scopes
```
Files skipped as minified or generated bundles are not parsed (the scan notes them).

## Fix
Fix the syntax at the reported line, then confirm with `node --check FILE` (JavaScript),
`npx tsc --noEmit` (TypeScript) or `python3 -m py_compile FILE` (Python).
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for &file in &ctx.sources {
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        let Some(first) = facts.syntax_issues.first() else {
            continue;
        };
        let rel = ctx.rel(file);
        let more = facts.syntax_issues.len() - 1;
        let mut message = format!("`{rel}` does not parse: {}", first.message);
        if more > 0 {
            message.push_str(&format!(
                " ({more} more syntax error{} in the file)",
                if more == 1 { "" } else { "s" }
            ));
        }
        let (verify, runtime) = match ctx.language(file) {
            Some(Language::Python) => (format!("python3 -m py_compile {rel}"), "Python"),
            Some(Language::TypeScript) => ("npx tsc --noEmit".to_string(), "TypeScript/Node"),
            _ => (format!("node --check {rel}"), "Node"),
        };
        let mut finding = Finding::new(&META, message)
            .at(rel, first.span)
            .key(&first.message)
            .evidence(evidence_at(ctx, file, first.span, first.message.clone()))
            .impact(format!("{runtime} refuses to load this module; every entry point that imports it crashes when it loads."))
            .fix("Fix the syntax error at the reported line.")
            .verify(verify);
        for issue in facts.syntax_issues.iter().skip(1).take(4) {
            finding = finding.evidence(evidence_at(ctx, file, issue.span, issue.message.clone()));
        }
        out.push(finding);
    }
    out
}
