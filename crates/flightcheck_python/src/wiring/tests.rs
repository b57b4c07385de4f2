//! Unit tests of the Python wiring extraction: every framework spelling and its twins.
use super::*;
use flightcheck_core::wiring::{DataStoreKind, TableAccess, Verification};

fn wiring(src: &str) -> Wiring {
    crate::analyze(src, &[]).wiring
}

/// (framework, receiver, command, passes_on, direct, owner)
type Cmd<'w> = (Framework, &'w str, &'w str, bool, bool, Option<&'w str>);

fn cmds(w: &Wiring) -> Vec<Cmd<'_>> {
    w.commands
        .iter()
        .map(|c| {
            (
                c.framework,
                c.receiver.as_str(),
                c.command.as_str(),
                c.passes_on,
                c.direct,
                c.owner.as_deref(),
            )
        })
        .collect()
}

#[test]
fn webhook_paths_with_the_token_are_secret() {
    let src = "import telebot\nAPI_TOKEN = '123'\nWEBHOOK_URL_PATH = '/%s/' % (API_TOKEN)\nbot = telebot.TeleBot(API_TOKEN)\nbot.set_webhook(url=BASE + WEBHOOK_URL_PATH)\nbot.set_webhook(url=f'{BASE}/webhook')\n";
    let w = wiring(src);
    let got: Vec<bool> = w.webhooks.iter().map(|h| h.secret_token).collect();
    assert_eq!(got, vec![true, false]);
}

#[test]
fn aiogram2_builtin_command_filters() {
    let src = "from aiogram import Dispatcher\nfrom aiogram.dispatcher.filters.builtin import CommandHelp, CommandStart\ndp = Dispatcher(bot)\n\n@dp.message_handler(CommandHelp())\nasync def help_(message):\n    pass\n\n@dp.message_handler(CommandStart(), state='*')\nasync def start(message):\n    pass\n";
    let w = wiring(src);
    let got: Vec<(&str, bool)> = w
        .commands
        .iter()
        .map(|c| (c.command.as_str(), c.passes_on))
        .collect();
    assert_eq!(got, vec![("help", false), ("start", true)]);
}

#[test]
fn aiogram3_commands_owner_and_filters() {
    let src = r#"from aiogram import Bot, Dispatcher, Router, F
from aiogram.filters import Command, CommandStart, StateFilter

bot = Bot(token="x")
dp = Dispatcher()
router = Router()

@dp.message(CommandStart())
async def start(message):
    pass

@router.message(Command("help", "About"))
async def help_(message):
    pass

@router.message(Command(commands=["settings"]), F.chat.type == "private")
async def settings(message):
    pass

@router.message(F.text == "/menu")
async def menu(message):
    pass

@router.message(Command("cancel"), StateFilter("*"))
async def cancel(message):
    pass

@router.message(F.text == "hello")
async def hello(message):
    pass

def register(dp):
    @dp.message(Command("ping"))
    async def ping(m):
        pass
    dp.message.register(stats, Command("stats"))

async def stats(m):
    pass
"#;
    let w = wiring(src);
    use Framework::Aiogram as A;
    assert_eq!(
        cmds(&w),
        vec![
            (A, "dp", "start", false, true, None),
            (A, "router", "help", false, true, None),
            (A, "router", "about", false, true, None),
            (A, "router", "settings", true, true, None),
            (A, "router", "menu", false, true, None),
            (A, "router", "cancel", true, true, None),
            (A, "dp", "ping", false, true, Some("register")),
            (A, "dp", "stats", false, true, Some("register")),
        ]
    );
    assert_eq!(w.commands[0].via, "CommandStart()");
    assert_eq!(w.commands[0].span.line, 8);
    assert!(!w.dynamic_commands);
    let bots: Vec<(Framework, &str)> = w
        .bots
        .iter()
        .map(|b| (b.framework, b.name.as_str()))
        .collect();
    assert_eq!(bots, vec![(A, "bot"), (A, "dp")]);
    // Dispatcher() without storage keeps FSM state in memory.
    assert_eq!(w.sessions.len(), 1);
    assert!(!w.sessions[0].persistent);
    assert!(
        w.sessions[0]
            .via
            .starts_with("Dispatcher() without storage=")
    );
    assert!(w.decl_uses.contains(&DeclUse {
        from: Some("register".into()),
        to: "stats".into()
    }));
    // `dp` is a parameter of register: not a use of the module's `dp`.
    assert!(!w.decl_uses.contains(&DeclUse {
        from: Some("register".into()),
        to: "dp".into()
    }));
    assert!(w.decl_uses.contains(&DeclUse {
        from: None,
        to: "dp".into()
    }));
}

