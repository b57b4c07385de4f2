//! Deploy definitions that start the program: Dockerfile, compose, Procfile, systemd units.
//! Each yields [`LaunchDecl`]s: a command and where it was declared.

use crate::commands::{logical_lines, split_commands};

/// A command that a deploy definition or manifest runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchDecl {
    /// File that declares it, relative to the scan root.
    pub file: String,
    pub line: u32,
    /// e.g. `Dockerfile CMD`, `Procfile web`, `package.json scripts.start`.
    pub source: String,
    pub command: String,
    /// Directory (relative to the scan root) that relative paths in the command start from.
    pub cwd: String,
    /// Absolute directory inside the container/host the command runs in (`WORKDIR`,
    /// `WorkingDirectory=`), stripped from absolute paths.
    pub workdir: Option<String>,
    /// Release/migration phases (`Procfile release:`) run before the app, not as the app.
    pub release_phase: bool,
    pub origin: LaunchOrigin,
    /// The named Dockerfile stage whose `CMD` this is, when it is not the final stage: it
    /// runs only where a compose service builds that target (`build.target: migrate`).
    pub stage: Option<String>,
}

/// What kind of declaration a launch is: it decides whether what it starts is the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LaunchOrigin {
    /// A deploy definition (Dockerfile, compose, Procfile, systemd, PM2, platform config).
    #[default]
    Deploy,
    /// A package.json `start`/`start:*`/`prestart`/`serve` script.
    StartScript,
    /// A package.json `main` (or Node's default `index.js`): what `node .` runs, which may
    /// be a library's entry rather than a service.
    PackageMain,
    /// A package.json `bin` command: a CLI a user runs.
    PackageBin,
    /// A pyproject console script.
    ConsoleScript,
}

fn decl(file: &str, line: u32, source: String, command: String, cwd: &str) -> LaunchDecl {
    LaunchDecl {
        file: file.to_string(),
        line,
        source,
        command,
        cwd: cwd.to_string(),
        workdir: None,
        release_phase: false,
        origin: LaunchOrigin::Deploy,
        stage: None,
    }
}

