//! Wiring facts: how a bot, a web service and its database are put together. Language
//! crates extract them from syntax; the `bot/*`, `data/*` and webhook rules read them.
//!
//! Every fact records its [`Owner`]: the top-level declaration whose body contains it.
//! Code inside a function or class runs only if that declaration is used, so the
//! pipeline decides per owner whether a fact is live (see [`FileFacts::uses`]).
//!
//! [`FileFacts::uses`]: crate::FileFacts::uses

use crate::{Framework, Span};
use serde::Serialize;

/// The top-level function/class/variable declaration a fact sits in; `None` at module level
/// (code that runs when the module is loaded). For a method, the class.
pub type Owner = Option<String>;

/// A use of one top-level declaration of this file by code of the same file: `from`
/// (`None` = module level) references `to`. Liveness flows along these edges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclUse {
    pub from: Owner,
    pub to: String,
}

/// A bot client object: `new Telegraf(token)`, `Bot(token)`, `Dispatcher()`,
/// `ApplicationBuilder()...build()`, `new Client({ intents })`, `commands.Bot(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotInstance {
    pub framework: Framework,
    /// The name it is bound to (`bot`, `this.bot`, `dp`, `application`), or `""`.
    pub name: String,
    pub span: Span,
    pub owner: Owner,
}

/// How a command handler was spelled, for the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandHandler {
    pub framework: Framework,
    /// The object it is registered on as written (`bot`, `router`, `dp`, `composer`): two
    /// registrations are duplicates only on the same object.
    pub receiver: String,
    /// The command without `/`, lower case (`start`).
    pub command: String,
    /// The registration as written, e.g. `bot.start(...)`, `Command("start")`.
    pub via: String,
    /// The handler may hand the update on (`next()`, extra filters, a handler group,
    /// a conversation entry point): a later registration of the same command can still run.
    pub passes_on: bool,
    /// Registered directly on the bot/dispatcher (`add_handler`, `bot.command`), as opposed
    /// to being built for a conversation or scene. Only these can shadow each other.
    pub direct: bool,
    pub span: Span,
    pub owner: Owner,
}

/// A filter expression restricts updates to group or channel chats and never lets a
/// private chat through (`F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP})`,
/// `filters.ChatType.GROUPS`, `chat_types=["group"]`).
pub fn filters_to_groups(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.contains("chat.type") || lower.contains("chattype") || lower.contains("chat_type"))
        && (lower.contains("group") || lower.contains("channel"))
        && !lower.contains("private")
}

/// A handler that answers every message (telegraf/grammY `bot.on('message')`, an aiogram
/// `@router.message()` without filters, PTB `MessageHandler(filters.ALL, ...)`): it answers
/// `/start` too, so a missing `/start` handler is not a silent bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatchAllHandler {
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// A call of interest to a rule, as written: a payment handler's registration
/// (`@dp.pre_checkout_query()`, `bot.on('successful_payment')`), a launch that drops the
/// updates that queued while the bot was down (`drop_pending_updates=True`), a unique
/// index declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallSite {
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// What mongoose code says about index creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MongoIndexes {
    /// `autoIndex: false` (or off in production: `autoIndex: NODE_ENV !== 'production'`)
    /// in connection or schema options, `mongoose.set('autoIndex', false)`.
    pub auto_index_off: Vec<CallSite>,
    /// Unique indexes a schema declares (`unique: true`, `schema.index(…, { unique: true })`).
    pub unique: Vec<CallSite>,
    /// Code that builds indexes (`syncIndexes`, `createIndexes`, `ensureIndexes`,
    /// `Model.init()`, `collection.createIndex`).
    pub builds: Vec<CallSite>,
}

impl MongoIndexes {
    pub fn is_empty(&self) -> bool {
        self.auto_index_off.is_empty() && self.unique.is_empty() && self.builds.is_empty()
    }
}

