//! What the JavaScript integrity rules need to know about a Node project: its package.json,
//! whether it bundles, whether its files may run in a browser, and how Node loads a file.

use crate::context::ProjectContext;
use flightcheck_project::manifest::PackageJson;

/// Packages that mean code of the project runs in a browser (UI frameworks, bundlers for
/// the web, browser-only libraries).
const BROWSER_PACKAGES: [&str; 26] = [
    "react",
    "react-dom",
    "preact",
    "vue",
    "nuxt",
    "svelte",
    "@sveltejs/kit",
    "solid-js",
    "@angular/core",
    "next",
    "gatsby",
    "astro",
    "@remix-run/react",
    "lit",
    "alpinejs",
    "jquery",
    "vite",
    "webpack",
    "parcel",
    "rollup",
    "electron",
    "react-native",
    "expo",
    "@vitejs/plugin-react",
    "browserify",
    "htmx.org",
];

/// Tools whose build output, not the source files, is what runs (bundlers and compilers
/// that inline dependencies and shim module globals).
const BUNDLERS: [&str; 12] = [
    "webpack",
    "vite",
    "esbuild",
    "tsup",
    "rollup",
    "parcel",
    "next build",
    "ncc",
    "bun build",
    "rspack",
    "swc",
    "browserify",
];

/// Directories whose code is served to browsers.
const FRONTEND_DIRS: [&str; 12] = [
    "public",
    "static",
    "assets",
    "client",
    "frontend",
    "web",
    "www",
    "browser",
    "ui",
    "extension",
    "content-scripts",
    "popup",
];

/// Packages that make names available without an import (Nuxt/Nitro auto-imports,
/// unplugin-auto-import): an unknown name may be one of theirs.
const AUTO_IMPORTS: [&str; 6] = [
    "nuxt",
    "nitropack",
    "unplugin-auto-import",
    "@nuxt/kit",
    "vinxi",
    "@solidjs/start",
];

/// The package brings names in without imports.
pub fn auto_imports(pj: &PackageJson) -> bool {
    AUTO_IMPORTS
        .iter()
        .any(|p| pj.dependencies.contains_key(*p))
}

/// Deno runs the file: a `deno.json`/`deno.jsonc` in its directory or above.
pub fn runs_on_deno(ctx: &ProjectContext, file: usize) -> bool {
    let rel = ctx.rel(file);
    let mut dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    loop {
        for name in ["deno.json", "deno.jsonc"] {
            let candidate = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            if ctx.ws.file_index(&candidate).is_some() {
                return true;
            }
        }
        if dir.is_empty() {
            return false;
        }
        dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    }
}

/// The file shows it runs in Node: it reads `process.env`, imports a Node built-in, or
/// uses a server or bot framework.
pub fn node_signals(facts: &flightcheck_core::FileFacts) -> bool {
    !facts.env_reads.is_empty()
        || !facts.frameworks.is_empty()
        || facts.imports.iter().any(|i| is_node_builtin(&i.specifier))
}

/// Node's built-in modules (`fs`, `node:fs`, `fs/promises`).
pub fn is_node_builtin(specifier: &str) -> bool {
    if specifier.starts_with("node:") {
        return true;
    }
    let top = specifier.split('/').next().unwrap_or(specifier);
    NODE_BUILTINS.binary_search(&top).is_ok()
}

/// Node's built-in module names (without `node:`; `node:test` and `node:sqlite` exist only
/// with the prefix), sorted.
const NODE_BUILTINS: [&str; 52] = [
    "_http_agent",
    "_http_client",
    "_http_common",
    "_http_incoming",
    "_http_outgoing",
    "_http_server",
    "_stream_duplex",
    "_stream_passthrough",
    "_stream_readable",
    "_stream_writable",
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// The package.json nearest to `file` (its project's, or one above).
pub fn package_json<'a>(ctx: &ProjectContext<'a>, file: usize) -> Option<&'a PackageJson> {
    let rel = ctx.rel(file);
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
    ctx.ws.package_json_for(dir).map(|(_, pj)| pj)
}

/// The project bundles its code (a bundler in a script), so the files are not what Node
/// loads.
pub fn bundles(pj: &PackageJson) -> bool {
    pj.scripts
        .values()
        .any(|s| BUNDLERS.iter().any(|b| s.contains(b)))
}

/// Code of this package may run in a browser.
pub fn browser_package(pj: &PackageJson) -> bool {
    BROWSER_PACKAGES
        .iter()
        .any(|p| pj.dependencies.contains_key(*p))
}

/// The file may run in a browser: a browser package, JSX, or a frontend directory. When
/// there is no package.json at all nothing is known, so it may.
pub fn may_run_in_browser(ctx: &ProjectContext, file: usize) -> bool {
    let rel = ctx.rel(file).to_ascii_lowercase();
    let jsx = rel.ends_with(".jsx") || rel.ends_with(".tsx");
    let in_frontend_dir = rel
        .split('/')
        .rev()
        .skip(1)
        .any(|d| FRONTEND_DIRS.contains(&d));
    jsx || in_frontend_dir || package_json(ctx, file).is_none_or(browser_package)
}

/// Node loads the file as an ES module: `.mjs`/`.mts`, or `.js` in a `"type": "module"`
/// package that is run as is (not bundled).
pub fn loads_as_esm(ctx: &ProjectContext, file: usize) -> bool {
    let rel = ctx.rel(file).to_ascii_lowercase();
    if rel.ends_with(".mjs") || rel.ends_with(".mts") {
        return true;
    }
    rel.ends_with(".js") && package_json(ctx, file).is_some_and(|pj| pj.is_module && !bundles(pj))
}

/// Test files and test set-up (`jest.setup.js`, `vitest.config.ts`, `setupTests.ts`,
/// `test-utils.js`): test globals are defined there.
pub fn is_test_support(rel: &str) -> bool {
    if flightcheck_project::workspace::is_test_file(rel) {
        return true;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let dirs_say_test = rel.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "testing" | "fixtures" | "__fixtures__" | "mocks" | "test-utils" | "testutils"
        )
    });
    dirs_say_test
        || [
            "jest.",
            "vitest.",
            "karma.",
            "playwright.",
            "cypress.",
            "wdio.",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        || name.contains("setuptests")
        || name.contains("test-setup")
        || name.contains("testsetup")
        || name.contains("test-utils")
        || name.contains("testutils")
        || name.contains("test-helper")
}