#[test]
fn aiogram2_and_telebot_commands() {
    let a2 = r#"from aiogram import Bot, Dispatcher, executor, types
from aiogram.contrib.fsm_storage.memory import MemoryStorage
from aiogram.dispatcher.filters import CommandStart

bot = Bot(token=TOKEN)
dp = Dispatcher(bot, storage=MemoryStorage())

@dp.message_handler(commands=["start", "Help"])
async def start(message: types.Message):
    pass

@dp.message_handler(commands="stop", state="*")
async def stop(message):
    pass

@dp.message_handler(CommandStart(), content_types=["text"])
async def start2(message):
    pass

@dp.errors_handler()
async def errors(update, exc):
    return True

def setup(dp):
    dp.register_message_handler(about, commands=["about"])

async def about(m):
    pass

if __name__ == "__main__":
    executor.start_polling(dp)
"#;
    let w = wiring(a2);
    use Framework::Aiogram as A;
    assert_eq!(
        cmds(&w),
        vec![
            (A, "dp", "start", false, true, None),
            (A, "dp", "help", false, true, None),
            (A, "dp", "stop", true, true, None),
            (A, "dp", "start", false, true, None),
            (A, "dp", "about", false, true, Some("setup")),
        ]
    );
    // aiogram 2's Dispatcher(bot, ...) records no implicit store; MemoryStorage() is one.
    let sessions: Vec<(bool, bool, &str)> = w
        .sessions
        .iter()
        .map(|s| (s.persistent, s.fallback, s.via.as_str()))
        .collect();
    assert_eq!(sessions, vec![(false, false, "MemoryStorage()")]);
    assert_eq!(w.error_handlers.len(), 1);
    assert_eq!(w.error_handlers[0].via, "@dp.errors_handler()");

    let tb = r#"import telebot
from telebot.storage import StateRedisStorage

bot = telebot.TeleBot(TOKEN, state_storage=StateRedisStorage(host="r"))

@bot.message_handler(commands=['start'])
def start(message):
    bot.register_next_step_handler(message, step)

@bot.message_handler(func=lambda m: True, commands=['start'])
def other(message):
    pass

bot.set_my_commands([telebot.types.BotCommand("start", "Start"), telebot.types.BotCommand("/Help", "Help")])
"#;
    let w = wiring(tb);
    use Framework::PyTelegramBotApi as T;
    assert_eq!(
        cmds(&w),
        vec![
            (T, "bot", "start", false, true, None),
            (T, "bot", "start", true, true, None),
        ]
    );
    assert_eq!(w.bots.len(), 1);
    assert_eq!(w.bots[0].name, "bot");
    assert!(w.sessions[0].persistent);
    assert_eq!(w.conversation_state.map(|s| s.line), Some(8));
    assert_eq!(
        w.menus[0].commands,
        Some(vec!["start".to_string(), "help".to_string()])
    );
    assert_eq!(w.menus[0].framework, Some(T));
}

