//! Node/TypeScript module resolution with `oxc_resolver`: extensions, index files,
//! tsconfig `paths`, package `exports`, and TypeScript's `.js` → `.ts` extension mapping.

use oxc_resolver::{ResolveError, ResolveOptions, Resolver, TsconfigDiscovery};
use std::path::{Path, PathBuf};

pub struct JsResolver {
    resolver: Resolver,
    /// The same options without tsconfig: a tsconfig that cannot be loaded (it `extends` a
    /// package that is not installed, `@tsconfig/node18`) fails every resolution of the
    /// files under it, and a scan of a fresh clone has no `node_modules`.
    without_tsconfig: Resolver,
}

impl Default for JsResolver {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a specifier did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// Nothing at the path (the interesting case for relative imports).
    NotFound,
    /// A Node built-in (`fs`, `node:path`).
    Builtin,
    /// Anything else (broken tsconfig, package.json errors...), with the reason.
    Other(String),
}

impl JsResolver {
    pub fn new() -> Self {
        let options = Self::options();
        Self {
            resolver: Resolver::new(ResolveOptions {
                tsconfig: Some(TsconfigDiscovery::Auto),
                ..options.clone()
            }),
            without_tsconfig: Resolver::new(options),
        }
    }

    fn options() -> ResolveOptions {
        ResolveOptions {
            extensions: [
                ".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json",
                ".node",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            extension_alias: vec![
                (
                    ".js".into(),
                    vec![".ts".into(), ".tsx".into(), ".js".into(), ".jsx".into()],
                ),
                (".mjs".into(), vec![".mts".into(), ".mjs".into()]),
                (".cjs".into(), vec![".cts".into(), ".cjs".into()]),
            ],
            condition_names: vec![
                "node".into(),
                "import".into(),
                "require".into(),
                "default".into(),
            ],
            main_fields: vec!["main".into(), "module".into()],
            builtin_modules: true,
            ..ResolveOptions::default()
        }
    }

    /// Resolves `specifier` as imported from the file `importer` (absolute path).
    pub fn resolve(&self, importer: &Path, specifier: &str) -> Result<PathBuf, Unresolved> {
        match self.resolver.resolve_file(importer, specifier) {
            Ok(resolution) => Ok(resolution.path().to_path_buf()),
            Err(ResolveError::NotFound(_)) => Err(Unresolved::NotFound),
            Err(ResolveError::Builtin { .. }) => Err(Unresolved::Builtin),
            // The tsconfig could not be read: resolve as Node would, and when that fails too
            // keep the first error (an alias of the unread tsconfig is unknown, not missing).
            Err(e) => match self.without_tsconfig.resolve_file(importer, specifier) {
                Ok(resolution) => Ok(resolution.path().to_path_buf()),
                Err(_) => Err(Unresolved::Other(e.to_string())),
            },
        }
    }
}

/// A relative or absolute path specifier (as opposed to a package or alias).
pub fn is_relative(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier == "."
        || specifier == ".."
}
