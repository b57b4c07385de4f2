//! `integrity/missing-method`: a call of a member that the project's own class or module
//!
//! The JavaScript/TypeScript half reads oxc's scope analysis (`missing_method/js.rs`), the Python half
//! the names walk of `flightcheck_python` (`missing_method/python.rs`); one rule, one catalog entry.

mod js;
mod python;

use crate::context::ProjectContext;
use crate::registry::{Rule, has_sources};
use flightcheck_core::{Category, Finding, FixKind, RuleMeta, Severity, WhenUnreachable};

pub static META: RuleMeta = RuleMeta {
    id: "integrity/missing-method",
    severity: Severity::Medium,
    category: Category::Integrity,
    fix_kind: FixKind::Code,
    summary: "A call of a method the project's own class or module does not define",
    when_unreachable: WhenUnreachable::Drop,
    effort_minutes: 15,
    docs: r#"## What it does
**JavaScript/TypeScript.** Follows, without a type checker, receivers whose shape the project's own code fixes:
`const svc = require('./svc')` and `import * as svc from './svc'` (the module's exports),
`const x = new Foo()` with `Foo` a class of the project (same file or imported),
`module.exports = new Foo()` singletons, `Foo.create()` (static members) and `this.m()`
inside a class. It collects the class's methods, accessors, fields, `this.x =` assignments,
`Foo.prototype.x =` additions and inherited members (walking `extends` through project
classes), and reports calls of members none of them define.

**Python.** Finds `self.name(...)` calls in methods of the project's Python classes where the class
defines no `name`: no method, no class attribute, and no `self.name = …` in any of its
methods. Only plain classes are judged: a class with a base other than `object`, a
decorator (`@dataclass`, attrs), a metaclass or keyword arguments, `__getattr__` or
`__getattribute__`, `setattr`/`vars(self)`/`self.__dict__`, or that any class of the project
uses as a base (a mixin or an abstract base whose subclasses supply the method) is not
judged. It also follows receivers whose class the code fixes: `self.repo.m()` where every
assignment of `self.repo` in the class is `UserRepo(…)` (or it is annotated `UserRepo`),
`x.m()` where `x = Foo(…)` is the function's only binding of `x`, parameters annotated
`svc: Foo` (`Optional[Foo]`, `Foo | None`), and module-level instances `db = Database()`
used in their module or imported (`from .db import db`). Class names resolve through
`from … import` to the project's modules; a method on any project base counts, and a base
that is not the project's (other than `object`) makes the call unjudged. Only files an
entry point reaches are checked.

## Why it breaks production
**JavaScript/TypeScript.** `svc.sendRecipt(order)` on an object without that method throws
`TypeError: svc.sendRecipt is not a function` when the line runs: the handler fails for every
user who reaches it, typically after a rename that missed one caller.

**Python.** A method renamed in one place and not in another raises `AttributeError` when the call
runs: the handler, the job or the request that reaches it fails every time, and nothing
catches it before a user does.

## Flagged
**JavaScript/TypeScript.** ```js
// services/mailer.js: module.exports = { sendReceipt, sendReset };
const mailer = require('./services/mailer');
mailer.sendRecipt(order);               // not exported

class Cart { add(item) {} }
const cart = new Cart();
cart.remove(item);                       // Cart has no remove
```

**Python.** ```python
class OrderService:
    def place(self, order):
        self.validate(order)        # the method is called `check`
    def check(self, order):
        ...

class Profiles:
    def __init__(self):
        self.repo = UserRepo()      # UserRepo defines get_user
    def show(self, uid):
        return self.repo.get_usr(uid)

from .db import db                  # db = Database(); Database has fetch_one
db.fetch_row(query)
```

## Not flagged
**JavaScript/TypeScript.** ```js
class Store extends EventEmitter {}     // inherits from a package: members unknown
new Store().on('x', f);
Object.assign(Cart.prototype, mixin);   // members added out of sight
let svc = require('./a'); svc = other;  // reassigned: unknown
if (svc.optional) svc.optional();       // tested first
svc.optional?.();                       // optional call
```
`this.handle()` in a class that another class of the project extends (a template method
the subclass provides) is not judged either.

**Python.** ```python
class OrderService(BaseService):    # inherited methods are not known
    def place(self, order):
        self.validate(order)
class Notifier:
    def __init__(self, send):
        self.send = send            # an attribute holding a callable
    def notify(self, text):
        self.send(text)
class Handler:                      # used as a base: subclasses define `handle`
    def run(self):
        return self.handle()
class Email(Handler):
    def handle(self): ...
self.gateway = Gateway()            # class Gateway(RemoteClient): members unknown
def f(s: Settings): s.token_value() # @dataclass, attrs, pydantic, Enum: not judged
p = Proxy(t); p.lookup(k)           # Proxy defines __getattr__
c = Cache(); c = make(); c.x()      # rebound: the class is not known
```

## Fix
**JavaScript/TypeScript.** Call the member the class or module defines (or add it), then run the code path once.

**Python.** Call the method the class defines, or add the missing method.
"#,
};

pub static RULE: Rule = Rule::project(&META, has_sources, check);

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = js::check(ctx);
    out.extend(python::check(ctx));
    out.extend(python::check_receivers(ctx));
    out
}
