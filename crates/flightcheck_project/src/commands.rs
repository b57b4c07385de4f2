//! Understanding launch commands (`node src/index.js`, `python -m bot`, `npm start`,
//! `gunicorn app:app`...) well enough to know which file they start.

/// What a command starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// A JS/TS file path as written (may lack an extension, or point at build output).
    JsFile(String),
    /// A Python file path.
    PyFile(String),
    /// `python -m pkg.mod`, `celery -A pkg`: a dotted module.
    PyModule(String),
    /// `npm run X`, `yarn X`: a package.json script.
    Script(String),
}

/// Splits a shell command line into simple commands and words (quotes honoured; `&&`, `||`,
/// `;`, `|` and `&` separate commands). Not a full shell: enough for launch commands.
/// Lines with `\` continuations joined: (1-based first line, text). With
/// `skip_comments`, a line that starts with `#` outside a continuation is dropped
/// (Dockerfile comments); shell callers keep them to look at commented-out commands.
pub fn logical_lines(text: &str, skip_comments: bool) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let (start, mut acc) = pending.take().unwrap_or((i as u32 + 1, String::new()));
        if skip_comments && acc.is_empty() && line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(stripped) = line.strip_suffix('\\') {
            acc.push_str(stripped);
            acc.push(' ');
            pending = Some((start, acc));
        } else {
            acc.push_str(line);
            out.push((start, acc));
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

pub fn split_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '\\' => {
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    word.push(n);
                    in_word = true;
                }
            }
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            ';' | '&' | '|' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            '#' if !in_word => break,
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

const JS_EXTS: [&str; 8] = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"];

fn looks_like_js(word: &str) -> bool {
    JS_EXTS.iter().any(|e| word.ends_with(e))
}

/// Options of node-like runners that take a value in the next word.
const NODE_VALUE_FLAGS: [&str; 10] = [
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--watch-path",
    "-e",
    "--eval",
    "--conditions",
];
const PY_SERVER_VALUE_FLAGS: [&str; 22] = [
    "-w",
    "--workers",
    "-k",
    "--worker-class",
    "-b",
    "--bind",
    "-c",
    "--config",
    "--timeout",
    "--chdir",
    "--host",
    "--port",
    "--log-level",
    "--env-file",
    "--app-dir",
    "-t",
    "--threads",
    "--access-logfile",
    "--error-logfile",
    "--reload-dir",
    "--root-path",
    "--name",
];

/// The command behind leading words that only wrap it: env assignments, `exec`, `env`,
/// `npx`, process supervisors, shell keywords (`if`, `then`, `do`...), and `dotenv ... --`.
/// `None` when a wrapper swallows the rest (`dotenv` without `--`).
pub(crate) fn strip_wrappers(words: &[String]) -> Option<&[String]> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let is_assignment = !w.starts_with('-')
            && w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if is_assignment
            || matches!(
                w,
                "exec"
                    | "env"
                    | "nohup"
                    | "time"
                    | "sudo"
                    | "npx"
                    | "pnpx"
                    | "bunx"
                    | "cross-env"
                    | "dumb-init"
                    | "tini"
                    | "--"
                    | "if"
                    | "then"
                    | "else"
                    | "elif"
                    | "do"
                    | "while"
                    | "until"
                    | "!"
                    | "{"
                    | "("
            )
        {
            i += 1;
            continue;
        }
        if let Some(next) = docker_exec_command(&words[i..]) {
            i += next;
            continue;
        }
        if matches!(w, "dotenv" | "dotenvx") {
            // `dotenv -e .env -- node x` / `dotenvx run -- node x`.
            let p = words[i..].iter().position(|x| x == "--")?;
            i += p + 1;
            continue;
        }
        break;
    }
    Some(&words[i..])
}

/// `docker compose run --rm api npx prisma migrate deploy`, `docker-compose exec -T web
/// python manage.py migrate`, `docker exec -it app alembic upgrade head`: how many leading
/// words name the container the rest runs in; `None` when `words` is not such a command.
fn docker_exec_command(words: &[String]) -> Option<usize> {
    // Flags of docker, compose, run and exec that take a value.
    const VALUED: [&str; 18] = [
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--profile",
        "--env-file",
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "-v",
        "--volume",
        "--name",
        "--entrypoint",
        "-l",
        "--label",
    ];
    let mut i = match words.first().map(String::as_str)? {
        "docker" if words.get(1).map(String::as_str) == Some("compose") => 2,
        "docker" | "docker-compose" => 1,
        _ => return None,
    };
    let compose = i == 2 || words[0] == "docker-compose";
    let skip_flags = |mut i: usize| {
        while let Some(w) = words.get(i) {
            if !w.starts_with('-') {
                break;
            }
            i += if VALUED.contains(&w.as_str()) { 2 } else { 1 };
        }
        i
    };
    i = skip_flags(i);
    match words.get(i).map(String::as_str)? {
        "exec" => {}
        "run" if compose => {}
        _ => return None,
    }
    i = skip_flags(i + 1);
    // The service or container name, then the command.
    (i + 1 < words.len()).then_some(i + 1)
}