/// `CMD`/`ENTRYPOINT` of a Dockerfile (the last of each wins, as in Docker): the final
/// stage's, and those of named earlier stages (marked with their stage name; they run only
/// when something builds that target).
pub fn dockerfile(file: &str, dir: &str, text: &str) -> Vec<LaunchDecl> {
    let mut workdir: Option<String> = None;
    let mut cmd: Option<(u32, Vec<String>, bool)> = None;
    let mut entrypoint: Option<(u32, Vec<String>, bool)> = None;
    let mut stage: Option<String> = None;
    let mut out = Vec::new();
    let logical = logical_lines(text, true);
    for (line_no, line) in logical {
        let trimmed = line.trim();
        let (instr, rest) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        let rest = rest.trim();
        match instr.to_ascii_uppercase().as_str() {
            "FROM" => {
                // A new stage resets what the image runs; the one before keeps its own.
                if let Some(name) = stage.take()
                    && let Some(mut d) = stage_launch(file, dir, &cmd, &entrypoint, &workdir)
                {
                    d.source = format!("{} (stage `{name}`)", d.source);
                    d.stage = Some(name);
                    out.push(d);
                }
                cmd = None;
                entrypoint = None;
                let words: Vec<&str> = rest.split_whitespace().collect();
                stage = match words.as_slice() {
                    [.., as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
            }
            "WORKDIR" => workdir = Some(rest.trim_matches('"').to_string()),
            "CMD" => cmd = Some((line_no, exec_or_shell(rest), rest.starts_with('['))),
            "ENTRYPOINT" => {
                entrypoint = Some((line_no, exec_or_shell(rest), rest.starts_with('[')))
            }
            _ => {}
        }
    }
    out.extend(stage_launch(file, dir, &cmd, &entrypoint, &workdir));
    out
}

/// The launch a stage's `ENTRYPOINT`/`CMD` make, if it has either.
fn stage_launch(
    file: &str,
    dir: &str,
    cmd: &Option<(u32, Vec<String>, bool)>,
    entrypoint: &Option<(u32, Vec<String>, bool)>,
    workdir: &Option<String>,
) -> Option<LaunchDecl> {
    let mut words = Vec::new();
    let mut line = 0;
    let mut source = String::from("Dockerfile");
    if let Some((l, e, exec)) = entrypoint {
        words.extend(e.iter().cloned());
        line = *l;
        source = "Dockerfile ENTRYPOINT".into();
        // Shell-form ENTRYPOINT ignores CMD.
        if *exec && let Some((_, c, _)) = cmd {
            words.extend(c.iter().cloned());
        }
    } else if let Some((l, c, _)) = cmd {
        words.extend(c.iter().cloned());
        line = *l;
        source = "Dockerfile CMD".into();
    }
    if words.is_empty() {
        return None;
    }
    let mut d = decl(file, line, source, join_words(&words), dir);
    d.workdir = workdir.clone();
    Some(d)
}

/// Words of an exec-form (`["node", "x.js"]`) or shell-form instruction.
fn exec_or_shell(rest: &str) -> Vec<String> {
    if rest.starts_with('[')
        && let Ok(words) = serde_json::from_str::<Vec<String>>(rest)
    {
        return words;
    }
    split_commands(rest)
        .into_iter()
        .next()
        .map(|_| vec![rest.to_string()])
        .unwrap_or_default()
}

/// Re-joins words into a command line, quoting words that contain spaces.
fn join_words(words: &[String]) -> String {
    if let [single] = words {
        // A shell-form command is already a command line.
        return single.clone();
    }
    words
        .iter()
        .map(|w| {
            if w.contains(char::is_whitespace) {
                format!("'{}'", w.replace('\'', ""))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `process: command` lines of a Procfile.
pub fn procfile(file: &str, dir: &str, text: &str) -> Vec<LaunchDecl> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((name, command)) = line.split_once(':') {
            let name = name.trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                continue;
            }
            let mut d = decl(
                file,
                i as u32 + 1,
                format!("Procfile {name}"),
                command.trim().to_string(),
                dir,
            );
            d.release_phase = name == "release";
            out.push(d);
        }
    }
    out
}

/// The functions of a Serverless Framework service (`serverless.yml`): each
/// `functions.<name>.handler` (`src/functions/api.handler`: file `src/functions/api`,
/// export `handler`) is an entry point the platform invokes, with the interpreter the
/// provider's (or the function's) `runtime` names.
pub fn serverless(file: &str, dir: &str, text: &str) -> Vec<LaunchDecl> {
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Vec::new();
    };
    let runtime_of = |v: &serde_yaml::Value| {
        v.get("runtime")
            .and_then(serde_yaml::Value::as_str)
            .map(str::to_string)
    };
    let provider_runtime = doc.get("provider").and_then(runtime_of);
    let Some(functions) = doc.get("functions").and_then(serde_yaml::Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, f) in functions {
        let Some(handler) = f.get("handler").and_then(serde_yaml::Value::as_str) else {
            continue;
        };
        // `path/to/file.export`: the module is everything before the last dot.
        let Some((module, _export)) = handler.rsplit_once('.') else {
            continue;
        };
        if module.is_empty() || module.contains("${") {
            continue;
        }
        let runtime = runtime_of(f)
            .or_else(|| provider_runtime.clone())
            .unwrap_or_default();
        let command = if runtime.starts_with("python") {
            format!("python {module}.py")
        } else if runtime.is_empty() || runtime.starts_with("nodejs") {
            format!("node {module}.js")
        } else {
            continue;
        };
        let name = name.as_str().unwrap_or("function");
        let line = find_line(text, handler).unwrap_or(1);
        out.push(decl(
            file,
            line,
            format!("serverless.yml functions.{name}"),
            command,
            dir,
        ));
    }
    out
}

/// The apps of a PM2 ecosystem file (`script: './start-bot.js'`, with `args` and `cwd`),
/// each launched with the interpreter PM2 picks from the extension. Read as data, line by
/// line: an ecosystem file is a config object, not code the scan runs.
pub fn pm2(file: &str, dir: &str, text: &str) -> Vec<LaunchDecl> {
    let value = |line: &str, key: &str| -> Option<String> {
        let rest = line.trim().strip_prefix(key)?.trim_start();
        let rest = rest.strip_prefix(':')?.trim();
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '`'))?;
        let inner = &rest[1..];
        let end = inner.find(quote)?;
        Some(inner[..end].to_string())
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let Some(script) = value(line, "script").or_else(|| value(line, "\"script\"")) else {
            continue;
        };
        // `args` and `cwd` of the same app: the lines up to the next `script`.
        let app: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| value(l, "script").is_none() && value(l, "\"script\"").is_none())
            .copied()
            .collect();
        let args = app
            .iter()
            .find_map(|l| value(l, "args").or_else(|| value(l, "\"args\"")))
            .unwrap_or_default();
        let cwd = app
            .iter()
            .find_map(|l| value(l, "cwd").or_else(|| value(l, "\"cwd\"")))
            .map(|c| crate::workspace::join(dir, &c))
            .unwrap_or_else(|| dir.to_string());
        let program = if script.ends_with(".py") {
            "python"
        } else if script.ends_with(".sh") {
            "sh"
        } else {
            "node"
        };
        let command = if script.contains(' ') || script == "npm" || script == "yarn" {
            format!("{script} {args}")
        } else {
            format!("{program} {script} {args}")
        };
        out.push(decl(
            file,
            i as u32 + 1,
            "PM2 app".to_string(),
            command.trim().to_string(),
            &cwd,
        ));
    }
    out
}

