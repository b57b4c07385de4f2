//! `integrity/undefined-name`: a reachable file uses a name nothing defines.
//!
//! The JavaScript/TypeScript half reads oxc's scope analysis (`undefined_name/js.rs`), the Python half
//! the names walk of `flightcheck_python` (`undefined_name/python.rs`); one rule, one catalog entry.

mod js;
mod python;

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/undefined-name",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A reachable file uses a name that nothing defines",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
**JavaScript/TypeScript.** Uses the scope analysis of every reachable JavaScript/TypeScript file (oxc's semantic model:
declarations, imports, block scopes) to list the names the code reads or calls that no scope
declares, and drops every name something defines: ECMAScript and Node globals (`process`,
`Buffer`, `fetch`, `structuredClone`…), CommonJS module names (`require`, `__dirname`) in
files Node loads as CommonJS, browser globals in files that may run in a browser, test
globals (`describe`, `expect`, `vi`) in test files, names declared in ambient `.d.ts` files
or `declare global`, names other files put on `global`/`globalThis`, names guarded by
`typeof x`, names listed in `/* global … */` comments, and TypeScript type-only names.

**Python.** Resolves every name a Python file reads through the scopes Python uses (module, class,
function, lambda, comprehension and PEP 695 type-parameter scopes, `global`/`nonlocal`,
walrus targets, `match` captures, `except … as`, imports in `try`/`if TYPE_CHECKING`
blocks) and the interpreter's builtins, like ruff's and pyflakes' `F821`, and reports names
nothing defines. A name bound anywhere in a function or class counts as defined there
(conditional definitions are not guessed at); module-level code is read top to bottom, so
`print(x)` before `x = 1` is reported. Only files an entry point reaches are checked.
Inside an undecorated module-level function that no Python file of the project names
(no call, no reference handed to a registry, no `__all__` or `getattr` string), the finding
is low: the function is dead today and breaks whoever calls it first. Inside any other
function or method (JavaScript too) it is medium: the module loads and serves, the function
fails each time it runs, and which requests reach it is not proven (blind reviews found most
such names in handlers nothing opens, after an early `return`, or on error paths). At module
level it is a blocker: the process dies as it loads; so is a use in a function module-level
code calls (`main()`, `asyncio.run(main())`) or in a module-level async IIFE
(`(async () => { … })()`), which run as the program starts. Inside an `except` handler or a
discord.py error hook (`on_error`, `on_command_error`) it is medium: it fails only after
something else already failed. Code under
`if PY2:` or `if sys.version_info[0] == 2:` is not judged. The same holds for a
top-level JavaScript/TypeScript function (`function f`, `const f = () => …`) that no file
names beyond its declaration and its `module.exports` line.

## Why it breaks production
**JavaScript/TypeScript.** Reading a name nothing defines throws `ReferenceError` when the line runs: at module level
the service dies at startup, in a handler every request that reaches it fails. Typical
causes are a missing import after a refactor, a variable declared with `const` inside a
`try` block and used in its `catch`, and a corrupted line such as `appappapp.use(cors())`.

**Python.** Python looks names up when the line runs. A missing import or a corrupted line
(`appappapp.run()`) raises `NameError`: at module level the process dies at startup; in a
handler, every request or update that reaches it fails. Nothing catches it before a user
does, unless the code path is tested. A name in the `if __name__ == "__main__":` block of a
module another program of the project imports, and that nothing launches but its own guard,
is low: importing the module does not run that block; only running the file by hand does.

## Flagged
**JavaScript/TypeScript.** ```js
const express = require('express');
const app = express();
appappapp.use(express.json());       // ReferenceError: appappapp is not defined

try { const user = await load(id); } catch (e) { log(user.id); }   // user: not in scope
```
```js
// src/server.mjs: ES modules have no __dirname
app.use(express.static(path.join(__dirname, 'public')));
```

**Python.** ```python
def save(order):
    return json.dumps(order)      # `import json` is missing

logger.info("started")            # `logger` never assigned
```