#[test]
fn ptb_handlers_conversations_and_persistence() {
    let src = r#"from telegram import BotCommand
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

async def start(update, context):
    pass

def main():
    app = Application.builder().token(TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler(["help", "info"], start), group=1)
    app.add_handler(CommandHandler("admin", start, filters=filters.User(1)))
    app.add_handler(ConversationHandler(
        entry_points=[CommandHandler("order", start)],
        states={},
        fallbacks=[CommandHandler("cancel", start)],
    ))
    app.add_handlers([CommandHandler("stats", start)])
    extra = [CommandHandler("later", start)]
    app.add_error_handler(on_error)
    app.run_webhook(listen="0.0.0.0", port=8443, secret_token=None)

async def on_error(update, context):
    pass

async def post_init(app):
    await app.bot.set_my_commands([("start", "Start"), BotCommand("help", "Help")])

if __name__ == "__main__":
    main()
"#;
    let w = wiring(src);
    use Framework::PythonTelegramBot as P;
    let m = Some("main");
    assert_eq!(
        cmds(&w),
        vec![
            (P, "app", "start", false, true, m),
            (P, "app", "help", true, true, m),
            (P, "app", "info", true, true, m),
            (P, "app", "admin", true, true, m),
            (P, "", "order", true, false, m),
            (P, "", "cancel", true, false, m),
            (P, "app", "stats", false, true, m),
            (P, "", "later", false, false, m),
        ]
    );
    assert_eq!(w.bots.len(), 1);
    assert_eq!((w.bots[0].framework, w.bots[0].name.as_str()), (P, "app"));
    assert_eq!(w.sessions.len(), 1);
    assert!(!w.sessions[0].persistent);
    assert_eq!(
        w.sessions[0].via,
        "Application.builder() without persistence"
    );
    assert_eq!(w.conversation_state.map(|s| s.line), Some(12));
    assert_eq!(w.error_handlers.len(), 1);
    assert_eq!(w.error_handlers[0].owner.as_deref(), Some("main"));
    assert_eq!(w.webhooks.len(), 1);
    assert!(!w.webhooks[0].secret_token);
    assert_eq!(
        w.menus[0].commands,
        Some(vec!["start".to_string(), "help".to_string()])
    );
    assert_eq!(w.menus[0].owner.as_deref(), Some("post_init"));
    for (from, to) in [
        (None, "main"),
        (Some("main"), "start"),
        (Some("main"), "on_error"),
    ] {
        assert!(
            w.decl_uses.contains(&DeclUse {
                from: from.map(String::from),
                to: to.into()
            }),
            "{from:?} -> {to}: {:?}",
            w.decl_uses
        );
    }
    // No self-edges, no duplicates.
    assert_eq!(
        w.decl_uses
            .iter()
            .filter(|u| u.from.as_deref() == Some("main") && u.to == "start")
            .count(),
        1
    );

    let persistent = wiring(
        "from telegram.ext import ApplicationBuilder, PicklePersistence\napp = ApplicationBuilder().token(T).persistence(PicklePersistence(filepath='s')).build()\n",
    );
    assert_eq!(persistent.sessions.len(), 1);
    assert!(persistent.sessions[0].persistent);
}

#[test]
fn aiogram_scene_commands_are_not_direct() {
    let w = wiring(
        "from aiogram.filters import Command\nfrom aiogram.fsm.scene import Scene, on\nclass Quiz(Scene, state='quiz'):\n    @on.message(Command('stop'))\n    async def stop(self, message):\n        pass\n",
    );
    use Framework::Aiogram as A;
    assert_eq!(cmds(&w), vec![(A, "", "stop", true, false, Some("Quiz"))]);
    assert_eq!(w.conversation_state.map(|s| s.line), Some(4));
}

#[test]
fn catch_all_handlers() {
    let a3 = wiring(
        "from aiogram import Router, F\nrouter = Router()\n@router.message()\nasync def echo(m):\n    pass\n@router.message(F.photo)\nasync def photo(m):\n    pass\n",
    );
    assert_eq!(a3.catch_all.len(), 1);
    assert_eq!(a3.catch_all[0].span.line, 3);
    assert!(a3.commands.is_empty());
    let tb = wiring(
        "import telebot\nbot = telebot.TeleBot(T)\n@bot.message_handler(func=lambda m: True)\ndef echo(m):\n    pass\n@bot.message_handler(func=lambda m: m.text == 'x')\ndef x(m):\n    pass\n",
    );
    assert_eq!(tb.catch_all.len(), 1);
    let ptb = wiring(
        "from telegram.ext import MessageHandler, ConversationHandler, filters\ndef main():\n    app.add_handler(MessageHandler(filters.TEXT, echo))\n    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))\n    ConversationHandler(entry_points=[], states={1: [MessageHandler(filters.ALL, x)]}, fallbacks=[])\n",
    );
    assert_eq!(ptb.catch_all.len(), 1);
    assert_eq!(ptb.catch_all[0].owner.as_deref(), Some("main"));
}

