//! Python imports of third-party packages that no dependency manifest declares.

use crate::bots::evidence_at;
use crate::context::ProjectContext;
use flightcheck_core::{Evidence, Finding, ImportKind, Language, RuleMeta, Severity};
use flightcheck_project::FileKind;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Import names whose distribution is named differently: (import, distributions).
const KNOWN: &[(&str, &[&str])] = &[
    ("telegram", &["python-telegram-bot"]),
    ("telebot", &["pytelegrambotapi"]),
    ("yaml", &["pyyaml"]),
    ("dotenv", &["python-dotenv"]),
    ("PIL", &["pillow"]),
    ("bs4", &["beautifulsoup4", "bs4"]),
    ("jwt", &["pyjwt"]),
    ("jose", &["python-jose"]),
    ("dateutil", &["python-dateutil"]),
    ("sklearn", &["scikit-learn"]),
    (
        "cv2",
        &[
            "opencv-python",
            "opencv-python-headless",
            "opencv-contrib-python",
        ],
    ),
    (
        "discord",
        &["discord.py", "discord-py", "py-cord", "nextcord", "discord"],
    ),
    ("nextcord", &["nextcord"]),
    ("psycopg2", &["psycopg2", "psycopg2-binary"]),
    ("psycopg", &["psycopg", "psycopg-binary"]),
    ("MySQLdb", &["mysqlclient"]),
    ("magic", &["python-magic"]),
    ("multipart", &["python-multipart"]),
    ("socks", &["pysocks"]),
    ("Crypto", &["pycryptodome", "pycryptodomex"]),
    ("OpenSSL", &["pyopenssl"]),
    ("serial", &["pyserial"]),
    ("attr", &["attrs"]),
    ("fitz", &["pymupdf"]),
    ("docx", &["python-docx"]),
    ("pptx", &["python-pptx"]),
    ("slugify", &["python-slugify"]),
    ("decouple", &["python-decouple"]),
    ("environ", &["django-environ"]),
    ("rest_framework", &["djangorestframework"]),
    ("corsheaders", &["django-cors-headers"]),
    ("pyrogram", &["pyrogram", "pyrofork", "kurigram"]),
    ("googleapiclient", &["google-api-python-client"]),
    ("google_auth_oauthlib", &["google-auth-oauthlib"]),
    ("dns", &["dnspython"]),
    ("git", &["gitpython"]),
    ("websocket", &["websocket-client"]),
    ("engineio", &["python-engineio"]),
    ("socketio", &["python-socketio"]),
    ("memcache", &["python-memcached"]),
    ("Levenshtein", &["python-levenshtein", "levenshtein"]),
    ("skimage", &["scikit-image"]),
    ("faiss", &["faiss-cpu", "faiss-gpu"]),
    ("tiktoken_ext", &["tiktoken"]),
    ("aioredis", &["aioredis", "redis"]),
    ("pydantic_settings", &["pydantic-settings"]),
    ("sentry_sdk", &["sentry-sdk"]),
    ("ffmpeg", &["ffmpeg-python", "python-ffmpeg"]),
    ("youtube_dl", &["youtube-dl"]),
    ("yt_dlp", &["yt-dlp"]),
    ("lxml", &["lxml"]),
];

