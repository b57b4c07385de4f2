//! Name facts of one Python module: names it uses but never binds (undefined names), and the
//! names its module scope binds (what `from module import name` can find).

use crate::Span;
use serde::Serialize;

/// A name read in a file that no enclosing scope, import or builtin defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndefinedName {
    pub name: String,
    pub span: Span,
    /// Read inside a function or lambda body (it fails when the function runs), not while
    /// the module executes.
    pub in_function: bool,
    /// Read inside an annotation Python does not evaluate at run time (quoted, under
    /// `from __future__ import annotations`, or on a local variable): it breaks type
    /// checkers and `typing.get_type_hints`, not the import.
    pub in_annotation: bool,
    /// Read inside any annotation, evaluated or not: from Python 3.14 (PEP 649) no
    /// annotation is evaluated until something asks for it.
    pub annotation: bool,
    /// The undecorated module-level function the use sits in (nested functions included),
    /// which runs only when something calls it.
    pub top_function: Option<String>,
    /// Inside an `except` handler: it fails only after something else already failed.
    pub in_except: bool,
    /// Inside the module's `if __name__ == "__main__":` block: it runs only when the file
    /// is run as a program.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_main_guard: bool,
}

/// The names of a Python module.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModuleNames {
    /// Undefined names, in source order. Empty when the module cannot be judged (a star
    /// import makes any unknown name possibly defined).
    pub undefined: Vec<UndefinedName>,
    /// Every name the module scope binds anywhere (definitions, assignments, imports,
    /// loop/with/except targets, names declared `global` in functions), sorted.
    pub module_bindings: Vec<String>,
    /// The module's namespace can hold names no binding shows: `from x import *`, a
    /// module-level `__getattr__`, or `globals()` used to write names.
    pub dynamic: bool,
    /// `self.name(...)` in a method of a plain class (no bases but `object`, no
    /// decorators, metaclass or `__getattr__`) that neither defines nor assigns `name`.
    pub missing_self_methods: Vec<MissingSelfMethod>,
    /// Last names of the classes this file uses as bases (`Base`, `commands.Cog` → `Cog`):
    /// a class used as a base may rely on its subclasses for methods.
    pub base_names: Vec<String>,
}

/// A call of a method its own class does not define.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingSelfMethod {
    pub class: String,
    pub method: String,
    pub span: Span,
}

impl ModuleNames {
    /// Whether the module scope binds `name`.
    pub fn binds(&self, name: &str) -> bool {
        self.module_bindings
            .binary_search_by(|b| b.as_str().cmp(name))
            .is_ok()
    }
}