#[test]
fn dynamic_commands() {
    let w = wiring(
        "from telegram.ext import CommandHandler\nfor name, fn in HANDLERS.items():\n    app.add_handler(CommandHandler(name, fn))\n",
    );
    assert!(w.commands.is_empty());
    assert!(w.dynamic_commands);
}

#[test]
fn storages_and_fallback() {
    let redis = wiring(
        "from aiogram import Dispatcher\nfrom aiogram.fsm.storage.redis import RedisStorage\ndp = Dispatcher(storage=RedisStorage.from_url(URL))\n",
    );
    let s: Vec<(bool, bool)> = redis
        .sessions
        .iter()
        .map(|s| (s.persistent, s.fallback))
        .collect();
    assert_eq!(s, vec![(true, false)]);

    let memory = wiring(
        "from aiogram import Dispatcher\nfrom aiogram.fsm.storage.memory import MemoryStorage\ndp = Dispatcher(storage=MemoryStorage())\n",
    );
    let s: Vec<(bool, bool)> = memory
        .sessions
        .iter()
        .map(|s| (s.persistent, s.fallback))
        .collect();
    assert_eq!(s, vec![(false, false)]);

    let fallback = wiring(
        "from aiogram import Dispatcher\nfrom aiogram.fsm.storage.memory import MemoryStorage\nfrom aiogram.fsm.storage.redis import RedisStorage\nstorage = RedisStorage.from_url(URL) if URL else MemoryStorage()\ndp = Dispatcher(storage=storage)\n",
    );
    let s: Vec<(bool, bool, &str)> = fallback
        .sessions
        .iter()
        .map(|s| (s.persistent, s.fallback, s.via.as_str()))
        .collect();
    assert_eq!(s, vec![(false, true, "MemoryStorage()")]);

    let branches = wiring(
        "from aiogram.fsm.storage.memory import MemoryStorage\nfrom aiogram.fsm.storage.redis import RedisStorage\nif URL:\n    storage = RedisStorage.from_url(URL)\nelse:\n    storage = MemoryStorage()\n",
    );
    let s: Vec<(bool, bool)> = branches
        .sessions
        .iter()
        .map(|s| (s.persistent, s.fallback))
        .collect();
    assert_eq!(s, vec![(false, true)]);
}

#[test]
fn aiogram_webhooks_states_and_throttling() {
    let src = r#"from aiogram import Bot, Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.webhook.aiohttp_server import SimpleRequestHandler

class Form(StatesGroup):
    name = State()

async def on_startup(bot: Bot):
    await bot.set_webhook(URL, secret_token=SECRET)

def main():
    dp = Dispatcher(storage=storage)
    dp.message.middleware(ThrottlingMiddleware(rate=1))
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token="").register(app, path="/wh")
"#;
    let w = wiring(src);
    assert_eq!(w.conversation_state.map(|s| s.line), Some(6));
    let hooks: Vec<(bool, Option<&str>)> = w
        .webhooks
        .iter()
        .map(|h| (h.secret_token, h.owner.as_deref()))
        .collect();
    assert_eq!(
        hooks,
        vec![(true, Some("on_startup")), (false, Some("main"))]
    );
    assert_eq!(w.rate_limits.len(), 1);
    assert_eq!(w.rate_limits[0].owner.as_deref(), Some("main"));
    assert!(w.sessions.is_empty(), "{:?}", w.sessions);
    assert_eq!(w.menus.len(), 0);
}

