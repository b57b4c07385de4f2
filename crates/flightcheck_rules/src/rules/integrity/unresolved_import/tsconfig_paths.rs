//! The `compilerOptions.paths` aliases of the project's tsconfig/jsconfig files, read
//! directly. The resolver reads them too, but not from a tsconfig whose `extends` names a
//! package that is not installed (`@tsconfig/node18-strictest-esm`): every file under such a
//! tsconfig would then report its own aliases (`@database/x.js`) as missing packages.

use crate::context::ProjectContext;
use flightcheck_project::FileKind;

/// Larger tsconfig files are not read (a generated one is not hand-written aliases).
const MAX_BYTES: u64 = 256 * 1024;

/// One `paths` key: `@database/*` (a prefix) or `@utils.js` (exact).
pub(super) struct Alias {
    prefix: String,
    wildcard: bool,
}

impl Alias {
    pub(super) fn matches(&self, spec: &str) -> bool {
        if self.wildcard {
            spec.starts_with(&self.prefix)
        } else {
            spec == self.prefix
        }
    }
}

pub(super) fn aliases(ctx: &ProjectContext) -> Vec<Alias> {
    let mut out = Vec::new();
    for f in &ctx.ws.files {
        if f.kind != FileKind::TsConfig || f.size > MAX_BYTES {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f.abs) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&strict_json(&text)) else {
            continue;
        };
        let Some(paths) = value
            .get("compilerOptions")
            .and_then(|c| c.get("paths"))
            .and_then(|p| p.as_object())
        else {
            continue;
        };
        for key in paths.keys() {
            let (prefix, wildcard) = match key.split_once('*') {
                Some((p, _)) => (p.to_string(), true),
                None => (key.clone(), false),
            };
            // `*` alone maps every bare import: it would hide every missing package.
            if !prefix.is_empty() {
                out.push(Alias { prefix, wildcard });
            }
        }
    }
    out
}

/// tsconfig is JSON with comments and trailing commas: drop both, outside strings.
fn strict_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ',' => {
                // A comma followed (after blanks) by a closing bracket is trailing.
                let rest: String = chars.clone().take_while(|n| n.is_whitespace()).collect();
                let next = chars.clone().nth(rest.chars().count());
                if !matches!(next, Some('}') | Some(']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strict_json;

    #[test]
    fn comments_and_trailing_commas_are_dropped() {
        let text = "{\n  // the base\n  \"a\": \"http://x\", /* block */\n  \"b\": [1, 2,],\n}\n";
        let v: serde_json::Value = serde_json::from_str(&strict_json(text)).expect("valid JSON");
        assert_eq!(v["a"], "http://x");
        assert_eq!(v["b"].as_array().map(Vec::len), Some(2));
    }
}
