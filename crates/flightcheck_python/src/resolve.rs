//! Python import resolution against the project's own modules (flat and `src/` layouts,
//! and the directories of scripts, which Python puts first on `sys.path`).

use std::collections::{BTreeSet, HashMap};

/// Module paths of a project: `pkg/mod.py` and `pkg/__init__.py` files by relative path.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    files: HashMap<String, usize>,
    dirs: BTreeSet<String>,
}

/// Result of resolving one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyResolution {
    /// The module's file and the package `__init__.py` files importing it executes.
    Local { file: usize, packages: Vec<usize> },
    /// Not a module of this project (standard library or third party).
    External,
    /// A relative import, or an import into a local package, that names no module.
    Missing { searched: Vec<String> },
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() || dir == "." {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

impl ModuleIndex {
    /// `files`: (relative path, file index) of the project's Python files.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, usize)>) -> Self {
        let mut index = Self::default();
        for (path, i) in files {
            let mut d = parent(path);
            while !d.is_empty() {
                index.dirs.insert(d.to_string());
                d = parent(d);
            }
            index.files.insert(path.to_string(), i);
        }
        index
    }

    /// `base/a/b` as a module, in CPython's order (`FileFinder`): the regular package
    /// `a/b/__init__.py`, then the module `a/b.py`, then a namespace package dir. A package
    /// beside a same-named module (`asmon/` and `asmon.py`) is what `import asmon` loads.
    fn module_at(&self, base: &str, dotted: &str) -> Option<Option<usize>> {
        let rel = dotted.replace('.', "/");
        let path = join(base, &rel);
        if let Some(i) = self.files.get(&format!("{path}/__init__.py")) {
            return Some(Some(*i));
        }
        if let Some(i) = self.files.get(&format!("{path}.py")) {
            return Some(Some(*i));
        }
        if self.dirs.contains(&path) {
            return Some(None);
        }
        None
    }

    fn packages_along(&self, base: &str, dotted: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let parts: Vec<&str> = dotted.split('.').collect();
        for n in 1..parts.len() {
            let path = join(base, &parts[..n].join("/"));
            if let Some(i) = self.files.get(&format!("{path}/__init__.py")) {
                out.push(*i);
            }
        }
        out
    }

    /// Resolves `specifier` (`a.b`, `.a`, `..a.b`) imported by `importer` with `names`
    /// (for `from X import names`, which may name submodules). `roots` are the directories
    /// on `sys.path` (project root, `src`, script directories).
    pub fn resolve(
        &self,
        importer: &str,
        specifier: &str,
        names: &[String],
        roots: &[String],
    ) -> Vec<PyResolution> {
        let level = specifier.chars().take_while(|c| *c == '.').count();
        let module = &specifier[level..];
        let mut out = Vec::new();
        if level > 0 {
            let mut base = parent(importer).to_string();
            for _ in 1..level {
                base = parent(&base).to_string();
            }
            if module.is_empty() {
                // `from . import x`: each name is a submodule or a name in `__init__`.
                for name in names {
                    if let Some(Some(i)) = self.module_at(&base, name) {
                        out.push(PyResolution::Local {
                            file: i,
                            packages: Vec::new(),
                        });
                    }
                }
                if out.is_empty() && !self.dirs.contains(&base) && !base.is_empty() {
                    out.push(PyResolution::Missing {
                        searched: vec![format!("{base}/")],
                    });
                }
                return out;
            }
            match self.module_at(&base, module) {
                Some(found) => {
                    let mut packages = self.packages_along(&base, module);
                    if let Some(i) = found {
                        out.push(PyResolution::Local {
                            file: i,
                            packages: std::mem::take(&mut packages),
                        });
                    } else if !packages.is_empty() {
                        out.push(PyResolution::Local {
                            file: packages[0],
                            packages: packages[1..].to_vec(),
                        });
                    }
                    self.submodules(&join(&base, &module.replace('.', "/")), names, &mut out);
                }
                None => {
                    let path = join(&base, &module.replace('.', "/"));
                    out.push(PyResolution::Missing {
                        searched: vec![format!("{path}.py"), format!("{path}/__init__.py")],
                    });
                }
            }
            return out;
        }
        let top = module.split('.').next().unwrap_or(module);
        // Claim an import as ours, and so as missing when it does not resolve, only when its
        // top level is a regular package (with `__init__.py`) in the project root or `src`
        // (`roots[..2]`), and not a standard-library name: a stray `telegram.py` next to a
        // script, or the stdlib's own `os.py`, must not turn `telegram.ext` or `os.path`
        // into a missing module.
        let mut claimed = false;
        for (k, root) in roots.iter().enumerate() {
            if self.module_at(root, top).is_none() {
                continue;
            }
            let package_init = format!("{}/__init__.py", join(root, top));
            claimed |=
                k < 2 && self.files.contains_key(&package_init) && !crate::stdlib::is_stdlib(top);
            if let Some(found) = self.module_at(root, module) {
                let packages = self.packages_along(root, module);
                match found {
                    Some(i) => out.push(PyResolution::Local { file: i, packages }),
                    None => {
                        if let Some((first, rest)) = packages.split_first() {
                            out.push(PyResolution::Local {
                                file: *first,
                                packages: rest.to_vec(),
                            });
                        }
                    }
                }
                self.submodules(&join(root, &module.replace('.', "/")), names, &mut out);
                return out;
            }
        }
        if claimed {
            // The top-level package is ours but the submodule is not there.
            let path = module.replace('.', "/");
            out.push(PyResolution::Missing {
                searched: roots
                    .iter()
                    .take(2)
                    .map(|r| join(r, &format!("{path}.py")))
                    .collect(),
            });
        } else {
            out.push(PyResolution::External);
        }
        out
    }

    /// `from pkg import mod`: names that are submodules are imported too.
    fn submodules(&self, dir: &str, names: &[String], out: &mut Vec<PyResolution>) {
        for name in names {
            if let Some(i) = self
                .files
                .get(&format!("{dir}/{name}/__init__.py"))
                .or_else(|| self.files.get(&format!("{dir}/{name}.py")))
            {
                out.push(PyResolution::Local {
                    file: *i,
                    packages: Vec::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ModuleIndex {
        ModuleIndex::new([
            ("bot/__init__.py", 0),
            ("bot/main.py", 1),
            ("bot/handlers/__init__.py", 2),
            ("bot/handlers/start.py", 3),
            ("src/app/core.py", 4),
            ("scripts/run.py", 5),
            ("scripts/helpers.py", 6),
        ])
    }

    #[test]
    fn a_regular_package_wins_over_a_same_named_module_and_a_module_over_a_namespace_dir() {
        // CPython's FileFinder: `pkg/__init__.py`, then `pkg.py`, then a namespace dir.
        let idx = ModuleIndex::new([
            ("asmon.py", 0),
            ("asmon/__init__.py", 1),
            ("asmon/core.py", 2),
            ("tools.py", 3),
            ("tools/extra.py", 4),
        ]);
        let roots = vec![".".to_string()];
        let r = |spec: &str, names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            idx.resolve("check.py", spec, &names, &roots)
        };
        assert_eq!(
            r("asmon", &["checker"]),
            vec![PyResolution::Local {
                file: 1,
                packages: vec![]
            }]
        );
        assert_eq!(
            r("tools", &[]),
            vec![PyResolution::Local {
                file: 3,
                packages: vec![]
            }]
        );
    }

    #[test]
    fn absolute_relative_and_src_layout() {
        let idx = index();
        let roots = vec![".".to_string(), "src".to_string(), "scripts".to_string()];
        let r = |imp: &str, spec: &str, names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            idx.resolve(imp, spec, &names, &roots)
        };
        assert_eq!(
            r("bot/main.py", "bot.handlers.start", &[]),
            vec![PyResolution::Local {
                file: 3,
                packages: vec![0, 2]
            }]
        );
        assert_eq!(
            r("bot/main.py", ".handlers", &["start"]),
            vec![
                PyResolution::Local {
                    file: 2,
                    packages: vec![]
                },
                PyResolution::Local {
                    file: 3,
                    packages: vec![]
                }
            ]
        );
        assert_eq!(
            r("bot/handlers/start.py", "..main", &[]),
            vec![PyResolution::Local {
                file: 1,
                packages: vec![]
            }]
        );
        assert_eq!(
            r("x.py", "app.core", &[]),
            vec![PyResolution::Local {
                file: 4,
                packages: vec![]
            }]
        );
        assert_eq!(
            r("scripts/run.py", "helpers", &[]),
            vec![PyResolution::Local {
                file: 6,
                packages: vec![]
            }]
        );
        assert_eq!(
            r("bot/main.py", "aiogram", &[]),
            vec![PyResolution::External]
        );
        assert!(matches!(
            r("bot/main.py", ".missing", &[])[0],
            PyResolution::Missing { .. }
        ));
        assert!(matches!(
            r("bot/main.py", "bot.nothere", &[])[0],
            PyResolution::Missing { .. }
        ));
        // `from . import name` where name is defined in __init__: not a missing module.
        assert!(r("bot/main.py", ".", &["VERSION"]).is_empty());
    }
}