/// The launches a shell command line performs.
pub fn launches(line: &str) -> Vec<Launch> {
    let mut out = Vec::new();
    for words in split_commands(line) {
        launches_of(&words, &mut out, 0);
    }
    out
}

fn launches_of(words: &[String], out: &mut Vec<Launch>, depth: u32) {
    if depth > 4 {
        return;
    }
    // Skip env assignments and wrappers.
    let Some(words) = strip_wrappers(words) else {
        return;
    };
    let mut i = 0;
    while i + 1 < words.len()
        && matches!(
            words[i].as_str(),
            "poetry" | "pipenv" | "uv" | "pdm" | "hatch"
        )
        && words[i + 1] == "run"
    {
        i += 2;
    }
    let words = &words[i..];
    let Some(cmd) = words.first() else { return };
    let program = cmd.rsplit('/').next().unwrap_or(cmd);
    let args = &words[1..];
    match program {
        "sh" | "bash" | "/bin/sh" => {
            if let Some(p) = args.iter().position(|a| a == "-c")
                && let Some(script) = args.get(p + 1)
            {
                for sub in split_commands(script) {
                    launches_of(&sub, out, depth + 1);
                }
            }
        }
        "node" | "nodemon" | "ts-node" | "ts-node-dev" | "tsx" | "bun" | "deno" | "babel-node"
        | "node-dev" | "esno" | "vite-node" | "forever" | "pm2" | "pm2-runtime" | "supervisor" => {
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if NODE_VALUE_FLAGS.contains(&a) {
                    j += 2;
                    continue;
                }
                if a.starts_with('-') || matches!(a, "watch" | "run" | "start" | "--") {
                    j += 1;
                    continue;
                }
                if program == "bun" && !looks_like_js(a) && !a.contains('/') {
                    // `bun dev` runs a package.json script.
                    out.push(Launch::Script(a.to_string()));
                } else {
                    out.push(Launch::JsFile(a.to_string()));
                }
                break;
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let mut rest = args
                .iter()
                .map(String::as_str)
                .filter(|a| !a.starts_with('-'));
            match rest.next() {
                Some("start") => out.push(Launch::Script("start".into())),
                Some("run" | "run-script") => {
                    if let Some(s) = rest.next() {
                        out.push(Launch::Script(s.to_string()));
                    }
                }
                Some("test" | "install" | "ci" | "i" | "add" | "exec" | "build" | "dlx") | None => {
                }
                Some(script) if program != "npm" => out.push(Launch::Script(script.to_string())),
                Some(_) => {}
            }
        }
        p if p.starts_with("python") => {
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if a == "-m" {
                    if let Some(m) = args.get(j + 1) {
                        let m = m.as_str();
                        // `python -m uvicorn app:app` and friends are servers.
                        if matches!(
                            m,
                            "uvicorn"
                                | "gunicorn"
                                | "hypercorn"
                                | "celery"
                                | "flask"
                                | "streamlit"
                                | "daphne"
                        ) {
                            launches_of(&args[j + 1..], out, depth + 1);
                        } else if !matches!(
                            m,
                            "pip" | "pytest" | "unittest" | "alembic" | "venv" | "http.server"
                        ) {
                            out.push(Launch::PyModule(m.to_string()));
                        }
                    }
                    return;
                }
                if a == "-c" {
                    return;
                }
                if a.starts_with('-') {
                    j += 1;
                    continue;
                }
                if a == "manage.py" || a.ends_with("/manage.py") || a.ends_with(".py") {
                    out.push(Launch::PyFile(a.to_string()));
                }
                return;
            }
        }
        "uvicorn" | "gunicorn" | "hypercorn" | "daphne" | "granian" => {
            let mut j = 0;
            while j < args.len() {
                let a = args[j].as_str();
                if PY_SERVER_VALUE_FLAGS.contains(&a) {
                    j += 2;
                    continue;
                }
                if a.starts_with('-') {
                    j += 1;
                    continue;
                }
                if let Some(module) = app_module(a) {
                    out.push(Launch::PyModule(module));
                }
                return;
            }
        }
        "celery" => {
            if let Some(p) = args.iter().position(|a| a == "-A" || a == "--app") {
                if let Some(m) = args.get(p + 1).and_then(|a| app_module(a)) {
                    out.push(Launch::PyModule(m));
                }
            } else if let Some(m) = args
                .iter()
                .find_map(|a| a.strip_prefix("--app="))
                .and_then(app_module)
            {
                out.push(Launch::PyModule(m));
            }
        }
        "flask" => {
            if let Some(p) = args.iter().position(|a| a == "--app" || a == "-A")
                && let Some(m) = args.get(p + 1).and_then(|a| app_module(a))
            {
                out.push(Launch::PyModule(m));
            }
        }
        "fastapi" | "streamlit" | "chainlit" => {
            if let Some(f) = args.iter().find(|a| a.ends_with(".py")) {
                out.push(Launch::PyFile(f.to_string()));
            }
        }
        _ if cmd.ends_with(".py") => out.push(Launch::PyFile(cmd.to_string())),
        _ if looks_like_js(cmd) && cmd.contains('/') => out.push(Launch::JsFile(cmd.to_string())),
        _ => {}
    }
}