#[test]
fn discord_bots_and_error_handlers() {
    let src = r#"import discord
from discord.ext import commands

bot = commands.Bot(command_prefix="!")

@bot.event
async def on_command_error(ctx, error):
    pass

@bot.event
async def on_ready():
    pass

class MyBot(commands.Bot):
    async def on_error(self, event, *args):
        pass

class Cog(commands.Cog):
    @commands.Cog.listener()
    async def on_application_command_error(self, ctx, err):
        pass

    @commands.command()
    @commands.cooldown(1, 5, commands.BucketType.user)
    async def roll(self, ctx):
        pass
"#;
    let w = wiring(src);
    let bots: Vec<(&str, Option<&str>)> = w
        .bots
        .iter()
        .map(|b| (b.name.as_str(), b.owner.as_deref()))
        .collect();
    assert_eq!(bots, vec![("bot", None), ("MyBot", Some("MyBot"))]);
    let client = wiring(
        "import discord\nclass MyClient(discord.Client):\n    pass\nclient = MyClient(intents=i)\n",
    );
    let bots: Vec<(&str, Option<&str>)> = client
        .bots
        .iter()
        .map(|b| (b.name.as_str(), b.owner.as_deref()))
        .collect();
    assert_eq!(bots, vec![("MyClient", Some("MyClient")), ("client", None)]);
    let errs: Vec<(u32, Option<&str>)> = w
        .error_handlers
        .iter()
        .map(|e| (e.span.line, e.owner.as_deref()))
        .collect();
    assert_eq!(
        errs,
        vec![(6, None), (15, Some("MyBot")), (19, Some("Cog"))]
    );
    assert_eq!(w.rate_limits.len(), 1);
    assert!(w.commands.is_empty());
}

fn routes(w: &Wiring) -> Vec<(&str, &str, &Verification, bool)> {
    w.routes
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                &r.verification,
                r.reads_body,
            )
        })
        .collect()
}

#[test]
fn fastapi_webhook_verification() {
    let src = r#"import hmac
from fastapi import FastAPI, Header, HTTPException, Request, Depends

app = FastAPI()

@app.post("/webhook/telegram")
async def telegram(request: Request, x_telegram_bot_api_secret_token: str = Header(None)):
    if x_telegram_bot_api_secret_token != settings.webhook_secret:
        raise HTTPException(status_code=403)
    data = await request.json()
    await handle_update(data)

@app.post("/webhook/pay")
async def pay(request: Request):
    body = await request.body()
    if WEBHOOK_SECRET:
        sig = hmac.new(WEBHOOK_SECRET.encode(), body, "sha256").hexdigest()
        if not hmac.compare_digest(sig, request.headers.get("X-Sig", "")):
            raise HTTPException(401)
    else:
        logger.warning("no secret, accepting")
    process(body)

@app.post("/webhook/open")
async def open_(request: Request):
    payload = await request.json()

@app.post("/hook/and")
async def gated(request: Request):
    if SECRET and request.headers.get("X-Secret") != SECRET:
        raise HTTPException(403)
    return await request.json()

def check_sig(request):
    if not SECRET:
        return True
    return hmac.compare_digest(request.headers["X-Signature"], SECRET)

@app.post("/hook/helper")
async def helper(request: Request):
    if not check_sig(request):
        raise HTTPException(401)

async def verify_token(x_token: str = Header()):
    if x_token != TOKEN:
        raise HTTPException(status_code=401)

@app.post("/hook/dep", dependencies=[Depends(verify_token)])
async def dep(item: Item):
    save(item)

@app.get("/health")
async def health():
    return {"ok": True}
"#;
    let w = wiring(src);
    let got = routes(&w);
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(
        matches!(got[0].2, Verification::Verified(_)),
        "{:?}",
        got[0]
    );
    assert!(got[0].3);
    assert!(
        matches!(got[1].2, Verification::FailOpen(s) if s.contains("WEBHOOK_SECRET")),
        "{:?}",
        got[1]
    );
    assert_eq!(got[2].2, &Verification::None);
    // Reads the body and does nothing with it: nothing a forged call could abuse.
    assert!(!got[2].3, "{:?}", got[2]);
    assert!(
        matches!(got[3].2, Verification::FailOpen(_)),
        "{:?}",
        got[3]
    );
    assert!(
        matches!(got[4].2, Verification::FailOpen(_)),
        "{:?}",
        got[4]
    );
    assert!(
        matches!(got[5].2, Verification::Verified(_)),
        "{:?}",
        got[5]
    );
    assert!(got[5].3, "pydantic body parameter");
    assert_eq!(w.routes[5].middlewares, vec!["verify_token"]);
    assert_eq!((got[6].0, got[6].1, got[6].3), ("GET", "/health", false));
    assert!(w.routes.iter().all(|r| r.framework == Framework::FastApi));
    assert!(w.routes.iter().all(|r| r.owner.is_none()));
}

