//! Class facts of one Python module, for `integrity/missing-method`: the module-level classes
//! with the members syntax shows, module-level instances (`db = Database()`), names taken by
//! `from X import name`, and member calls on receivers whose class the code fixes
//! (`self.repo = UserRepo()`, `x = Foo()`, `def f(svc: Foo)`, `db = Database()`).

use crate::Span;
use serde::Serialize;

/// A class defined at module level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PyClass {
    pub name: String,
    /// Bases as written: a plain name (`Base`, `object`), a dotted name (`models.Model`),
    /// or `?` for anything else (`Generic[T]`, a call).
    pub bases: Vec<String>,
    /// Methods, class attributes (a callable class attribute is a method), nested classes,
    /// `self.x = …` attributes and `Foo.x = …` additions of this module; sorted.
    pub members: Vec<String>,
    /// Members can come from elsewhere: decorators (`@dataclass`, attrs), keywords
    /// (metaclass), `__getattr__`/`__getattribute__`, `setattr`/`vars(self)`/`__dict__`,
    /// the name bound again in the module.
    pub open: bool,
    pub span: Span,
}

/// What a member call is made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PyReceiver {
    /// An instance of the class this module calls `class` (defined here or imported).
    /// `annotated`: known from an annotation (a subclass instance may be passed), not
    /// from a constructor call.
    Instance { class: String, annotated: bool },
    /// A module-level name bound only by `from X import name`: the other module's instance.
    Imported { name: String },
}

/// `receiver.method(…)` on a receiver of known class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PyMemberCall {
    pub receiver: PyReceiver,
    pub method: String,
    /// As written: `self.repo.get_usr`.
    pub via: String,
    /// For `self.attr.m()`: the class whose methods assign `attr`. A subclass of it may
    /// assign the attribute another class.
    pub attribute_of: Option<String>,
    pub span: Span,
}

/// `from specifier import name as local`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PyImportedName {
    pub local: String,
    pub specifier: String,
    pub name: String,
}

/// Everything `integrity/missing-method` reads about one Python module.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PyClassFacts {
    pub classes: Vec<PyClass>,
    /// Module-level names bound once, to a constructor call: (name, class as written).
    pub instances: Vec<(String, String)>,
    pub imported: Vec<PyImportedName>,
    pub calls: Vec<PyMemberCall>,
}
