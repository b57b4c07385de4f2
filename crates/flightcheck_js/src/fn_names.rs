//! Names for the functions a fact walk enters. A function expression is named after what
//! it is the value of (its variable, method, class field, object key, or `callback of
//! app.get`) and qualified by its class (`Bot.start`); an immediately invoked function has
//! no name of its own, because its body runs where it stands.

use oxc_ast::ast::{Class, Expression, MethodDefinition, ObjectProperty, PropertyDefinition};

/// `function () {}` or `() => {}`, parentheses ignored.
pub(crate) fn is_function_expr(e: &Expression) -> bool {
    matches!(
        e.without_parentheses(),
        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
    )
}

#[derive(Debug, Default)]
pub(crate) struct FunctionNames {
    /// Enclosing functions, innermost last; `None` for an immediately invoked one.
    scopes: Vec<Option<String>>,
    /// Enclosing classes, innermost last.
    classes: Vec<String>,
    /// The name the next function entered gets (from its variable, property or call).
    pub pending: Option<String>,
}

impl FunctionNames {
    /// The innermost named function around the node.
    pub fn current(&self) -> Option<String> {
        self.scopes.iter().rev().find_map(|s| s.clone())
    }

    /// Inside any function (named or not), not module-level code.
    pub fn in_function(&self) -> bool {
        !self.scopes.is_empty()
    }

    /// Enters a function: its own name, else the pending one, qualified by its class.
    pub fn enter(&mut self, own: Option<String>, iife: bool) {
        let pending = self.pending.take();
        if iife {
            self.scopes.push(None);
            return;
        }
        let name = own
            .or(pending)
            .unwrap_or_else(|| "<anonymous function>".to_string());
        let name = match self.classes.last() {
            Some(class) if !name.starts_with("callback of") => format!("{class}.{name}"),
            _ => name,
        };
        self.scopes.push(Some(name));
    }

    pub fn leave(&mut self) {
        self.scopes.pop();
    }

    /// Enters a class, named by its id or by what it is assigned to.
    pub fn enter_class(&mut self, it: &Class) {
        let name = it
            .id
            .as_ref()
            .map(|id| id.name.to_string())
            .or_else(|| self.pending.take())
            .unwrap_or_else(|| "<class>".into());
        self.classes.push(name);
    }

    pub fn leave_class(&mut self) {
        self.classes.pop();
    }

    /// A method's function is named after its key.
    pub fn name_method(&mut self, it: &MethodDefinition) {
        self.pending = it.key.static_name().map(|n| n.to_string());
    }

    /// A class field holding a function is named after its key.
    pub fn name_class_field(&mut self, it: &PropertyDefinition) {
        if it.value.as_ref().is_some_and(is_function_expr) {
            self.pending = it.key.static_name().map(|n| n.to_string());
        }
    }

    /// An object key holding a function names it; whether it did.
    pub fn name_object_value(&mut self, it: &ObjectProperty) -> bool {
        if is_function_expr(&it.value) {
            self.pending = it.key.static_name().map(|n| n.to_string());
            return true;
        }
        false
    }
}