#[test]
fn flask_aiohttp_and_django_routes() {
    let flask = wiring(
        "from flask import Flask, request, abort\napp = Flask(__name__)\n\n@app.route('/stripe', methods=['GET', 'POST'])\ndef stripe_hook():\n    event = stripe.Webhook.construct_event(request.data, request.headers['Stripe-Signature'], KEY)\n",
    );
    let got = routes(&flask);
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].0, got[1].0), ("GET", "POST"));
    assert!(matches!(got[1].2, Verification::Verified(s) if s.contains("construct_event")));
    assert!(got[1].3);

    let aio = wiring(
        "from aiohttp import web\nfrom handlers import webhook\n\nasync def health(request):\n    return web.Response(text='ok')\n\ndef make_app():\n    app = web.Application()\n    app.router.add_post('/webhook', webhook)\n    app.router.add_get('/health', health)\n    app.add_routes([web.post('/callback', callback)])\n    return app\n\nasync def callback(request):\n    data = await request.post()\n",
    );
    let got = routes(&aio);
    // The imported webhook handler cannot be judged here: the route names where it is, and
    // the rule judges it by that module's verdict.
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!((got[0].0, got[0].1), ("POST", "/webhook"));
    assert_eq!(
        aio.routes[0].elsewhere,
        Some(flightcheck_core::wiring::HandlerRef {
            specifier: "handlers".into(),
            name: "webhook".into()
        })
    );
    assert_eq!((got[1].0, got[1].1, got[1].3), ("GET", "/health", false));
    assert_eq!((got[2].0, got[2].1, got[2].3), ("POST", "/callback", true));
    assert!(aio.routes[1..].iter().all(|r| r.elsewhere.is_none()));
    assert_eq!(aio.routes[0].owner.as_deref(), Some("make_app"));

    let django = wiring(
        "from django.urls import path, include\nfrom . import views\nurlpatterns = [\n    path('health/', views.health),\n    path('stripe/webhook/', views.stripe_webhook),\n    path('api/', include('api.urls')),\n]\n",
    );
    let got = routes(&django);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].0, got[0].1), ("ALL", "health/"));
    assert!(
        django
            .routes
            .iter()
            .all(|r| r.framework == Framework::Django)
    );
}

#[test]
fn sql_strings_and_prose() {
    let src = r#"async def get(conn, uid, table):
    await conn.fetch(f"SELECT * FROM appointments WHERE user_id = {uid}")
    await conn.execute("INSERT INTO payments (id) VALUES ($1)", uid)
    await conn.execute(f"SELECT * FROM {table}")
    msg = "Select a service from the list"
    other = "Update failed, delete from cache later"
    cur.execute("create table if not exists users (id int)")

def doc():
    """SELECT * FROM ghosts"""
"#;
    let w = wiring(src);
    let q: Vec<(&str, TableAccess)> = w
        .table_queries
        .iter()
        .map(|t| (t.table.as_str(), t.access))
        .collect();
    assert_eq!(
        q,
        vec![
            ("appointments", TableAccess::Read),
            ("payments", TableAccess::Write)
        ]
    );
    assert_eq!(w.table_queries[0].via, "SQL string");
    assert_eq!(w.table_queries[0].owner.as_deref(), Some("get"));
    let c: Vec<&str> = w.table_creates.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(c, vec!["users"]);
}