/// Packages a declared distribution installs with it: (distribution, import names).
const BRINGS: &[(&str, &[&str])] = &[
    (
        "aiogram",
        &[
            "aiohttp",
            "magic_filter",
            "pydantic",
            "aiofiles",
            "certifi",
            "yarl",
            "multidict",
        ],
    ),
    (
        "python-telegram-bot",
        &[
            "httpx", "httpcore", "anyio", "certifi", "h11", "idna", "sniffio",
        ],
    ),
    (
        "pytelegrambotapi",
        &["requests", "urllib3", "certifi", "idna"],
    ),
    (
        "fastapi",
        &["starlette", "pydantic", "anyio", "idna", "sniffio"],
    ),
    (
        "flask",
        &[
            "werkzeug",
            "jinja2",
            "click",
            "itsdangerous",
            "markupsafe",
            "blinker",
        ],
    ),
    ("django", &["asgiref", "sqlparse"]),
    (
        "requests",
        &[
            "urllib3",
            "idna",
            "certifi",
            "charset_normalizer",
            "chardet",
        ],
    ),
    (
        "httpx",
        &["httpcore", "anyio", "certifi", "idna", "sniffio", "h11"],
    ),
    (
        "aiohttp",
        &[
            "yarl",
            "multidict",
            "aiosignal",
            "frozenlist",
            "attr",
            "async_timeout",
        ],
    ),
    ("pydantic", &["pydantic_core", "annotated_types"]),
    (
        "uvicorn",
        &[
            "click",
            "h11",
            "uvloop",
            "httptools",
            "websockets",
            "watchfiles",
            "dotenv",
        ],
    ),
    ("sqlalchemy", &["greenlet"]),
    ("flask-sqlalchemy", &["sqlalchemy"]),
    ("alembic", &["sqlalchemy", "mako"]),
    ("discord.py", &["aiohttp"]),
    ("py-cord", &["aiohttp"]),
    (
        "openai",
        &["httpx", "pydantic", "anyio", "distro", "tqdm", "jiter"],
    ),
    (
        "anthropic",
        &["httpx", "pydantic", "anyio", "distro", "jiter"],
    ),
    ("celery", &["kombu", "billiard", "vine", "click"]),
    ("motor", &["pymongo", "bson", "gridfs"]),
    ("pymongo", &["bson", "gridfs"]),
    ("telethon", &["pyaes", "rsa"]),
    ("pyrogram", &["pyaes", "socks"]),
    ("aiogram-dialog", &["aiogram", "jinja2"]),
    (
        "langchain",
        &["langchain_core", "pydantic", "yaml", "requests"],
    ),
    ("google-generativeai", &["google"]),
    ("pillow", &["PIL"]),
    ("pandas", &["numpy", "dateutil", "pytz"]),
    ("matplotlib", &["numpy"]),
    ("scipy", &["numpy"]),
    ("scikit-learn", &["numpy", "scipy", "joblib"]),
    ("sqlmodel", &["sqlalchemy", "pydantic"]),
    ("pydantic-settings", &["dotenv"]),
    ("apscheduler", &["tzlocal", "pytz"]),
    ("gunicorn", &["packaging"]),
    ("tortoise-orm", &["pypika"]),
];

/// Import names every environment has (installer and typing backports pulled in by almost
/// everything): never reported.
/// Standard-library modules newer than the 3.11 list (`annotationlib`, `compression` in 3.14).
const ALWAYS: &[&str] = &[
    "pip",
    "setuptools",
    "pkg_resources",
    "typing_extensions",
    "_typeshed",
    "annotationlib",
    "compression",
];

/// `Foo_Bar.baz` / `foo-bar` → `foo-bar`.
fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

