//! `integrity/missing-export`: an import of a name the local module does not export.
//!
//! The JavaScript/TypeScript half reads oxc's scope analysis (`missing_export/js.rs`), the Python half
//! the names walk of `flightcheck_python` (`missing_export/python.rs`); one rule, one catalog entry.

mod js;
mod python;

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/missing-export",
    severity: Severity::High,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "An import of a name the local module does not export",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 10,
    docs: r#"## What it does
**JavaScript/TypeScript.** For every named import of a project module in a reachable JavaScript/TypeScript file
(`import { x } from './m'`, `import x from './m'`, `export { x } from './m'`,
`const { x } = require('./m')`, `require('./m').x`), lists what the module exports (ES
`export` declarations and lists, `export * from` chains followed through the project's
files, CommonJS `module.exports = { … }`, `module.exports.x =`, `exports.x =`) and reports
names it does not export.

**Python.** Resolves every Python `from module import name` whose module is one of the project's own
files (relative imports, and absolute imports into the project's packages, searched from
the project root, `src/` and the directory a Procfile runs its commands in) and checks that
the module binds `name` at module level: a `def`, `class`, assignment, import, `for`/`with`
target or a name a function declares `global`. A `name` that is a submodule
(`pkg/name.py`, `pkg/name/`) is fine. Only files an entry point reaches are checked.

A blocker, not high, when the import sits at module level of a Python file that is itself
the service's entry point (`main.py` a Procfile or Dockerfile starts): the ImportError ends
the process before it serves anything. The missing names of one Python import statement are
one finding.

## Why it breaks production
**JavaScript/TypeScript.** An ES module that imports a name its target does not export fails to link: Node throws
`SyntaxError: The requested module './m' does not provide an export named 'x'` and the
process never starts. With CommonJS the destructured value is `undefined`, and the first
call (`x()`) throws `TypeError: x is not a function` in the middle of a request.

**Python.** `from .services import charge_card` when `services.py` only has `charge` raises
`ImportError: cannot import name 'charge_card'` as soon as the importing module loads:
usually at startup, after a rename or a half-finished refactor that the author's editor
did not catch because the stale `.pyc` or an old branch still had it.

## Flagged
**JavaScript/TypeScript.** ```js
// src/bot.js
const { sendInvoice } = require('./billing');   // billing.js exports { createInvoice }
```
```ts
import { formatPrice } from './format';          // format.ts exports formatAmount
```

**Python.** ```python
# handlers.py
from .db import get_user_by_id    # db.py defines get_user, not get_user_by_id
```

## Not flagged
**JavaScript/TypeScript.** ```js
import config from './config.cjs';               // CommonJS: the default is module.exports
import { a } from './barrel';                    // barrel: export * from 'some-package'
const api = require('./api');                    // module.exports = createApi(): unknown
```
A module whose exports cannot be listed (`module.exports = someValue`, computed
`exports[key]`, `export * from` a package or an unresolved path) is never judged. Imports
TypeScript erases (`import type`, names used only as types) are reported as `low`: they
break `tsc`, not the running program.

**Python.** ```python
from .db import get_user          # defined in db.py
from . import models              # a submodule
from .compat import json          # compat.py imports json: re-exports count
from .settings import DEBUG       # settings.py does `from .defaults import *`
try:
    from .speedups import fast_path
except ImportError:               # optional, failure handled
    fast_path = None
```
Modules with a star import, a module-level `__getattr__`, writes through `globals()` or
`sys.modules` tricks are not judged: they can define names no statement shows.

## Fix
**JavaScript/TypeScript.** Import the name the module really exports (or export it), then start the entry point once:
`node -e "require('./src/index.js')"` or `npx tsc --noEmit`.

**Python.** Import the name the module really defines (or add it there), then load the module once:
`python3 -c "import yourpackage.handlers"`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = js::check(ctx);
    out.extend(python::check(ctx));
    out
}