#[test]
fn orm_models_and_migrations() {
    let sa = wiring(
        "from sqlalchemy import Table, Column, MetaData\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\nclass User(Base):\n    __tablename__ = 'users'\nlogs = Table('logs', metadata, Column('id'))\nasync def init():\n    async with engine.begin() as conn:\n        await conn.run_sync(Base.metadata.create_all)\n",
    );
    let q: Vec<(&str, &str, Option<&str>)> = sa
        .table_queries
        .iter()
        .map(|t| (t.table.as_str(), t.via.as_str(), t.owner.as_deref()))
        .collect();
    assert_eq!(
        q,
        vec![
            ("users", "SQLAlchemy model `User`", Some("User")),
            ("logs", "SQLAlchemy Table", None)
        ]
    );
    assert_eq!(sa.migration_runs.len(), 1);
    assert_eq!(sa.migration_runs[0].tool, "sqlalchemy create_all");
    assert!(sa.migration_runs[0].creates_models);
    assert_eq!(sa.migration_runs[0].owner.as_deref(), Some("init"));

    let alembic = wiring(
        "from alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    op.create_table('Orders', sa.Column('id'))\n    op.rename_table('a', 'b')\n",
    );
    let c: Vec<(&str, &str)> = alembic
        .table_creates
        .iter()
        .map(|t| (t.table.as_str(), t.via.as_str()))
        .collect();
    assert_eq!(
        c,
        vec![("orders", "op.create_table"), ("b", "op.rename_table")]
    );

    let runner = wiring(
        "import subprocess\nfrom alembic import command\nfrom alembic.config import Config\ndef migrate():\n    command.upgrade(Config('alembic.ini'), 'head')\n    subprocess.run(['alembic', 'upgrade', 'head'])\n    os.system('python manage.py migrate')\n",
    );
    let tools: Vec<&str> = runner
        .migration_runs
        .iter()
        .map(|m| m.tool.as_str())
        .collect();
    assert_eq!(tools, vec!["alembic", "alembic", "django"]);

    let django = wiring(
        "from django.db import models\nclass Base(models.Model):\n    class Meta:\n        abstract = True\nclass Appointment(Base):\n    pass\nclass Slot(models.Model):\n    class Meta:\n        db_table = 'slots'\n",
    );
    let q: Vec<(&str, &str)> = django
        .table_queries
        .iter()
        .map(|t| (t.table.as_str(), t.via.as_str()))
        .collect();
    assert_eq!(
        q,
        vec![
            ("appointment", "Django model `Appointment`"),
            ("slots", "Django model `Slot`")
        ]
    );
    let mig = wiring(
        "from django.db import migrations, models\nclass Migration(migrations.Migration):\n    operations = [migrations.CreateModel(name='Appointment', fields=[])]\n",
    );
    assert_eq!(mig.table_creates.len(), 1);
    assert_eq!(mig.table_creates[0].table, "appointment");
    assert_eq!(mig.table_creates[0].via, "migrations.CreateModel");

    let tortoise = wiring(
        "from tortoise import fields\nfrom tortoise.models import Model\nfrom tortoise.contrib.fastapi import register_tortoise\nclass Game(Model):\n    class Meta:\n        table = 'games'\nclass Player(Model):\n    pass\nregister_tortoise(app, config=C, generate_schemas=True)\n",
    );
    let q: Vec<&str> = tortoise
        .table_queries
        .iter()
        .map(|t| t.table.as_str())
        .collect();
    assert_eq!(q, vec!["games", "player"]);
    assert_eq!(tortoise.migration_runs[0].tool, "tortoise generate_schemas");
    assert!(tortoise.migration_runs[0].creates_models);

    // `rich.table.Table("Title")` is no SQLAlchemy table.
    assert!(
        wiring("from rich.table import Table\nt = Table('Users', box=None)\n")
            .table_queries
            .is_empty()
    );
}

