//! Facts: the language-neutral seam between the language crates and the rules.
//!
//! A language crate turns one file's syntax into [`FileFacts`]; project rules read facts and
//! never an AST. A new framework is new extraction, not a new rule.

use crate::{Language, Span};
use serde::Serialize;

/// A framework or library the rules know about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    // Telegram
    Telegraf,
    Grammy,
    NodeTelegramBotApi,
    Aiogram,
    PythonTelegramBot,
    PyTelegramBotApi,
    // Discord
    DiscordJs,
    DiscordPy,
    // HTTP
    Express,
    Fastify,
    Koa,
    NestJs,
    NextJs,
    FastApi,
    Flask,
    Aiohttp,
    Django,
    // Data
    Knex,
    Prisma,
    Sequelize,
    TypeOrm,
    Drizzle,
    SupabaseJs,
    NodePgMigrate,
    Mongoose,
    SqlAlchemy,
    Alembic,
    Tortoise,
    Aerich,
}

impl Framework {
    /// The npm package (or package prefix) that means this framework.
    pub fn from_npm(package: &str) -> Option<Self> {
        Some(match package {
            "telegraf" => Self::Telegraf,
            "grammy" => Self::Grammy,
            "node-telegram-bot-api" => Self::NodeTelegramBotApi,
            "discord.js" => Self::DiscordJs,
            "express" => Self::Express,
            "fastify" => Self::Fastify,
            "koa" => Self::Koa,
            "@nestjs/core" => Self::NestJs,
            "next" => Self::NextJs,
            "knex" => Self::Knex,
            "prisma" | "@prisma/client" => Self::Prisma,
            "sequelize" => Self::Sequelize,
            "typeorm" => Self::TypeOrm,
            "drizzle-orm" | "drizzle-kit" => Self::Drizzle,
            "@supabase/supabase-js" => Self::SupabaseJs,
            "node-pg-migrate" => Self::NodePgMigrate,
            "mongoose" => Self::Mongoose,
            _ => return None,
        })
    }

    /// The distribution name on PyPI (normalised: lower case, `_` → `-`).
    pub fn from_pypi(distribution: &str) -> Option<Self> {
        let name = distribution.to_ascii_lowercase().replace('_', "-");
        Some(match name.as_str() {
            "aiogram" => Self::Aiogram,
            "python-telegram-bot" => Self::PythonTelegramBot,
            "pytelegrambotapi" => Self::PyTelegramBotApi,
            "discord.py" | "discord-py" | "py-cord" | "nextcord" | "disnake" => Self::DiscordPy,
            "fastapi" => Self::FastApi,
            "flask" => Self::Flask,
            "aiohttp" => Self::Aiohttp,
            "django" => Self::Django,
            "sqlalchemy" => Self::SqlAlchemy,
            "alembic" => Self::Alembic,
            "tortoise-orm" => Self::Tortoise,
            "aerich" => Self::Aerich,
            _ => return None,
        })
    }

    /// The top-level Python module that means this framework.
    pub fn from_python_module(module: &str) -> Option<Self> {
        let top = module.split('.').next().unwrap_or(module);
        Some(match top {
            "aiogram" => Self::Aiogram,
            "telegram" => Self::PythonTelegramBot,
            "telebot" => Self::PyTelegramBotApi,
            "discord" | "nextcord" | "disnake" => Self::DiscordPy,
            "fastapi" => Self::FastApi,
            "flask" => Self::Flask,
            "aiohttp" => Self::Aiohttp,
            "django" => Self::Django,
            "sqlalchemy" => Self::SqlAlchemy,
            "alembic" => Self::Alembic,
            "tortoise" => Self::Tortoise,
            "aerich" => Self::Aerich,
            _ => return None,
        })
    }

