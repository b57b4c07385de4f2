//! `deploy/dockerfile-order`: a Dockerfile whose build cannot succeed on a clean checkout.

use crate::context::ProjectContext;
use crate::registry::Rule;
use flightcheck_core::{
    Category, Evidence, Finding, FixKind, RuleMeta, Severity, Span, WhenUnreachable,
};
use flightcheck_project::commands::split_commands;
use flightcheck_project::dockerfile::{
    Dockerfile, Stage, Step, compose_context, compose_dockerfile, is_dev_dockerfile,
    join_path as join, parent_dir as parent,
};
use flightcheck_project::services::{ServiceKind, image_name, is_dev_compose};
use std::collections::HashMap;

pub static META: RuleMeta = RuleMeta {
    id: "deploy/dockerfile-order",
    severity: Severity::Blocker,
    category: Category::Availability,
    fix_kind: FixKind::Ops,
    summary: "A Dockerfile that cannot build: a command uses files no earlier COPY brought in, or a COPY names a path missing from the build context",
    when_unreachable: WhenUnreachable::Keep,
    effort_minutes: 10,
    docs: r#"## What it does
Replays each deployed Dockerfile stage by stage and reports the two mistakes that make
`docker build` fail on a clean checkout:
- a `COPY`/`ADD` source that is not in the build context. The context is the one a
  production compose file gives (`build: ./api`, `build.context` with `build.dockerfile`);
  a Dockerfile no compose file builds is judged against every folder from its own up to the
  repository root, and reported only when the path is missing from all of them;
- a `RUN` that needs a file before any `COPY` brought it into the image:
  `pip install -r FILE`, `poetry install` (pyproject.toml), `npm ci` (package.json),
  `python FILE.py`, `node FILE.js`, `sh FILE`, `chmod … FILE`, resolved against the
  stage's `WORKDIR` and any `cd` in the same `RUN`.

It also reports a production compose service whose `build:` context folder, or the
Dockerfile it names (`build.dockerfile`, else `Dockerfile`), does not exist in the
repository (`build: .api/app` for `./api/app`): the build stops before any instruction.
Contexts outside the repository, with `$` variables or URLs, encrypted values, paths
`.gitignore` hides and compose files named for development or kept as old copies
(`docker-compose.dev.yml`, `docker-compose.legacy.yml`, `compose.old.yml`) are not judged; high, not blocker, when the service also names an `image:`, which compose
pulls instead of building when a registry has it.

Not judged: a Dockerfile below the root that the project's compose files do not build
while they build others, and that no CI step names (nothing deploys it); Dockerfiles named for development or tests (`Dockerfile.dev`), ones only a
development compose file builds, `.devcontainer/`, archived, example, test and fixture
folders (`examples/demo/Dockerfile` builds nothing that is deployed); paths with `$`
variables or wildcards; paths `.gitignore` hides (they may exist on the machine that
builds); stages built on an image that is not a stock language or OS image (a base image of
your own, or an `onbuild` tag, may already hold the files); files an earlier `RUN` may have
made (`git clone`, `curl`, `wget`, or any command naming the file); `COPY --from` and
heredocs, which bring in files the context does not show.

A compose service whose build input is missing is medium when the service is set up for
development (a `development` build target, a watcher command, the source tree mounted) and
low when only a profile starts it (`profiles: [llm]`): a production `docker compose up` does
not build either.

## Why it breaks production
The image is what runs. A build that fails on a clean machine (the CI runner, the
platform's builder, a new server) means the service cannot be deployed at all, or that the
next deploy silently keeps the old image. It often goes unnoticed because the author's
machine has a cached layer or an untracked file that the clean host lacks.

## Flagged
```dockerfile
# backend/Dockerfile, built by compose with `build: { context: backend }`
FROM python:3.12-slim
WORKDIR /app
COPY backend/requirements.txt .   # context is backend/: this is backend/backend/requirements.txt
RUN pip install -r requirements.txt
```
```dockerfile
FROM node:20-slim
WORKDIR /app
RUN npm ci            # package.json is copied only below
COPY . .
```

## Not flagged
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
```
A compose service that builds `.` where the folder holds a lower-case `dockerfile`: Docker's
builder falls back to that name when `Dockerfile` is absent.

## Fix
Copy the files a command needs before the command (`COPY requirements.txt .` then
`RUN pip install -r requirements.txt`), and write `COPY` sources relative to the build
context that compose or the build command uses.
"#,
};

pub static RULE: Rule = Rule::project(&META, applies, check);

fn dockerfiles<'a>(ctx: &'a ProjectContext) -> impl Iterator<Item = &'a Dockerfile> + 'a {
    ctx.ws
        .dockerfiles
        .iter()
        .filter(move |d| !is_dev_dockerfile(&d.file) && ctx.owns_file(&d.file))
}

fn applies(ctx: &ProjectContext) -> bool {
    dockerfiles(ctx).next().is_some()
        || ctx
            .services()
            .any(|s| s.kind == ServiceKind::Compose && s.build)
}

/// Production compose services that build from a folder or Dockerfile the repository does
/// not have (`build: .api/app` for `./api/app`): `docker compose build` stops before any
/// instruction runs.
fn missing_build_inputs(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in ctx
        .services()
        .filter(|s| s.kind == ServiceKind::Compose && s.build && !is_dev_compose(&s.file))
    {
        let Some(context) = compose_context(s) else {
            continue;
        };
        // A context outside the repository, or one .gitignore hides, may exist where the
        // image is built.
        // Characters no folder name has: an encrypted value (`ENC[AES256_GCM,…]` from sops).
        if context.starts_with("..")
            || context.starts_with('/')
            || context.contains(['[', ']', ',', '='])
            || ctx.ws.is_gitignored(&context)
        {
            continue;
        }
        let (missing, what) = if !ctx.ws.dir_exists(&context) {
            (context.clone(), format!("the build context `{context}`"))
        } else {
            let Some(path) = compose_dockerfile(s).filter(|p| !p.contains('$')) else {
                continue;
            };
            if ctx.ws.path_exists(&path) || ctx.ws.is_gitignored(&path) {
                continue;
            }
            // `dockerfile` where compose's default names `Dockerfile`: Docker's builder
            // falls back to the lower-case name, so the build finds it.
            let (dir, name) = path.rsplit_once('/').unwrap_or((".", path.as_str()));
            if name == "Dockerfile"
                && ctx
                    .ws
                    .path_exists(&flightcheck_project::workspace::join(dir, "dockerfile"))
            {
                continue;
            }
            (path.clone(), format!("the Dockerfile `{path}`"))
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "compose service `{}` in `{}` builds from {what}, which is not in the repository: `docker compose build` stops before the image exists",
                s.name, s.file
            ),
        );
        // `image:` beside `build:`: `docker compose up` pulls that image when a registry has
        // it and builds only when it does not.
        // A service only a profile starts (`profiles: [llm]`), or one set up for development
        // (a `development` build target, a watcher, the source tree mounted): a plain
        // production `docker compose up` does not build it.
        if let Some(why) = s.exempt.as_deref().filter(|e| {
            e.starts_with("only started with a profile") || e.starts_with("a development setup")
        }) {
            let severity = if why.starts_with("only") {
                Severity::Low
            } else {
                Severity::Medium
            };
            finding = finding.severity(severity).evidence(Evidence::searched(format!(
                "{}, not blocker: the service is {why}, so a production `docker compose up` does not build it",
                severity.as_str()
            )));
        } else if let Some(image) = &s.image {
            finding = finding.severity(Severity::High).evidence(Evidence::searched(format!(
                "high, not blocker: the service also names `image: {image}`, which `docker compose up` pulls when a registry has it; only a build (`--build`, `docker compose build`, or no such image) fails"
            )));
        }
        out.push(
            finding
            .at(&s.file, Span::line(s.line))
            .evidence(Evidence::at(
                &s.file,
                s.line,
                format!("{}: build {}", s.name, s.build_context.as_deref().unwrap_or("")),
                "the service",
            ))
            .evidence(Evidence::searched(format!(
                "searched the repository for `{missing}`: it does not exist, and .gitignore does not hide it"
            )))
            .key(format!("{} {}", s.file, s.name))
            .impact("The stack cannot be built on any machine: `docker compose up --build` fails, so the service is never deployed.")
            .fix("Point `build:` at the folder that holds the Dockerfile (paths are relative to the compose file).")
            .verify("`docker compose build` on a fresh clone succeeds."),
        );
    }
    out
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// Official language and OS images: they hold no application files.
const STOCK_IMAGES: [&str; 22] = [
    "python",
    "node",
    "alpine",
    "debian",
    "ubuntu",
    "buildpack-deps",
    "golang",
    "ruby",
    "rust",
    "eclipse-temurin",
    "openjdk",
    "amazoncorretto",
    "php",
    "bun",
    "deno",
    "pypy",
    "busybox",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "amazonlinux",
];

fn is_stock(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    if lower.contains("onbuild") || lower.contains('$') {
        return false;
    }
    let name = image_name(image);
    STOCK_IMAGES.contains(&name.as_str())
}

/// What the image holds, as far as the Dockerfile shows it.
#[derive(Clone, Default)]
struct ImageFiles {
    /// Container directories whose contents came from a copy (`COPY . /app`).
    dirs: Vec<String>,
    /// Container paths of single copied files, and `dir/pattern` wildcards.
    files: Vec<String>,
    /// Text of every earlier `RUN`: a command that names a file may have made it.
    runs: String,
    /// The image may hold files the Dockerfile does not show.
    opaque: bool,
    /// `WORKDIR` at the end of the stage (a stage built on it starts there).
    workdir: String,
}

impl ImageFiles {
    fn covers(&self, path: &str) -> bool {
        let name = base_name(path);
        self.opaque
            || self.runs.contains(name)
            || self
                .dirs
                .iter()
                .any(|d| d == "/" || path == d || path.starts_with(&format!("{d}/")))
            || self.files.iter().any(|f| {
                f == path
                    || (f.contains(['*', '?'])
                        && parent_container(f) == parent_container(path)
                        && glob_match(base_name(f), name))
            })
    }
}

/// `name` inside the container directory `dir` (`/` + `a` is `/a`, not `//a`).
fn in_dir(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

fn parent_container(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// `*` and `?` wildcards of one path segment.
fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A problem found in one Dockerfile.
struct Problem {
    line: u32,
    snippet: String,
    message: String,
    searched: String,
}

/// The build contexts production compose files give a Dockerfile (empty: none does).
fn compose_contexts(ctx: &ProjectContext, dockerfile: &str) -> (Vec<String>, bool) {
    let mut contexts = Vec::new();
    let mut dev_only = false;
    for s in ctx
        .ws
        .services
        .iter()
        .filter(|s| s.kind == ServiceKind::Compose && s.build)
    {
        let Some(context) = compose_context(s) else {
            continue;
        };
        if compose_dockerfile(s).as_deref() != Some(dockerfile) {
            continue;
        }
        if is_dev_compose(&s.file) {
            dev_only = true;
            continue;
        }
        contexts.push(context);
    }
    let dev_only = dev_only && contexts.is_empty();
    contexts.sort();
    contexts.dedup();
    (contexts, dev_only)
}

/// Paths a command needs, as written: `pip install -r FILE`, `python FILE.py`…
fn needed_paths(words: &[String]) -> Vec<String> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let program = base_name(first);
    let mut out = Vec::new();
    let is_pip = matches!(program, "pip" | "pip3")
        || (program.starts_with("python")
            && words.windows(2).any(|w| w[0] == "-m" && w[1] == "pip"));
    if is_pip && words.iter().any(|w| w == "install") {
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if w == "-r" || w == "--requirement" || w == "-c" || w == "--constraint" {
                if let Some(f) = it.next() {
                    out.push(f.clone());
                }
            } else if let Some(f) = w.strip_prefix("--requirement=").or_else(|| {
                w.strip_prefix("-r")
                    .filter(|f| !f.is_empty() && !f.starts_with('-'))
            }) {
                out.push(f.to_string());
            }
        }
        return out;
    }
    match (program, words.get(1).map(String::as_str)) {
        ("npm", Some("ci")) => out.push("package.json".into()),
        ("poetry", Some("install")) => out.push("pyproject.toml".into()),
        ("python" | "python3" | "node" | "sh" | "bash", Some(script))
            if [".py", ".js", ".mjs", ".cjs", ".sh"]
                .iter()
                .any(|e| script.ends_with(e)) =>
        {
            out.push(script.to_string())
        }
        ("chmod", _) => {
            if let Some(last) = words
                .last()
                .filter(|w| !w.starts_with(['-', '+']) && words.len() >= 3)
            {
                out.push(last.clone());
            }
        }
        _ => {}
    }
    out
}

/// Words that show a command fetched or generated files the Dockerfile does not list.
fn makes_unknown_files(command: &str) -> bool {
    [
        "git clone",
        "wget ",
        "curl ",
        "unzip ",
        "tar ",
        "git pull",
        "npx degit",
        "touch ",
    ]
    .iter()
    .any(|w| command.contains(w))
}

/// A Dockerfile below the root that the project's compose stack does not build, while it
/// builds others, and that no CI step names (`docker build -f nginx/Dockerfile nginx`):
/// nothing deploys it (the stack runs `image: nginx` with mounted config instead).
fn outside_the_stack(ctx: &ProjectContext, d: &Dockerfile) -> bool {
    let dir = parent(&d.file);
    if dir.is_empty() || dir == "." {
        return false;
    }
    let stack_builds = ctx
        .services()
        .any(|s| s.kind == ServiceKind::Compose && s.build && !is_dev_compose(&s.file));
    stack_builds
        && !ctx
            .ws
            .ci_steps
            .iter()
            .any(|c| c.command.contains(d.file.as_str()) || c.command.contains(dir))
}

fn check_dockerfile(ctx: &ProjectContext, d: &Dockerfile) -> Vec<Problem> {
    let (contexts, dev_only) = compose_contexts(ctx, &d.file);
    if dev_only || (contexts.is_empty() && outside_the_stack(ctx, d)) {
        return Vec::new();
    }
    let known_context = !contexts.is_empty();
    let candidates: Vec<String> = if known_context {
        contexts
    } else {
        // Every folder from the Dockerfile's own up to the root.
        let mut c = vec![parent(&d.file).to_string()];
        while let Some(last) = c.last().cloned()
            && last != "."
        {
            c.push(parent(&last).to_string());
        }
        c
    };
    let exists = |rel: &str| ctx.ws.path_exists(rel);
    let is_dir = |rel: &str| ctx.ws.dir_exists(rel);
    let mut problems = Vec::new();
    let mut finished: HashMap<String, ImageFiles> = HashMap::new();
    for stage in &d.stages {
        let mut image = inherited(stage, &finished);
        let mut workdir = image.workdir.clone();
        for step in &stage.steps {
            match step {
                Step::Workdir { dir, .. } => {
                    if dir.contains('$') {
                        image.opaque = true;
                    } else if let Some(w) = join(&workdir, dir) {
                        workdir = w;
                    }
                }
                Step::Copy {
                    line,
                    sources,
                    dest,
                    from,
                    text,
                } => {
                    let dest_path = if dest.contains('$') {
                        None
                    } else {
                        join(&workdir, dest)
                    };
                    let Some(dest_path) = dest_path else {
                        image.opaque = true;
                        continue;
                    };
                    let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
                    if from.is_some() {
                        image.dirs.push(dest_path);
                        continue;
                    }
                    for source in sources {
                        if source.contains("://") {
                            image.files.push(dest_path.clone());
                            image.files.push(in_dir(&dest_path, base_name(source)));
                            continue;
                        }
                        let wild = source.contains(['*', '?', '[', '$']);
                        // A source is relative to the build context even when written
                        // with a leading `/` (`COPY /app/ /app`).
                        let in_context = source.trim_start_matches('/');
                        let resolved: Vec<Option<String>> =
                            candidates.iter().map(|c| join(c, in_context)).collect();
                        let is_dir = resolved.iter().flatten().any(|r| is_dir(r))
                            || source.ends_with('/')
                            || source == ".";
                        if wild {
                            image.files.push(in_dir(&dest_path, base_name(source)));
                            if !into_dir {
                                image.files.push(dest_path.clone());
                            }
                        } else if is_dir {
                            image.dirs.push(dest_path.clone());
                        } else {
                            image.files.push(dest_path.clone());
                            image.files.push(in_dir(&dest_path, base_name(source)));
                        }
                        if wild || resolved.iter().any(Option::is_none) {
                            continue;
                        }
                        let missing = resolved
                            .iter()
                            .flatten()
                            .all(|r| !exists(r) && !ctx.ws.is_gitignored(r));
                        if missing {
                            let searched: Vec<String> = resolved
                                .iter()
                                .flatten()
                                .map(|r| format!("`{r}`"))
                                .collect();
                            let context_words = if known_context {
                                format!(
                                    "the build context compose gives it (`{}`)",
                                    candidates.join("`, `")
                                )
                            } else {
                                "any folder from the Dockerfile's own up to the repository root"
                                    .to_string()
                            };
                            problems.push(Problem {
                                line: *line,
                                snippet: text.clone(),
                                message: format!(
                                    "`{}` copies `{source}`, which is not in {context_words}: `docker build` stops here",
                                    d.file
                                ),
                                searched: format!(
                                    "searched the repository for {}: none exists (and .gitignore does not hide it)",
                                    searched.join(", ")
                                ),
                            });
                        }
                    }
                }
                Step::Run { line, command } => {
                    if makes_unknown_files(command) {
                        image.opaque = true;
                    }
                    if !image.opaque {
                        let mut cwd = workdir.clone();
                        let mut before = String::new();
                        for words in split_commands(command) {
                            if words.first().is_some_and(|w| w == "cd") {
                                match words.get(1).filter(|t| !t.contains('$')) {
                                    Some(t) => match join(&cwd, t) {
                                        Some(c) => cwd = c,
                                        None => break,
                                    },
                                    None => break,
                                }
                                continue;
                            }
                            for needed in needed_paths(&words) {
                                if needed.contains(['$', '*', '?']) {
                                    continue;
                                }
                                let Some(path) = join(&cwd, &needed) else {
                                    continue;
                                };
                                if image.covers(&path) || before.contains(base_name(&path)) {
                                    continue;
                                }
                                problems.push(Problem {
                                    line: *line,
                                    snippet: format!("RUN {command}"),
                                    message: format!(
                                        "`{}` runs `{}` before any `COPY` brings `{path}` into the image: `docker build` fails here",
                                        d.file,
                                        words.join(" ")
                                    ),
                                    searched: format!(
                                        "searched the `COPY`/`ADD` instructions of this stage (base `{}`) before line {line} for `{path}`: none copies it",
                                        stage.base
                                    ),
                                });
                            }
                            before.push_str(&words.join(" "));
                            before.push(' ');
                        }
                    }
                    image.runs.push_str(command);
                    image.runs.push('\n');
                }
            }
        }
        if let Some(alias) = &stage.alias {
            image.workdir = workdir;
            finished.insert(alias.clone(), image);
        }
    }
    problems
}

/// What a stage starts with: an earlier stage's files, nothing (a stock image), or
/// unknown files (any other image).
fn inherited(stage: &Stage, finished: &HashMap<String, ImageFiles>) -> ImageFiles {
    if let Some(earlier) = finished.get(&stage.base.to_ascii_lowercase()) {
        return earlier.clone();
    }
    ImageFiles {
        opaque: !is_stock(&stage.base),
        workdir: "/".into(),
        ..Default::default()
    }
}

fn check(ctx: &ProjectContext) -> Vec<Finding> {
    let mut out = missing_build_inputs(ctx);
    for d in dockerfiles(ctx) {
        // The build stops at the first failing instruction: one finding per Dockerfile,
        // the later failures listed as evidence of what the fix must also cover.
        let mut problems = check_dockerfile(ctx, d).into_iter();
        let Some(first) = problems.next() else {
            continue;
        };
        let mut finding = Finding::new(&META, first.message)
            .at(&d.file, Span::line(first.line))
            .evidence(Evidence::at(
                &d.file,
                first.line,
                first.snippet,
                "the failing instruction",
            ))
            .evidence(Evidence::searched(first.searched));
        for later in problems {
            finding = finding.evidence(Evidence::at(
                &d.file,
                later.line,
                later.snippet,
                "fails next, once the first is fixed",
            ));
        }
        out.push(
            finding
                .key(d.file.clone())
                .impact("The image cannot be built on a clean machine (CI, the platform's builder, a new server): the service cannot be deployed, or the next deploy keeps the old image.")
                .fix("Copy what a command needs before the command, with paths relative to the build context (`COPY requirements.txt .` then `RUN pip install -r requirements.txt`).")
                .verify(format!(
                    "`docker build --no-cache -f {} <context>` on a fresh clone succeeds.",
                    d.file
                )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("package*.json", "package.json"));
        assert!(glob_match("package*.json", "package-lock.json"));
        assert!(!glob_match("package*.json", "tsconfig.json"));
        assert!(glob_match("*", "x"));
    }

    #[test]
    fn commands_name_their_files() {
        let w = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            needed_paths(&w("pip install --no-cache-dir -r requirements.txt")),
            ["requirements.txt"]
        );
        assert_eq!(
            needed_paths(&w("python -m pip install -rreq.txt")),
            ["req.txt"]
        );
        assert_eq!(needed_paths(&w("npm ci --omit=dev")), ["package.json"]);
        assert!(needed_paths(&w("npm install")).is_empty());
        assert_eq!(
            needed_paths(&w("chmod +x /entrypoint.sh")),
            ["/entrypoint.sh"]
        );
        assert_eq!(
            needed_paths(&w("python manage.py collectstatic")),
            ["manage.py"]
        );
    }
}