/// `pkg.mod:app` / `pkg.mod:create_app()` / `pkg.mod` → `pkg.mod`.
fn app_module(arg: &str) -> Option<String> {
    let module = arg.split(':').next()?.trim();
    if module.is_empty() || module.contains('/') && !module.ends_with(".py") {
        return None;
    }
    let module = module
        .strip_suffix(".py")
        .unwrap_or(module)
        .replace('/', ".");
    if module
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        Some(module)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Launch::*;

    fn l(s: &str) -> Vec<Launch> {
        launches(s)
    }

    #[test]
    fn commands_run_in_a_container() {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let inner = |s: &str| {
            let w = words(s);
            strip_wrappers(&w).map(|r| r.join(" "))
        };
        assert_eq!(
            inner("docker compose run --rm bot npx prisma migrate deploy").as_deref(),
            Some("prisma migrate deploy")
        );
        assert_eq!(
            inner("docker-compose -f prod.yml exec -T web python manage.py migrate").as_deref(),
            Some("python manage.py migrate")
        );
        assert_eq!(
            inner("docker exec -it -w /app api alembic upgrade head").as_deref(),
            Some("alembic upgrade head")
        );
        // `up` starts services; nothing is run in a container by name.
        assert_eq!(
            inner("docker compose up -d --build").as_deref(),
            Some("docker compose up -d --build")
        );
    }

    #[test]
    fn node_family() {
        assert_eq!(l("node src/index.js"), vec![JsFile("src/index.js".into())]);
        assert_eq!(
            l("node -r dotenv/config --enable-source-maps dist/main"),
            vec![JsFile("dist/main".into())]
        );
        assert_eq!(
            l("NODE_ENV=production node server.js"),
            vec![JsFile("server.js".into())]
        );
        assert_eq!(l("tsx watch src/bot.ts"), vec![JsFile("src/bot.ts".into())]);
        assert_eq!(
            l("npm run migrate && node app.js"),
            vec![Script("migrate".into()), JsFile("app.js".into())]
        );
        assert_eq!(
            l("pm2-runtime start ecosystem.config.js"),
            vec![JsFile("ecosystem.config.js".into())]
        );
        assert_eq!(l("yarn serve"), vec![Script("serve".into())]);
        assert_eq!(l("yarn build"), vec![]);
        assert_eq!(l("npm start"), vec![Script("start".into())]);
        assert_eq!(
            l("dotenv -e .env.prod -- node index.js"),
            vec![JsFile("index.js".into())]
        );
        assert_eq!(
            l("sh -c 'npx knex migrate:latest && node src/index.js'"),
            vec![JsFile("src/index.js".into())]
        );
        assert_eq!(l("echo \"Error: no test specified\" && exit 1"), vec![]);
    }

    #[test]
    fn python_family() {
        assert_eq!(l("python bot.py"), vec![PyFile("bot.py".into())]);
        assert_eq!(
            l("python3 -u -m app.main"),
            vec![PyModule("app.main".into())]
        );
        assert_eq!(
            l("gunicorn -w 4 -k uvicorn.workers.UvicornWorker app.main:app"),
            vec![PyModule("app.main".into())]
        );
        assert_eq!(
            l("uvicorn main:app --host 0.0.0.0"),
            vec![PyModule("main".into())]
        );
        assert_eq!(
            l("python -m uvicorn api.server:app"),
            vec![PyModule("api.server".into())]
        );
        assert_eq!(l("celery -A tasks worker"), vec![PyModule("tasks".into())]);
        assert_eq!(l("poetry run python -m bot"), vec![PyModule("bot".into())]);
        assert_eq!(
            l("python manage.py migrate && gunicorn site.wsgi"),
            vec![PyFile("manage.py".into()), PyModule("site.wsgi".into())]
        );
        assert_eq!(l("python -m pytest"), vec![]);
    }
}