pub(super) fn undeclared(ctx: &ProjectContext, meta: &'static RuleMeta) -> Vec<Finding> {
    let project = ctx.project;
    if project.python_deps.is_empty() || project.python_deps_unreadable.is_some() {
        return Vec::new();
    }
    // A conda environment file installs packages this check cannot see.
    let conda = ctx.ws.files.iter().any(|f| {
        let name = f.rel.rsplit('/').next().unwrap_or("");
        matches!(name, "environment.yml" | "environment.yaml")
            && flightcheck_project::workspace::is_within(&f.rel, &project.root)
    });
    if conda {
        return Vec::new();
    }
    let declared: BTreeSet<String> = project.python_deps.iter().map(|d| normalise(d)).collect();
    let mut provided: HashSet<String> = HashSet::new();
    for (dist, imports) in BRINGS {
        if declared.contains(&normalise(dist)) {
            provided.extend(imports.iter().map(|i| normalise(i)));
        }
    }
    // Every directory and module stem of the tree's Python files: an import of one of them
    // may be local (a script directory, a sibling package), so it is not judged.
    let mut local: HashSet<&str> = HashSet::new();
    for f in &ctx.ws.files {
        if f.kind != FileKind::Source(Language::Python) {
            continue;
        }
        for part in f.rel.split('/') {
            local.insert(part.strip_suffix(".py").unwrap_or(part));
        }
    }
    let manifests = project.manifests.join(", ");
    let mut out: Vec<Finding> = Vec::new();
    // One finding per missing package, at its first import; later imports are evidence.
    let mut by_package: HashMap<String, (usize, usize)> = HashMap::new();
    for &file in &ctx.sources {
        // Tests, examples and dead code do not run in production: not judged.
        if ctx.language(file) != Some(Language::Python)
            || !ctx.is_reachable(file)
            || ctx.is_sample_code(file)
        {
            continue;
        }
        let Some(facts) = ctx.facts(file) else {
            continue;
        };
        for import in &facts.imports {
            if import.guarded
                || !matches!(import.kind, ImportKind::PyImport | ImportKind::PyFrom)
                || import.specifier.starts_with('.')
            {
                continue;
            }
            let top = import
                .specifier
                .split('.')
                .next()
                .unwrap_or(&import.specifier);
            if top.is_empty()
                || top == "__future__"
                || flightcheck_python::stdlib::is_stdlib(top)
                || top.starts_with('_')
                || ALWAYS.contains(&top)
                || local.contains(top)
                || provided.contains(&normalise(top))
            {
                continue;
            }
            let candidates: Vec<String> = match KNOWN.iter().find(|(i, _)| *i == top) {
                Some((_, dists)) => dists.iter().map(|d| normalise(d)).collect(),
                None => vec![normalise(top)],
            };
            let norm_top = normalise(top);
            let is_declared = candidates.iter().any(|c| declared.contains(c))
                // `google.*`, `azure.*`: namespace packages of many distributions.
                || declared.iter().any(|d| {
                    d.starts_with(&format!("{norm_top}-")) || d.ends_with(&format!("-{norm_top}"))
                });
            if is_declared {
                continue;
            }
            let rel = ctx.rel(file);
            if let Some((at, count)) = by_package.get_mut(top) {
                *count += 1;
                if *count <= 5 {
                    let site = evidence_at(ctx, file, import.span, "imported here too".into());
                    out[*at].evidence.push(site);
                }
                continue;
            }
            by_package.insert(top.to_string(), (out.len(), 1));
            let dist = candidates.first().cloned().unwrap_or_default();
            out.push(
                Finding::new(
                    meta,
                    format!(
                        "`{}` imported in `{rel}` is not declared in the project's dependencies ({manifests}); a fresh install has it only if another dependency pulls it in",
                        import.specifier
                    ),
                )
                // Medium, not high: without a lock file the check cannot see what the
                // declared packages install with them, so the crash is likely, not certain.
                .severity(Severity::Medium)
                .at(rel, import.span)
                .key(format!("dependency:{top}"))
                .evidence(evidence_at(ctx, file, import.span, "the import".into()))
                .evidence(Evidence::searched(format!(
                    "{} declared distributions in {manifests} (import name `{top}` → {})",
                    declared.len(),
                    candidates.join(" | ")
                )))
                .impact("Python raises ModuleNotFoundError when this import runs on a fresh install (a new server, a container build); it only works where the package happens to be installed.")
                .fix(format!("Add `{dist}` to the project's dependencies (pinned), or remove the import."))
                .verify(format!("python3 -m venv /tmp/v && /tmp/v/bin/pip install -r requirements.txt && /tmp/v/bin/python -c \"import {top}\"")),
            );
        }
    }
    out
}