    /// The framework an import specifier of JS code means (`express`, `@prisma/client`,
    /// `discord.js/src/x`...).
    pub fn from_js_specifier(specifier: &str) -> Option<Self> {
        let package = package_name(specifier)?;
        Self::from_npm(package)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Telegraf => "telegraf",
            Self::Grammy => "grammy",
            Self::NodeTelegramBotApi => "node-telegram-bot-api",
            Self::Aiogram => "aiogram",
            Self::PythonTelegramBot => "python-telegram-bot",
            Self::PyTelegramBotApi => "pytelegrambotapi",
            Self::DiscordJs => "discord.js",
            Self::DiscordPy => "discord.py",
            Self::Express => "express",
            Self::Fastify => "fastify",
            Self::Koa => "koa",
            Self::NestJs => "nestjs",
            Self::NextJs => "next.js",
            Self::FastApi => "fastapi",
            Self::Flask => "flask",
            Self::Aiohttp => "aiohttp",
            Self::Django => "django",
            Self::Knex => "knex",
            Self::Prisma => "prisma",
            Self::Sequelize => "sequelize",
            Self::TypeOrm => "typeorm",
            Self::Drizzle => "drizzle",
            Self::SupabaseJs => "supabase-js",
            Self::NodePgMigrate => "node-pg-migrate",
            Self::Mongoose => "mongoose",
            Self::SqlAlchemy => "sqlalchemy",
            Self::Alembic => "alembic",
            Self::Tortoise => "tortoise-orm",
            Self::Aerich => "aerich",
        }
    }
}

/// Chat platforms the bot rules know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Telegram,
    Discord,
}

impl Framework {
    /// The chat platform a bot framework serves.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Framework::Telegraf
            | Framework::Grammy
            | Framework::NodeTelegramBotApi
            | Framework::Aiogram
            | Framework::PythonTelegramBot
            | Framework::PyTelegramBotApi => Some(Platform::Telegram),
            Framework::DiscordJs | Framework::DiscordPy => Some(Platform::Discord),
            _ => None,
        }
    }
}

impl Serialize for Framework {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The npm package an import specifier names (`@scope/pkg/sub` → `@scope/pkg`), or `None`
/// for relative, absolute and `node:` specifiers.
pub fn package_name(specifier: &str) -> Option<&str> {
    if specifier.starts_with('.') || specifier.starts_with('/') || specifier.contains(':') {
        return None;
    }
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        Some(&specifier[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

/// The interpreter version a project runs on, and where that was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeVersion {
    pub major: u8,
    pub minor: u8,
    /// e.g. `Dockerfile:1 FROM python:3.11-slim`, `pyproject.toml requires-python >=3.9`.
    pub source: String,
    /// Only the lowest version the project declares it supports (`requires-python`), not
    /// the interpreter a deploy definition or version file pins: the service may run on
    /// a newer one, so syntax newer than this is not proven to fail.
    pub lower_bound: bool,
}

/// The first `3.X` in `text` after one of `markers` (`python:3.11-slim` → 3.11,
/// `>=3.9,<4` → 3.9, `python-3.11.4` → 3.11).
pub fn python_version_in(text: &str) -> Option<(u8, u8)> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices("3.") {
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_digit();
        let minor: String = text[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if before_ok
            && !minor.is_empty()
            && let Ok(m) = minor.parse::<u8>()
        {
            return Some((3, m));
        }
    }
    None
}

/// How a module is pulled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `import x from 'm'`, `export * from 'm'`.
    Static,
    /// `import type` / `export type`: erased by TypeScript, never loaded at run time.
    TypeOnly,
    /// `require('m')`.
    Require,
    /// `import('m')` with a literal specifier.
    Dynamic,
    /// Python `import a.b` (the specifier is the dotted module).
    PyImport,
    /// Python `from a.b import c` / `from ..a import c` (the specifier keeps leading dots).
    PyFrom,
}

/// One import of a module, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportFact {
    pub specifier: String,
    pub kind: ImportKind,
    /// Names imported (`from m import a, b`); empty when not applicable.
    pub names: Vec<String>,
    /// Inside `try`: failure is handled.
    pub guarded: bool,
    /// TypeScript erases this import at run time: every imported name is used only as a
    /// type (or not at all), so a broken path fails `tsc` but not the running program.
    pub erased: bool,
    /// Written inside a function body: the import runs, and fails, only when that function
    /// is called, not when the module loads.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_function: bool,
    pub span: Span,
}

/// A module loaded by a computed path (`import(\`./commands/${name}\`)`,
/// `importlib.import_module(f"bot.handlers.{name}")`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DynamicLoad {
    /// The literal start of the path: a directory (`./commands/`) or a module prefix
    /// (`bot.handlers.`). `None` when nothing about the target is literal.
    pub prefix: Option<String>,
    pub span: Span,
}