/// A call that sets the bot's command menu (`setMyCommands`, `set_my_commands`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandMenu {
    pub framework: Option<Framework>,
    /// Commands listed literally (without `/`, lower case); `None` when not literal.
    pub commands: Option<Vec<String>>,
    /// Why the call never takes effect while the bot serves, e.g. it runs in the
    /// continuation of telegraf 4's `bot.launch()`, which resolves only when polling stops.
    pub ineffective: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// What a statement after an awaited `launch()` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterLaunch {
    /// Starts an HTTP server (`app.listen(...)`).
    Server,
    /// Registers signal handlers (`process.once('SIGTERM', ...)`).
    SignalHandlers,
    /// Anything else but logging.
    Other,
}

/// `await bot.launch()` (polling) in a function with startup work after it, or in a lifecycle
/// hook its framework awaits before serving (NestJS `onModuleInit`). Since telegraf 4.11 the
/// polling `launch()` resolves only when the bot stops, so that work waits forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitedLaunch {
    pub span: Span,
    /// The first statement after the launch that is not logging: as written, its kind and
    /// where it is.
    pub blocked: Option<(String, AfterLaunch, Span)>,
    /// The lifecycle hook the launch is awaited in (`onModuleInit`).
    pub startup_hook: Option<String>,
    pub owner: Owner,
}

/// A bot-level error handler (`bot.catch`, `@dp.errors()`, `add_error_handler`,
/// `client.on('error')`, `on_error`, `on_command_error`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotErrorHandler {
    pub framework: Framework,
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// Where a bot keeps conversation state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionStore {
    pub framework: Framework,
    /// The state survives a restart (Redis, Mongo, SQL, a persistence file).
    pub persistent: bool,
    /// In memory only as a fallback when the persistent store is not configured
    /// (`RedisStorage(...) if REDIS_URL else MemoryStorage()`).
    pub fallback: bool,
    /// As written: `session()`, `MemoryStorage()`, `ApplicationBuilder() without persistence`.
    pub via: String,
    /// Web sessions: the signing secret when it is written in the code (`secret: 'x'`,
    /// `keys: ['x']`), not read from the environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub literal_secret: Option<String>,
    /// Web sessions: an in-memory store the code chooses itself (a project class, the
    /// `memorystore` package), not the library's default `MemoryStore`, which never
    /// evicts: such a store may expire sessions, but still loses them on restart.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chosen_memory_store: bool,
    pub span: Span,
    pub owner: Owner,
}

/// Telegram webhook mode: the bot receives updates over HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotWebhook {
    pub framework: Option<Framework>,
    /// A `secret_token` is set or checked.
    pub secret_token: bool,
    pub via: String,
    /// Python: the call sits under `if NAME:` (`true`) or `if not NAME:` (`false`), `NAME`
    /// a name or a dotted setting (`config.webhook.use_webhook`): it runs only when `NAME`
    /// has that truth value (a module constant's is known, see [`Wiring::bool_consts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<(String, bool)>,
    pub span: Span,
    pub owner: Owner,
}

/// Per-user throttling of bot updates (telegraf-ratelimit, @grammyjs/ratelimiter,
/// aiogram throttling middleware, a cooldown decorator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// How a route checks who is calling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "via", rename_all = "kebab-case")]
pub enum Verification {
    /// Nothing in the handler or its middleware verifies a signature or secret.
    None,
    /// Verified before acting (HMAC compare, `stripe.webhooks.constructEvent`, Twilio
    /// `validateRequest`, a secret-token header compared, verifying middleware).
    Verified(String),
    /// Verified only when a secret is configured, otherwise accepted: `if (secret) { verify }`.
    FailOpen(String),
}