## Not flagged
**JavaScript/TypeScript.** ```js
if (typeof window !== 'undefined') window.analytics.track(); // guarded
global.db = connect();      // in one file; `db.query()` in another is defined
/* global Stripe */        // declared for the linter
describe('x', () => {});    // in a test file
```
Files that no entry point reaches, `.vue`/`.svelte` files, and files with an `eslint-env`
comment naming an environment flightcheck does not know are not judged.

**Python.** ```python
try:
    import ujson as json
except ImportError:
    json = None                   # bound on both paths
if TYPE_CHECKING:
    from .models import User
def load(u: "User") -> None: ...  # a quoted annotation of a TYPE_CHECKING import
from .helpers import *            # the module is not judged: the star import may define anything
def run():
    exec(code)                    # names may come from `exec`, `locals()`, `eval`
    return result
try:
    unicode
except NameError:                 # the missing name is expected
    unicode = str
```
Names only read in quoted annotations, under `from __future__ import annotations`, or in
any annotation of a project that requires Python 3.14 or newer (`requires-python = ">=3.14"`,
PEP 649) are reported as `medium`: Python does not evaluate them, but type checkers and
`typing.get_type_hints` (FastAPI, pydantic, dataclasses with string types) do.

## Fix
**JavaScript/TypeScript.** Import or declare the name (or fix the typo), then run the entry point once, or
`npx eslint --rule 'no-undef: error' FILE` to list the same names.

**Python.** Import or define the name, or fix the typo; `ruff check --select F821` shows the same names.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = js::check(ctx);
    out.extend(python::check(ctx));
    out
}

/// Whether any running source of the project in `languages` names `function` other than
/// where it is declared, imported or listed as an export (`def f`, `function f`,
/// `const f =`, `from x import f`, `module.exports.f = f`): a call, a reference handed to a
/// registry, a `getattr` string.
/// A top-level function no file names this way runs only if something finds it by a
/// computed name, so a broken line in it is dead today.
fn named_elsewhere(
    ctx: &ProjectContext,
    file: usize,
    function: &str,
    languages: &[flightcheck_core::Language],
) -> bool {
    let declaring = [
        format!("def {function}"),
        format!("function {function}"),
        format!("const {function} ="),
        format!("let {function} ="),
        format!("var {function} ="),
    ];
    ctx.sources.iter().any(|&other| {
        // Only code that runs can call it: a mention in an archived copy, a test or a
        // template does not.
        if !ctx.language(other).is_some_and(|l| languages.contains(&l))
            || (other != file && !ctx.files[other].reachable)
        {
            return false;
        }
        let Some(text) = ctx.files[other].text.as_deref() else {
            return false;
        };
        if !text.contains(function) {
            return false;
        }
        let mut in_import = false;
        text.lines().any(|line| {
            // An import names the function without calling it: `from x import (a, f)`,
            // `import { f } from './x'`, `const { f } = require('./x')`.
            let t = line.trim_start();
            let import_line = in_import
                || t.starts_with("from ")
                || t.starts_with("import ")
                || (t.contains("require(") && !t.contains(&format!("{function}(")));
            if (t.starts_with("from ") && t.contains("import (") && !t.contains(')'))
                || (t.starts_with("import {") && !t.contains('}'))
            {
                in_import = true;
            } else if in_import && (t.contains(')') || t.contains('}')) {
                in_import = false;
            }
            !import_line
                && whole_word_count(line, function) > 0
                && !declaring.iter().any(|d| line.contains(d))
                && (other != file || !line.contains("exports"))
        })
    })
}

fn whole_word_count(text: &str, word: &str) -> usize {
    let is_ident = |c: char| c == '_' || c == '$' || c.is_alphanumeric();
    text.match_indices(word)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::whole_word_count;

    #[test]
    fn whole_words_only() {
        assert_eq!(
            whole_word_count("def run(): pass\nrun()\nrunner()", "run"),
            2
        );
        assert_eq!(whole_word_count("__all__ = ['run_async']", "run_async"), 1);
        assert_eq!(whole_word_count("$run(); run$()", "run"), 0);
    }
}