/// A read of an environment variable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnvRead {
    pub name: String,
    pub has_default: bool,
    /// The fallback, when it is a literal: `process.env.X || "secret"`, `?? 'dev'`,
    /// `{ X = 'dev' } = process.env`, `os.getenv("X", "dev")`, `os.getenv("X") or "dev"`.
    /// Strings unquoted; numbers and booleans as written.
    pub default: Option<String>,
    /// The innermost named function the read sits in (`handleMessage`, `callback of
    /// bot.on`, `Config.__init__`); `None` when it runs as the module loads (module level, a
    /// class body, an immediately invoked function).
    pub function: Option<String>,
    /// The value is tested where it is read (`if (process.env.X)`, `process.env.X === 'true'`,
    /// `if not os.getenv("X")`): the variable is optional, or checked on the spot.
    pub tested: bool,
    /// The variable, property, attribute or keyword the value is bound to
    /// (`SECRET_KEY = os.getenv("APP_SECRET", …)`, `session({ secret: process.env.X })`).
    pub bound_to: Option<String>,
    pub span: Span,
}

/// Configuration validated at startup: an env-validation library, a schema applied to the
/// whole environment (`cleanEnv(process.env, …)`, `schema.parse(process.env)`), a settings
/// class, or an explicit check that stops the program (`if (!process.env.X) throw …`,
/// `if not TOKEN: sys.exit(…)`, `assert os.getenv("X")`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigCheck {
    /// As written, e.g. `import envalid`, `schema.parse(process.env)`, `if (!token) throw`.
    pub via: String,
    /// A schema or settings library that can check values (length, format), not only
    /// presence (`if (!X) throw`, `os.environ["X"]`).
    pub schema: bool,
    /// Keys a schema object literal requires (no default, not optional):
    /// `cleanEnv(process.env, { JWT_SECRET: str() })` → `JWT_SECRET`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    pub span: Span,
}

/// A field of a settings class that pydantic-settings fills from the environment
/// (`class Settings(BaseSettings): secret_key: str = "changeme"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsField {
    pub class: String,
    /// The variable it reads: the field name upper-cased with the class's literal
    /// `env_prefix`, or its `alias`/`validation_alias`/`env=` when literal.
    pub env_name: String,
    /// The default when it is a literal (`= "changeme"`, `Field("changeme")`,
    /// `Field(default="changeme")`).
    pub default: Option<String>,
    pub span: Span,
}

/// How a debug switch is turned on in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DebugKind {
    /// Flask `app.run(debug=True)`: the Werkzeug debugger runs code for anyone who can
    /// reach an error page.
    FlaskRun,
    /// `app.debug = True`, `app.config["DEBUG"] = True`.
    AppDebugAttr,
    /// `FastAPI(debug=True)`, `Starlette(debug=True)`, `Quart(...)`: tracebacks in responses.
    AppConstructor,
    /// `DEBUG = True` at module level of a Python file (Django settings when the file is
    /// one).
    DebugSetting,
    /// `DEBUG = … os.getenv("DEBUG", "True") …`: debug is on unless the environment says
    /// otherwise.
    DebugDefaultOn,
    /// `uvicorn.run(..., reload=True)`: a file watcher and a single worker.
    ServerReload,
    /// express `app.set('env', 'development')`.
    ExpressEnv,
    /// `process.env.NODE_ENV = 'development'` in code.
    NodeEnvAssignment,
}

/// A debug switch turned on in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DebugFlag {
    pub kind: DebugKind,
    /// The call or assignment as written (shortened).
    pub via: String,
    /// Inside `if __name__ == "__main__":` (runs only when the file is started directly).
    pub in_main_guard: bool,
    /// The innermost named function around it; `None` at module level.
    pub function: Option<String>,
    pub span: Span,
}