/// An HTTP route handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub framework: Framework,
    /// `GET`, `POST`, ... or `ALL`.
    pub method: String,
    /// The path as written (`/webhook/payment`), or `""` when computed.
    pub path: String,
    /// Names of middleware passed before the handler.
    pub middlewares: Vec<String>,
    pub verification: Verification,
    /// The handler reads the request body or acts on it (vs. a health check).
    pub reads_body: bool,
    /// Calls whose result the handler checks before acting, refusing the request otherwise
    /// (`p = await get_payment_status(id)` … `if p.get("status") != "succeeded": return
    /// 400`): when the rule resolves one to the provider's API, the handler re-reads the
    /// state from the provider instead of trusting the body (YooKassa's way to verify).
    pub confirmed_by: Vec<String>,
    /// Calls whose answer alone the handler tests before acting (`paid = await
    /// check_payment(id)` … `if not paid: return`): they confirm the payment only when
    /// they reach a payment provider's SDK, not through any outbound call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confirmed_by_answer: Vec<String>,
    /// Python: the handler is defined in another module of the project
    /// (`app.router.add_post(path, handler.on_payment)` with `handler = WebhookHandler(…)`
    /// imported): the rule judges the route by that module's [`HandlerVerdict`].
    pub elsewhere: Option<HandlerRef>,
    /// JS: the handler hands the request object itself to a call whose body is out of
    /// sight (`await this.providers[name].handleWebhook(req)`, an imported
    /// `handle(req, res)`): what verifies the sender is decided there, unseen.
    pub delegated_to: Option<String>,
    /// The handler passes the update to a chat bot's dispatcher (`dp.feed_update(…)`,
    /// `application.process_update(…)`, `bot.handleUpdate(req.body)`): a Telegram webhook
    /// receiver. Its sender check is Telegram's secret token, which `bot/webhook-secret-missing`
    /// judges; a signature check like a payment callback's is not expected.
    pub feeds_bot: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

/// A function of another module, as an import names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerRef {
    /// The module as the import writes it (`handlers.webhook`).
    pub specifier: String,
    /// `function`, or `Class.method` for a method of an instance of an imported class.
    pub name: String,
}

/// Python: how a function of this module that reads a request body checks its sender, for
/// routes other modules register with it (see [`Route::elsewhere`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerVerdict {
    /// `function` or `Class.method`.
    pub name: String,
    pub verification: Verification,
    /// As [`Route::confirmed_by`], callees of this module.
    pub confirmed_by: Vec<String>,
    /// As [`Route::confirmed_by_answer`], callees of this module.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confirmed_by_answer: Vec<String>,
    pub line: u32,
}

/// A top-level name bound to a module of the project: `const admin = require('./admin')`,
/// `import admin from './admin'` (the module object), or `const { create } =
/// require('./users')`, `import { create } from './users'` (one of its names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleLocal {
    pub local: String,
    /// The specifier as written (`./admin`).
    pub specifier: String,
    /// The name imported, for named imports; `None` for the module object.
    pub imported: Option<String>,
}

/// One `use(...)` call of an HTTP app or router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouterUse {
    /// The receiver as written (`app`, `router`).
    pub receiver: String,
    /// The mount path (`'/admin'`), when the first argument is a literal path.
    pub prefix: Option<String>,
    /// What is mounted or applied last, when it is a name (`adminRouter`, `auth`) or an inline
    /// `require('./routes/admin')` (then the specifier, starting with `.`).
    pub target: Option<String>,
    /// Arguments between the path and the last one, as written (`requireAdmin`).
    pub middlewares: Vec<String>,
    pub span: Span,
    pub owner: Owner,
}

/// Read or write access to a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableAccess {
    Read,
    Write,
}

/// Code that queries a table: `knex('t')`, `.from('t')`, `FROM t` in an SQL string,
/// an ORM model bound to `t`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableQuery {
    /// Lower case, without schema and quotes.
    pub table: String,
    pub access: TableAccess,
    /// `knex('t')`, `supabase.from('t')`, `SQL string`, `model Foo`.
    pub via: String,
    pub span: Span,
    pub owner: Owner,
}

/// Something that creates a table: knex `createTable`, SQL `CREATE TABLE`, alembic
/// `op.create_table`, a prisma model, an ORM model the app syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCreate {
    pub table: String,
    pub via: String,
    pub span: Span,
}