/// `ExecStart=` (and `ExecStartPre=`) of a systemd unit.
pub fn systemd(file: &str, dir: &str, text: &str) -> Vec<LaunchDecl> {
    let mut workdir = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(w) = line.strip_prefix("WorkingDirectory=") {
            workdir = Some(w.trim().trim_start_matches('-').to_string());
        }
        for key in ["ExecStart=", "ExecStartPre="] {
            if let Some(cmd) = line.strip_prefix(key) {
                // Prefixes such as `-`, `@`, `+` modify error handling, not the command.
                let cmd = cmd.trim().trim_start_matches(['-', '@', '+', '!', ':']);
                let mut d = decl(
                    file,
                    i as u32 + 1,
                    format!("systemd {}", key.trim_end_matches('=')),
                    cmd.to_string(),
                    dir,
                );
                d.release_phase = key == "ExecStartPre=";
                out.push(d);
            }
        }
    }
    for d in &mut out {
        d.workdir = workdir.clone();
    }
    out
}

/// `command:`/`entrypoint:` of compose services (as [`crate::services::compose`] reads them:
/// merge keys and `extends:` included). `Err` for YAML that does not parse.
pub fn compose(file: &str, dir: &str, text: &str) -> Result<Vec<LaunchDecl>, String> {
    Ok(crate::services::compose(file, text)?
        .into_iter()
        .filter(|s| !s.command_words.is_empty())
        .map(|s| {
            let cwd = match &s.build_context {
                Some(c) => normalize(&format!("{dir}/{c}")),
                None => dir.to_string(),
            };
            decl(
                file,
                s.line,
                format!("compose service {}", s.name),
                join_words(&s.command_words),
                &cwd,
            )
        })
        .collect())
}