/// Function names that run while the program starts (`main`, `startBot`, `createApp`,
/// `load_config`, `Config.__init__`, `constructor`, `lifespan`, the callback of
/// `app.listen`…): reads in them happen at startup, not on first use. A verb alone is not
/// enough: `createEvent` and `loadUser` run per request.
pub fn is_startup_function(name: &str) -> bool {
    let last = name.rsplit(['.', ' ']).next().unwrap_or(name);
    let lower = last.to_ascii_lowercase();
    let lower = lower.trim_matches('_');
    if matches!(
        lower,
        "main"
            | "constructor"
            | "init"
            | "new"
            | "lifespan"
            | "app"
            | "run"
            | "cli"
            | "start"
            | "startup"
            | "on_startup"
            | "setup"
            | "bootstrap"
            | "boot"
            | "launch"
            | "configure"
            | "serve"
            | "listen"
            | "once"
    ) {
        return true;
    }
    const VERBS: [&str; 15] = [
        "create",
        "build",
        "make",
        "init",
        "setup",
        "set_up",
        "configure",
        "load",
        "register",
        "connect",
        "get",
        "start",
        "bootstrap",
        "boot",
        "launch",
    ];
    const NOUNS: [&str; 31] = [
        "app",
        "application",
        "server",
        "bot",
        "client",
        "config",
        "settings",
        "env",
        "db",
        "database",
        "pool",
        "redis",
        "store",
        "storage",
        "container",
        "module",
        "router",
        "routes",
        "handlers",
        "commands",
        "middleware",
        "plugins",
        "dependencies",
        "logger",
        "logging",
        "sentry",
        "cache",
        "dispatcher",
        "polling",
        "webhook",
        "services",
    ];
    let compact: String = lower.chars().filter(|c| *c != '_').collect();
    VERBS.iter().any(|v| {
        compact
            .strip_prefix(v.replace('_', "").as_str())
            .is_some_and(|rest| NOUNS.iter().any(|n| rest.starts_with(n)))
    })
}

/// Whether an error message talks about the environment (`BOT_TOKEN is not set`,
/// `missing env var`, `set TOKEN in .env`): a check that stops the program with it is a
/// configuration check.
pub fn config_message(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words = [
        "env",
        "environment",
        "missing",
        "not set",
        "must be set",
        "is unset",
    ];
    words.iter().any(|w| lower.contains(w))
        || text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| {
                w.len() >= 4
                    && w.contains('_')
                    && w.chars().any(|c| c.is_ascii_uppercase())
                    && !w.chars().any(|c| c.is_ascii_lowercase())
            })
}

/// One call: `from` calls a function, method or class named `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallEdge {
    /// The calling function as in [`EnvRead::function`]; `None` at module level.
    pub from: Option<String>,
    pub to: String,
}

/// A syntax error the runtime rejects before running the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxIssue {
    pub message: String,
    pub span: Span,
}

/// A problem a per-file rule reported during the AST walk; the pipeline turns it into a
/// [`crate::Finding`] with the rule's metadata and reachability policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFinding {
    pub rule: &'static str,
    /// Overrides the rule's default severity when the evidence warrants it.
    pub severity: Option<crate::Severity>,
    pub message: String,
    pub span: Span,
    /// The matched text, for the fingerprint.
    pub key: String,
}

impl FileFinding {
    /// A finding over `span` of `source`; the covered text becomes the fingerprint key.
    pub fn new(
        rule: &'static str,
        source: &str,
        range: (usize, usize),
        span: Span,
        message: String,
        severity: Option<crate::Severity>,
    ) -> Self {
        let key = source.get(range.0..range.1).unwrap_or("").to_string();
        Self {
            rule,
            severity,
            message,
            span,
            key,
        }
    }
}