/// A column whose name says it holds a Telegram user or chat id (`chat_id`, `telegram_id`,
/// `tg_user_id`, `chatId`) declared as a 32-bit integer: SQLAlchemy `Column(Integer)` or a
/// bare `Mapped[int]`, Django `IntegerField`, tortoise `IntField`, TypeORM `@Column()` on a
/// `number` (or `'int'`), `INTEGER`/`INT` in a `CREATE TABLE`. Telegram user ids pass 2^31
/// and supergroup ids are `-100…` with 13 digits: they do not fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NarrowIdColumn {
    pub column: String,
    /// The declaration as written (`Column(Integer, unique=True)`).
    pub declared: String,
    /// The model or statement it belongs to (`SQLAlchemy model \`User\``).
    pub via: String,
    pub span: Span,
}

/// Whether a column name says it holds a Telegram user or chat id.
pub fn is_telegram_id_column(name: &str) -> bool {
    let flat: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        flat.as_str(),
        "chatid"
            | "telegramid"
            | "tgid"
            | "tguserid"
            | "telegramuserid"
            | "tgchatid"
            | "telegramchatid"
            | "userchatid"
    )
}

/// The Telegram-id columns a `CREATE TABLE` statement declares as 32-bit integers
/// (`INTEGER`, `INT`, `INT4`, `SERIAL`), with their 0-based byte offsets in `sql`.
pub fn narrow_id_columns_in_sql(sql: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let lower = sql.to_ascii_lowercase();
    if !lower.contains("create table") {
        return out;
    }
    let mut offset = 0;
    for piece in sql.split_inclusive([',', '(', '\n']) {
        let words: Vec<&str> = piece
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '`' | '"'))
            .filter(|w| !w.is_empty())
            .collect();
        if let [name, ty, ..] = words[..]
            && is_telegram_id_column(name)
            && matches!(
                ty.to_ascii_lowercase().as_str(),
                "integer" | "int" | "int4" | "serial" | "mediumint"
            )
        {
            let at = offset + piece.find(name).unwrap_or(0);
            out.push((name.to_string(), format!("{name} {ty}"), at));
        }
        offset += piece.len();
    }
    out
}

/// The line of byte `offset` of a string literal's value, given the literal's source text and
/// the span it starts at: the value's newlines are the source's when both have as many
/// (a triple-quoted or template literal); otherwise (`"…\\n…"` escapes) the literal's
/// first line.
pub fn line_in_literal(source: &str, value: &str, offset: usize, start: Span) -> Span {
    let newlines = |t: &str| t.bytes().filter(|b| *b == b'\n').count();
    let before = value.get(..offset).map_or(0, newlines);
    if before > 0 && newlines(source) == newlines(value) {
        Span::line(start.line + before as u32)
    } else {
        start
    }
}

/// A call in code that applies migrations: `knex.migrate.latest()`, `migrate(db, {...})`,
/// alembic `command.upgrade(cfg, "head")`, `call_command("migrate")`, `Base.metadata.create_all`,
/// `sequelize.sync()`, a `umzug.up()`, a spawned `prisma migrate deploy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationRun {
    pub tool: String,
    /// The migrations directory it is configured with, when written literally.
    pub directory: Option<String>,
    /// Creates every model's table from the code (`create_all`, `sync()`), so models need
    /// no migration to exist.
    pub creates_models: bool,
    pub span: Span,
    pub owner: Owner,
}

/// Where a migration tool is configured to find its migrations (knexfile
/// `migrations.directory`): a runner configured for another folder applies nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationConfig {
    pub tool: String,
    /// As written, relative to the configuring file's directory.
    pub directory: String,
    pub span: Span,
}

/// Module-level mutable state that outlives a request: `const games = new Map()`,
/// `pending_payments: dict[int, ...] = {}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryState {
    pub name: String,
    /// `Map`, `Set`, `object`, `dict`, `list`.
    pub container: String,
    pub span: Span,
    /// Lines that add entries to it (`games.set(...)`, `pending[uid] = ...`).
    pub writes: Vec<u32>,
}

