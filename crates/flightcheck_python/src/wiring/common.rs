//! Small syntax helpers shared by the framework modules: names, literals, keywords.

use ruff_python_ast::{self as ast, Expr};

/// The last name of a name/attribute (`c` of `a.b.c`).
pub(super) fn last_seg(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

pub(super) fn str_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

/// A string, or a list/tuple/set of strings.
pub(super) fn str_list(e: &Expr) -> Option<Vec<String>> {
    let elts = match e {
        Expr::StringLiteral(_) => return str_lit(e).map(|s| vec![s]),
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        _ => return None,
    };
    elts.iter().map(str_lit).collect()
}

pub(super) fn kw<'e>(call: &'e ast::ExprCall, name: &str) -> Option<&'e Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

pub(super) fn has_kw(call: &ast::ExprCall, name: &str) -> bool {
    kw(call, name).is_some()
}

pub(super) fn is_none_or_empty(e: &Expr) -> bool {
    match e {
        Expr::NoneLiteral(_) => true,
        Expr::StringLiteral(s) => s.value.to_str().is_empty(),
        Expr::BooleanLiteral(b) => !b.value,
        _ => false,
    }
}

pub(super) fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::BooleanLiteral(b) if b.value)
}

pub(super) fn int_value(e: &Expr) -> Option<u64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

/// The first line of `text`, at most 120 characters.
pub(super) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    let mut out: String = line.chars().take(120).collect();
    if out.len() < text.trim_end().len() {
        out.push('…');
    }
    out
}

/// Names (`Name` loads) inside an expression.
pub(super) fn collect_names<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match e {
        Expr::Name(n) => out.push(n.id.as_str()),
        Expr::BinOp(b) => {
            collect_names(&b.left, out);
            collect_names(&b.right, out);
        }
        Expr::FString(f) => {
            for part in f.value.elements() {
                if let ast::InterpolatedStringElement::Interpolation(i) = part {
                    collect_names(&i.expression, out);
                }
            }
        }
        Expr::Call(c) => {
            collect_names(&c.func, out);
            for a in c.arguments.args.iter() {
                collect_names(a, out);
            }
        }
        Expr::Attribute(a) => collect_names(&a.value, out),
        Expr::Tuple(t) => {
            for x in &t.elts {
                collect_names(x, out);
            }
        }
        _ => {}
    }
}

/// The text of an f-string with each interpolation replaced by `$0` (no table name).
pub(super) fn fstring_text(f: &ast::ExprFString) -> String {
    crate::fstring_template(f, "$0")
}