/// Everything extracted from one source file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileFacts {
    pub imports: Vec<ImportFact>,
    pub env_reads: Vec<EnvRead>,
    /// Startup validation of configuration found in this file.
    pub config_checks: Vec<ConfigCheck>,
    /// Fields of settings classes that read the environment.
    pub settings_fields: Vec<SettingsField>,
    /// Debug switches turned on in this file.
    pub debug_flags: Vec<DebugFlag>,
    /// Calls of named functions, methods and classes: who calls (`None` at module level)
    /// and the callee's last name (`tracker`, `createFromEnv`, `Config`). Followed from
    /// module level, they tell which functions run while the program starts.
    pub call_edges: Vec<CallEdge>,
    pub syntax_issues: Vec<SyntaxIssue>,
    pub dynamic_loads: Vec<DynamicLoad>,
    /// String literals that name a script file (`new Worker('./worker.js')`,
    /// `new ShardingManager('./dist/bot.js')`, `fork('child.js')`): files this one may start.
    pub script_paths: Vec<String>,
    /// Python `if __name__ == "__main__":` at module level.
    pub has_main_guard: bool,
    /// A module-level web application object (`app = FastAPI()`, `Flask(__name__)`,
    /// `web.Application()`, `get_wsgi_application()`) that a server imports: the framework
    /// name, e.g. `FastAPI`.
    pub web_app: Option<String>,
    /// Frameworks imported by this file.
    pub frameworks: Vec<Framework>,
    /// Findings of per-file rules.
    pub findings: Vec<FileFinding>,
    /// Bots, handlers, routes, tables and migrations this file sets up.
    pub wiring: crate::wiring::Wiring,
    /// `flightcheck-ignore` directives in this file's comments.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// Credentials in string literals (source files) or values (config files): digests and
    /// redacted previews only, never the values.
    pub secrets: Vec<crate::secrets::SecretCandidate>,
    /// Error trackers, console output, health paths, Redis clients, blocking calls.
    pub observability: crate::observability::ObservabilityFacts,
    /// Crash and stop-signal hooks, service runners and outbound calls.
    pub resilience: crate::resilience::ResilienceFacts,
    /// Undefined names, exports, named imports and classes, for the integrity rules.
    pub integrity: crate::integrity::IntegrityFacts,
    /// State files written, long-lived containers, periodic jobs.
    pub state: crate::state::StateFacts,
    /// Python: undefined names and the names the module scope binds.
    pub py_names: crate::names::ModuleNames,
    /// Async definitions, dropped calls of imported async functions, log-only catches.
    pub async_calls: crate::async_calls::AsyncCallFacts,
    /// Python: classes, instances and member calls on receivers of known class.
    pub py_classes: crate::py_classes::PyClassFacts,
    /// Function definitions and the names the module refers to (Python).
    pub liveness: crate::liveness::ModuleLiveness,
    pub lines: u32,
}

/// A source file and its facts, as the rules see it.
#[derive(Debug, Clone)]
pub struct SourceFacts {
    /// Path relative to the scanned root, forward slashes.
    pub path: String,
    pub language: Language,
    pub facts: FileFacts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_function_names() {
        for f in [
            "main",
            "startBot",
            "createApp",
            "load_config",
            "Config.__init__",
            "Bot.constructor",
            "callback of app.listen",
            "setup_logging",
            "get_settings",
            "connectDb",
        ] {
            assert!(is_startup_function(f), "{f}");
        }
        for f in [
            "createEvent",
            "loadUser",
            "handleMessage",
            "callback of bot.on",
            "start_handler",
            "getChart",
            "buildReply",
        ] {
            assert!(!is_startup_function(f), "{f}");
        }
    }

    #[test]
    fn package_names() {
        assert_eq!(package_name("express"), Some("express"));
        assert_eq!(
            package_name("@prisma/client/runtime"),
            Some("@prisma/client")
        );
        assert_eq!(package_name("discord.js"), Some("discord.js"));
        assert_eq!(package_name("./x"), None);
        assert_eq!(package_name("node:fs"), None);
        assert_eq!(
            Framework::from_js_specifier("telegraf/filters"),
            Some(Framework::Telegraf)
        );
        assert_eq!(
            Framework::from_python_module("aiogram.filters"),
            Some(Framework::Aiogram)
        );
        assert_eq!(
            Framework::from_pypi("Python_Telegram_Bot"),
            Some(Framework::PythonTelegramBot)
        );
    }
}
