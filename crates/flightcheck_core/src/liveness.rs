//! Which functions of a module something can call: the definitions with their line ranges
//! and the names each one's body refers to, and the names module-level code refers to. The
//! program model joins them across the workspace into the functions that running code can
//! reach by name; findings in the others cannot reach a user
//! (see `flightcheck_rules::unreferenced`).
//!
//! The join is deliberately one-sided: a reference by name *anywhere* keeps a function
//! alive, so an unresolved call never makes code dead; only the absence of any reference
//! does.

use crate::Span;
use serde::Serialize;

/// A `def`/`async def` (at any depth) and what could call it without naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinedFunction {
    pub name: String,
    /// The class whose body defines it directly (a method), if any.
    pub class: Option<String>,
    /// That class has bases other than `object`, keywords (a metaclass) or decorators: a
    /// framework may call its methods by name (`on_message`, `get`, `setUp`) or register
    /// the class itself.
    pub class_open: bool,
    /// Decorated: a decorator may register it (`@router.message`, `@app.get`, `@property`).
    pub decorated: bool,
    /// The line of the `def`.
    pub line: u32,
    /// From the first statement of the body to the end of the definition: what runs only
    /// when the function is called (decorators, defaults and annotations run at the `def`).
    pub body: Span,
    /// Names its own body refers to (not those of functions nested in it), sorted, unique.
    pub references: Vec<String>,
}

/// Liveness facts of one module.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModuleLiveness {
    /// In source order.
    pub functions: Vec<DefinedFunction>,
    /// Names module-level code and class bodies refer to (they run when the module is
    /// imported): names read, attributes accessed, identifier-like words of string literals
    /// (`getattr(x, "name")`, `__all__`); sorted, unique. Functions keep their own.
    pub references: Vec<String>,
    /// Names the module's `if __name__ == "__main__":` block refers to: they run only when
    /// the file itself is started, not when it is imported.
    pub main_references: Vec<String>,
    /// Identifier fragments that end a string part right before a computed part
    /// (`f"cmd_{name}"`, `"on_" + event`, `"handle_%s" % kind`): code may name any function
    /// that starts with one (`getattr(self, f"cmd_{name}")`).
    pub prefixes: Vec<String>,
    /// `import x as y` / `from m import x as y`: (`y`, `x`). Code that refers to `y`
    /// refers to `x`.
    pub aliases: Vec<(String, String)>,
}