/// Data the program keeps in files on its own disk: a SQLite database, a file-backed store
/// (lowdb, TinyDB, shelve, PTB's `PicklePersistence`), a JSON file it rewrites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataStore {
    pub kind: DataStoreKind,
    /// How it was recognised, as written: `sqlite3.connect('bot.db')`.
    pub via: String,
    /// The file, when written literally (`bot.db`, `data/users.json`).
    pub path: Option<String>,
    pub span: Span,
    pub owner: Owner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataStoreKind {
    /// A SQLite database opened by a driver or an ORM (`sqlite3.connect`, `new Database`,
    /// `dialect: 'sqlite'`, Django's sqlite3 backend).
    Sqlite,
    /// A `sqlite:///…` URL written in code: often a development default that the deployed
    /// environment overrides.
    SqliteUrl,
    /// A file-backed store library (lowdb, nedb, node-json-db, quick.db, TinyDB, shelve,
    /// pickledb, PTB `PicklePersistence`).
    FileStore,
    /// A JSON file the program writes (`fs.writeFileSync('db.json', JSON.stringify(db))`).
    JsonFile,
}

impl DataStoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite | Self::SqliteUrl => "SQLite database",
            Self::FileStore => "file-backed store",
            Self::JsonFile => "JSON file",
        }
    }
}

/// A file path literal names a database or data file worth keeping (not `:memory:`, not a
/// temporary, cache, log, test or configuration file).
pub fn is_data_path(path: &str) -> bool {
    const NOT_DATA: [&str; 22] = [
        "tmp",
        "temp",
        "cache",
        "log",
        "test",
        "fixture",
        "mock",
        "example",
        "sample",
        "package",
        "tsconfig",
        "manifest",
        "report",
        "coverage",
        "config",
        "settings",
        "locale",
        "i18n",
        "translation",
        "schema",
        "lang",
        "backup",
    ];
    let lower = path.trim().to_ascii_lowercase();
    if lower.is_empty() || lower.contains(":memory:") || lower.starts_with("/tmp") {
        return false;
    }
    let name = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    !name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .any(|t| {
            NOT_DATA.contains(&t) || t.strip_suffix('s').is_some_and(|s| NOT_DATA.contains(&s))
        })
}

/// The file of a `sqlite://` URL (`sqlite:///bot.db`, `sqlite+aiosqlite:///./data/bot.db`,
/// tortoise `sqlite://db.sqlite3`, sequelize `sqlite:db.sqlite`, libsql and prisma
/// `file:./dev.db`); `None` for in-memory or path-less URLs and other text.
pub fn sqlite_url_path(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(file) = t.strip_prefix("file:") {
        let lower = file.to_ascii_lowercase();
        let is_db = [".db", ".sqlite", ".sqlite3", ".db3"]
            .iter()
            .any(|e| lower.split('?').next().unwrap_or(&lower).ends_with(e));
        return (is_db && !lower.contains(":memory:")).then(|| {
            file.trim_start_matches("//")
                .split('?')
                .next()
                .unwrap_or(file)
                .to_string()
        });
    }
    if !t.get(..6)?.eq_ignore_ascii_case("sqlite") {
        return None;
    }
    let rest = &t[6..];
    let rest = match rest.strip_prefix('+') {
        Some(r) => r.split_once(':')?.1,
        None => rest.strip_prefix(':')?,
    };
    let path = rest.trim_start_matches('/');
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty()
        && !path.contains(":memory:")
        && !path.contains(char::is_whitespace)
        && !path.contains('{'))
    .then(|| path.to_string())
}

/// What sets a bot handler off, for judging who can reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BotTrigger {
    /// A command anyone can type (`/ban`).
    Command,
    /// A message text anyone can type, e.g. a reply-keyboard button (`F.text == "Broadcast"`).
    Text,
    /// An inline button's callback data (`F.data == "admin_stats"`). The client sends it, so
    /// a user who crafts the data reaches the handler without ever seeing the button.
    Callback,
}