#[test]
fn module_level_memory_state() {
    let src = r#"from collections import defaultdict
games: dict[int, "Game"] = {}
pending = defaultdict(list)
SETTINGS = {"a": 1}
queue = []
cache = {}

def start(chat_id, game):
    games[chat_id] = game
    pending[chat_id].append(1)

def pop(chat_id):
    queue.pop()
    cache = {}
    cache["x"] = 1

def read():
    return SETTINGS["a"]
"#;
    let w = wiring(src);
    let m: Vec<(&str, &str, u32, &[u32])> = w
        .memory_state
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.container.as_str(),
                s.span.line,
                &s.writes[..],
            )
        })
        .collect();
    assert_eq!(
        m,
        vec![
            ("games", "dict", 2, &[9][..]),
            ("pending", "defaultdict", 3, &[10][..])
        ]
    );
}

#[test]
fn no_framework_no_facts() {
    let w = wiring(
        "def get(d):\n    return d.get('x')\n\n@cache.get('k')\ndef f():\n    pass\nclass Bot:\n    pass\nb = Bot()\n",
    );
    assert!(w.is_empty(), "{w:?}");
    assert!(w.decl_uses.contains(&DeclUse {
        from: None,
        to: "Bot".into()
    }));
    assert!(w.exports.is_empty());
}

fn stores(src: &str) -> Vec<(DataStoreKind, Option<String>, u32)> {
    wiring(src)
        .data_stores
        .iter()
        .map(|d| (d.kind, d.path.clone(), d.span.line))
        .collect()
}

#[test]
fn local_data_files() {
    let src = r#"import json
import os
import shelve
import sqlite3
from pathlib import Path

import aiosqlite
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.ext import PicklePersistence

BASE = Path(__file__).parent
DB_PATH = os.path.join(BASE, "data", "bot.db")
USERS = BASE / "users.json"

conn = sqlite3.connect(DB_PATH)
mem = sqlite3.connect(":memory:")
engine = create_async_engine("sqlite+aiosqlite:///./shop.db")
persistence = PicklePersistence(filepath="conversations.pickle")
prefs = shelve.open("prefs")


async def save(users):
    async with aiosqlite.connect("bot.db") as db:
        await db.commit()
    with open(USERS, "w") as f:
        json.dump(users, f)
    with open("users.json") as f:
        return json.load(f)


DEFAULT_URL = os.getenv("DATABASE_URL", "sqlite:///dev.db")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
open("report.json", "w").write("{}")
"#;
    assert_eq!(
        stores(src),
        vec![
            (DataStoreKind::Sqlite, Some("bot.db".into()), 15),
            (DataStoreKind::Sqlite, Some("./shop.db".into()), 17),
            (
                DataStoreKind::FileStore,
                Some("conversations.pickle".into()),
                18
            ),
            (DataStoreKind::FileStore, Some("prefs".into()), 19),
            (DataStoreKind::Sqlite, Some("bot.db".into()), 23),
            (DataStoreKind::JsonFile, Some("users.json".into()), 25),
            (DataStoreKind::SqliteUrl, Some("dev.db".into()), 31),
            (DataStoreKind::SqliteUrl, None, 32),
        ]
    );
    assert!(stores("import sqlite3\nx = sqlite3.connect(':memory:')\n").is_empty());
    assert!(stores("import psycopg\nc = psycopg.connect('postgresql://db/app')\n").is_empty());
}

#[test]
fn registering_decorators_make_top_level_functions_run() {
    let src = "import functools\nfrom aiogram import Router\nrouter = Router()\n\n@router.message(Command('pay'))\nasync def pay(message):\n    pass\n\n@app.get('/health')\ndef health():\n    return 'ok'\n\n@functools.lru_cache(maxsize=8)\ndef rates():\n    return {}\n\n@cache\ndef plain():\n    return 1\n";
    let w = wiring(src);
    let from_module: Vec<&str> = w
        .decl_uses
        .iter()
        .filter(|u| u.from.is_none())
        .map(|u| u.to.as_str())
        .collect();
    assert!(from_module.contains(&"pay"), "{from_module:?}");
    assert!(from_module.contains(&"health"), "{from_module:?}");
    // Wrapping decorators do not run the function.
    assert!(!from_module.contains(&"rates"), "{from_module:?}");
    assert!(!from_module.contains(&"plain"), "{from_module:?}");
}