/// A Dockerfile's `CMD` runs in the image its build context was copied into, and a compose
/// service decides that context (`build: {context: ., dockerfile: bot/Dockerfile}`): its
/// relative paths start at the context, not at the Dockerfile's folder. Launches of a
/// Dockerfile that compose services build are re-based on those contexts (one launch per
/// context); a Dockerfile no service builds keeps its own folder.
pub(crate) fn rebase_built_dockerfiles(ws: &mut crate::workspace::Workspace) {
    let mut contexts: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for s in &ws.services {
        if let (Some(context), Some(d)) = (
            crate::dockerfile::compose_context(s),
            crate::dockerfile::built_by(&ws.dockerfiles, s),
        ) {
            let cwds = contexts.entry(d.file.clone()).or_default();
            if !cwds.contains(&context) {
                cwds.push(context);
            }
        }
    }
    if contexts.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(ws.launches.len());
    for d in std::mem::take(&mut ws.launches) {
        match contexts.get(&d.file) {
            Some(cwds) if d.source.starts_with("Dockerfile") => {
                for cwd in cwds {
                    let mut rebased = d.clone();
                    rebased.cwd = cwd.clone();
                    out.push(rebased);
                }
            }
            _ => out.push(d),
        }
    }
    ws.launches = out;
}

/// 1-based line of the first occurrence of `needle`.
pub fn find_line(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
}

/// Collapses `a/./b/../c` into `a/c`; `.` for empty.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod pm2_tests {
    use super::*;

    #[test]
    fn ecosystem_apps_are_launches() {
        let text = "module.exports = {\n  apps: [\n    {\n      name: 'bot',\n      script: './start-bot.js',\n      args: '--polling',\n    },\n    // script: 'old.js',\n    {\n      name: 'api',\n      script: 'server.py',\n      cwd: './api',\n    },\n  ],\n};\n";
        let launches = pm2("ecosystem.config.js", ".", text);
        let got: Vec<(&str, &str, u32)> = launches
            .iter()
            .map(|l| (l.command.as_str(), l.cwd.as_str(), l.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("node ./start-bot.js --polling", ".", 5),
                ("python server.py", "api", 11),
            ]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_last_stage_and_entrypoint() {
        let text = "FROM node:20 AS build\nCMD [\"npm\",\"test\"]\nFROM node:20-alpine\nWORKDIR /app\nCOPY . .\nENTRYPOINT [\"node\"]\nCMD [\"src/index.js\"]\n";
        let d = dockerfile("Dockerfile", ".", text);
        // The named earlier stage keeps its own CMD, marked with its stage; the final
        // stage's ENTRYPOINT + CMD come last.
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].command, "npm test");
        assert_eq!(d[0].stage.as_deref(), Some("build"));
        assert_eq!(d[1].command, "node src/index.js");
        assert_eq!(d[1].stage, None);
        assert_eq!(d[1].workdir.as_deref(), Some("/app"));
        assert_eq!(d[1].line, 6);
        let shell = dockerfile("Dockerfile", ".", "FROM python\nCMD python \\\n  bot.py\n");
        assert_eq!(shell[0].command, "python    bot.py");
    }

    #[test]
    fn procfile_systemd_compose() {
        let p = procfile(
            "Procfile",
            ".",
            "web: node index.js\nrelease: npx knex migrate:latest\n",
        );
        assert_eq!(p.len(), 2);
        assert!(p[1].release_phase);
        let s = systemd(
            "bot.service",
            "deploy",
            "[Service]\nWorkingDirectory=/opt/bot\nExecStart=/usr/bin/python3 /opt/bot/main.py\n",
        );
        assert_eq!(s[0].command, "/usr/bin/python3 /opt/bot/main.py");
        assert_eq!(s[0].workdir.as_deref(), Some("/opt/bot"));
        let c = compose("docker-compose.yml", ".", "services:\n  bot:\n    build: ./bot\n    command: [\"python\", \"main.py\"]\n  db:\n    image: postgres\n").expect("yaml");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].cwd, "bot");
        assert_eq!(c[0].command, "python main.py");
        assert!(compose("x.yml", ".", "services: [").is_err());
        assert_eq!(normalize("./a/../b/./c"), "b/c");
    }
}
