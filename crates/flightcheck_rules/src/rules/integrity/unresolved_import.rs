//! `integrity/unresolved-import`: a relative import of a module that does not exist.

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, ImportKind, RuleMeta, Severity, WhenUnreachable,
};

#[path = "unresolved_import/third_party.rs"]
mod third_party;

pub static META: RuleMeta = RuleMeta {
    id: "integrity/unresolved-import",
    severity: Severity::Blocker,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A relative import of a module that does not exist",
    when_unreachable: WhenUnreachable::Downgrade(Severity::Low),
    effort_minutes: 10,
    docs: r#"## What it does
Resolves every relative `import`, `export … from`, `require()` and literal `import()` of
JavaScript/TypeScript files the way Node and TypeScript do (extensions, `index` files,
`.js` → `.ts` mapping, tsconfig `paths`, package `exports`, via oxc_resolver), and every
relative Python import (`from .x import y`) plus absolute imports into the project's own
packages (flat and `src/` layouts, script directories), and reports those that resolve to
nothing. It names the paths it tried and, when a similarly named file exists, suggests it.

## Why it breaks production
`require('./utils/format')` of a file that was renamed throws `MODULE_NOT_FOUND` the moment
the importing module loads; in Python, `ModuleNotFoundError`. Imports at module level take
the whole process down at startup. Severity is `blocker` for reachable files, `high` for
dynamic `import()` (it fails when the call runs), `medium` for a TypeScript import whose names
are only used as types (TypeScript erases it, so it breaks `tsc` and the editor but not the
running program), and `low` in files no entry point reaches.

## Flagged
```js
// src/webhook.js — src/utils/format.js was renamed to formatting.js
const { formatPrice } = require('./utils/format');
```
```python
from .services.billing import charge   # services/billing.py does not exist
```

## Not flagged
```js
const { formatPrice } = require('./utils/formatting'); // exists
import { Config } from './config.js';                   // resolves to config.ts
try { require('./local-overrides'); } catch {}          // optional, failure handled
import type { User } from './missing-types';            // erased at compile time
```
Python package imports are checked against the project's dependency manifests
(requirements*.txt, pyproject `[project]` dependencies and optional/group dependencies,
Poetry, PDM and uv groups): `import yaml` in reachable code with no `PyYAML` declared is
reported as `medium` (the program fails at import on a fresh install, unless another
dependency happens to install the package: without a lock file that cannot be ruled out). Import names map to distributions through
a table of known differences (`telegram` → python-telegram-bot, `PIL` → Pillow, `cv2` →
opencv-python, …) and name equality otherwise; packages that a declared dependency brings
along (`aiohttp` with aiogram, `starlette` with FastAPI) count as installed. The check is
silent when the project declares no dependencies at all, or installs from something it
cannot read (`-r`/`-e`/URL lines, setup.py, setup.cfg, Pipfile, dynamic dependencies), and
for imports guarded by `try/except ImportError`, under `if TYPE_CHECKING:`, of the standard
library, or of the project's own modules. JavaScript package imports (`express`) are not
checked by this rule.

## Fix
Point the import at the module's real path (or restore the missing file), then run the
entry point once: `node -e "require('./src/index.js')"` or
`python3 -c "import yourpackage.module"`.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = third_party::undeclared(ctx, &META);
    for problem in &ctx.import_problems {
        let rel = ctx.rel(problem.file);
        let import = &problem.import;
        let spec = &import.specifier;
        let mut message = match import.kind {
            ImportKind::Require => format!("`require('{spec}')` in `{rel}` resolves to no file"),
            ImportKind::Dynamic => format!("`import('{spec}')` in `{rel}` resolves to no file"),
            ImportKind::PyFrom | ImportKind::PyImport => {
                format!("`{spec}` imported in `{rel}` is not a module of this project")
            }
            _ => format!("import of `{spec}` in `{rel}` resolves to no file"),
        };
        if let Some(s) = &problem.suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        let severity = if import.erased {
            message.push_str(
                "; only types are imported from it, so TypeScript erases the import at run time, but `tsc` fails on it",
            );
            Severity::Medium
        } else if import.kind == ImportKind::Dynamic {
            Severity::High
        } else {
            Severity::Blocker
        };
        let searched = if problem.searched.is_empty() {
            format!(
                "resolved `{spec}` from `{rel}` with Node/TypeScript rules (extensions, index files, tsconfig paths)"
            )
        } else {
            format!("searched: {}", problem.searched.join(", "))
        };
        let is_python = matches!(import.kind, ImportKind::PyFrom | ImportKind::PyImport);
        let impact = if is_python {
            "Python raises ModuleNotFoundError when this import runs; at module level the process dies at startup."
        } else {
            "Node throws MODULE_NOT_FOUND when this line runs; at module level the process dies at startup."
        };
        let verify = if is_python {
            format!(
                "python3 -c \"import importlib.util, sys; sys.path.insert(0, '.'); import {}\"",
                rel.trim_end_matches(".py").replace('/', ".")
            )
        } else {
            format!("node -e \"require('./{rel}')\"")
        };
        out.push(
            Finding::new(&META, message)
                .severity(severity)
                .at(rel, import.span)
                .key(spec)
                .evidence(Evidence::at(
                    rel,
                    import.span.line,
                    ctx.snippet(problem.file, import.span.line),
                    "the import",
                ))
                .evidence(Evidence::searched(searched))
                .impact(impact)
                .fix(match &problem.suggestion {
                    Some(s) => format!("Import `{s}` instead, or restore the missing module."),
                    None => {
                        "Point the import at the module's real path, or restore the missing module."
                            .to_string()
                    }
                })
                .verify(verify),
        );
    }
    out
}