/// A bot handler users set off by what they send, and what checks who sent it
/// (`security/admin-handler-unauthorized`). Handlers behind a conversation state are not
/// recorded: only an earlier handler can put a user in that state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotHandler {
    pub framework: Framework,
    /// The router, dispatcher or bot it is registered on, as written.
    pub receiver: String,
    pub trigger: BotTrigger,
    /// The trigger as written (`Command("ban")`, `F.data == "admin_stats"`).
    pub via: String,
    /// The handler function's name (`""` for an inline one).
    pub function: String,
    /// How the sender is checked, as written: a filter besides the trigger, another
    /// decorator, a test of the sender or of a role in the body. `None` when nothing is seen.
    pub guard: Option<String>,
    /// Names of the functions its body calls (last segment): a helper of the project that
    /// checks the sender (see [`Wiring::sender_checks`]) guards it.
    pub calls: Vec<String>,
    pub span: Span,
    pub owner: Owner,
}

/// A filter or middleware that every handler of a router, dispatcher or bot passes
/// (`router.message.filter(IsAdmin())`, `dp.update.outer_middleware(Auth())`, `bot.use(fn)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotRootGuard {
    pub receiver: String,
    pub via: String,
    /// A middleware (it applies to the routers included in the receiver too), as opposed
    /// to a filter of the receiver's own handlers.
    pub middleware: bool,
    /// The middleware's class or function when it is a name of the project or an import
    /// (`Throttling`): the rule asks whether it checks the sender. `None`: unknown, so it
    /// may check.
    pub checker: Option<String>,
    /// The filter itself tests the sender (`F.from_user.id.in_(ADMINS)`, `IsAdmin()`).
    pub checks_sender: bool,
    pub span: Span,
}

/// All wiring facts of one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Wiring {
    pub bots: Vec<BotInstance>,
    pub commands: Vec<CommandHandler>,
    /// A command is registered from a list that is not literal (a loop over files, a
    /// computed name): the set of handled commands is not fully known.
    pub dynamic_commands: bool,
    pub catch_all: Vec<CatchAllHandler>,
    pub menus: Vec<CommandMenu>,
    /// `await bot.launch()` with startup work after it (telegraf).
    pub awaited_launches: Vec<AwaitedLaunch>,
    pub error_handlers: Vec<BotErrorHandler>,
    pub sessions: Vec<SessionStore>,
    /// Web login sessions (`express-session`, `@fastify/session`) and whether their store
    /// survives a restart (`framework` is the web framework).
    pub web_sessions: Vec<SessionStore>,
    pub webhooks: Vec<BotWebhook>,
    /// Python: module-level names bound once to `True` or `False` (`USE_POLLING = True`).
    pub bool_consts: Vec<(String, bool)>,
    /// Python: calls of plain names in this file (`main_webhook()`), each with the innermost
    /// `if NAME:` / `if not NAME:` branch it sits in (`None` outside any such branch): a
    /// function called only under a run-time switch runs only in that mode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_calls: Vec<(String, Option<(String, bool)>)>,
    /// Handlers of Telegram payments (`pre_checkout_query`, `successful_payment`).
    pub payment_handlers: Vec<CallSite>,
    /// Launches and webhook calls that drop the updates queued while the bot was down.
    pub drops_pending_updates: Vec<CallSite>,
    /// Lines of those calls that sit in an `except` clause (Python): a recovery path that
    /// runs only when starting the normal way failed (webhook setup, then polling).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drops_pending_on_error: Vec<u32>,
    /// MongoDB/mongoose index facts (see [`MongoIndexes`]).
    pub mongo_indexes: MongoIndexes,
    pub rate_limits: Vec<RateLimit>,
    pub routes: Vec<Route>,
    /// Python: request handlers this module defines (see [`HandlerVerdict`]).
    pub handler_verdicts: Vec<HandlerVerdict>,
    /// `app.use(...)` / `router.use(...)` calls: mounts of routers under a path, and
    /// middleware applied to every later route of the receiver.
    pub router_uses: Vec<RouterUse>,
    /// Top-level names bound to a module of the project (see [`ModuleLocal`]).
    pub module_locals: Vec<ModuleLocal>,
    pub table_queries: Vec<TableQuery>,
    pub table_creates: Vec<TableCreate>,
    /// Columns named for a Telegram id (`chat_id`, `telegram_id`) declared as 32-bit integers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrow_id_columns: Vec<NarrowIdColumn>,
    pub migration_runs: Vec<MigrationRun>,
    pub migration_configs: Vec<MigrationConfig>,
    pub memory_state: Vec<MemoryState>,
    /// Data kept in files on the local disk (SQLite, JSON, file-backed stores).
    pub data_stores: Vec<DataStore>,
    /// Where the bot first keeps per-user conversation state (aiogram `StatesGroup` /
    /// `FSMContext`, PTB `ConversationHandler`, telegraf scenes / `ctx.session`, grammY
    /// conversations): an in-memory session store then loses users mid-flow.
    pub conversation_state: Option<Span>,
    /// Routers whose message handlers only see group or channel chats (aiogram
    /// `router.message.filter(F.chat.type.in_({"group", "supergroup"}))`): a private
    /// chat's `/start` never reaches them.
    pub group_only_receivers: Vec<String>,
    /// Bot handlers users set off (see [`BotHandler`]).
    pub bot_handlers: Vec<BotHandler>,
    pub bot_root_guards: Vec<BotRootGuard>,
    /// Functions and classes of this file that check who sent an update (a comparison of
    /// the sender's id, a role lookup, `get_chat_member`): handlers calling them, and
    /// middlewares made from them, are guarded.
    pub sender_checks: Vec<String>,
    /// Receivers that include other routers (`dp.include_router(admin)`): a filter on one
    /// of them is not judged per router.
    pub router_parents: Vec<String>,
    /// Uses of top-level declarations by code of this file (liveness edges). Python also
    /// records uses of names its module-level `from … import` binds.
    pub decl_uses: Vec<DeclUse>,
    /// Python: names module-level code calls directly (`WEBHOOK_HOST = external_url()`):
    /// they run once, as the module is imported.
    pub import_time_calls: Vec<String>,
    /// Names this module exports (`module.exports = { a }`, `export function a`,
    /// every top-level name in Python). `*` means "the module object as a whole".
    pub exports: Vec<String>,
}

impl Wiring {
    pub fn is_empty(&self) -> bool {
        self.bots.is_empty()
            && self.commands.is_empty()
            && self.menus.is_empty()
            && self.awaited_launches.is_empty()
            && self.error_handlers.is_empty()
            && self.sessions.is_empty()
            && self.web_sessions.is_empty()
            && self.webhooks.is_empty()
            && self.payment_handlers.is_empty()
            && self.drops_pending_updates.is_empty()
            && self.mongo_indexes.is_empty()
            && self.rate_limits.is_empty()
            && self.routes.is_empty()
            && self.router_uses.is_empty()
            && self.table_queries.is_empty()
            && self.table_creates.is_empty()
            && self.narrow_id_columns.is_empty()
            && self.migration_runs.is_empty()
            && self.memory_state.is_empty()
            && self.data_stores.is_empty()
            && self.bot_handlers.is_empty()
            && self.bot_root_guards.is_empty()
    }
}

#[cfg(test)]
mod narrow_id_tests {
    use super::*;

    #[test]
    fn narrow_telegram_id_columns_in_create_table() {
        let sql = "CREATE TABLE IF NOT EXISTS stats (\n    telegram_id INTEGER PRIMARY KEY,\n    chat_id BIGINT,\n    answers INTEGER NOT NULL DEFAULT 0\n)";
        let found = narrow_id_columns_in_sql(sql);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "telegram_id");
        assert_eq!(&sql[found[0].2..found[0].2 + 11], "telegram_id");
        assert!(narrow_id_columns_in_sql("SELECT chat_id INTEGER FROM t").is_empty());
        assert!(is_telegram_id_column("tgUserId") && !is_telegram_id_column("user_id"));
        let literal = format!("\"\"\"{sql}\"\"\"");
        let at = line_in_literal(&literal, sql, found[0].2, Span::line(10));
        assert_eq!(at.line, 11);
        let escaped = line_in_literal("\"a\\nchat_id INT\"", "a\nchat_id INT", 2, Span::line(4));
        assert_eq!(escaped.line, 4);
    }
}
