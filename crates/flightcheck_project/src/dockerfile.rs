//! Dockerfiles as build steps: stages, their base images, and the `WORKDIR`, `COPY`/`ADD`
//! and `RUN` instructions that decide which files exist in the image when each command
//! runs. Read once during discovery; rules judge them.

use crate::commands::logical_lines;

/// One Dockerfile of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Path relative to the scan root.
    pub file: String,
    pub stages: Vec<Stage>,
}

/// A `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub line: u32,
    /// The base as written (`python:3.12-slim`, or an earlier stage's name).
    pub base: String,
    /// `AS name`, lowercased.
    pub alias: Option<String>,
    pub steps: Vec<Step>,
}

/// The instructions that change what a later command finds on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Workdir {
        line: u32,
        dir: String,
    },
    /// `COPY`/`ADD`: sources (relative to the build context, or to the stage/image named by
    /// `--from`) into `dest`.
    Copy {
        line: u32,
        sources: Vec<String>,
        dest: String,
        /// `--from=stage`: copied from another stage or image, not the build context.
        from: Option<String>,
        /// The instruction as written, for evidence.
        text: String,
    },
    Run {
        line: u32,
        command: String,
    },
}

/// Flags of `COPY`/`ADD` (`--chown=…`, `--from=…`, `--link`) and the words after them.
fn copy_parts(rest: &str) -> (Option<String>, Vec<String>) {
    let rest = rest.trim();
    let mut from = None;
    let mut words: Vec<String> = Vec::new();
    let mut remaining = rest;
    while let Some(flag) = remaining.strip_prefix("--") {
        let (word, tail) = flag.split_once(char::is_whitespace).unwrap_or((flag, ""));
        if let Some(v) = word.strip_prefix("from=") {
            from = Some(v.to_ascii_lowercase());
        }
        remaining = tail.trim_start();
    }
    if remaining.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(remaining) {
            words = list;
        }
    } else {
        words = remaining.split_whitespace().map(str::to_string).collect();
    }
    (from, words)
}

/// Parses the stages of a Dockerfile. Instructions it does not model are skipped.
pub fn parse(file: &str, text: &str) -> Dockerfile {
    let mut stages: Vec<Stage> = Vec::new();
    for (line, logical) in logical_lines(text, true) {
        let trimmed = logical.trim();
        let (instr, rest) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        let rest = rest.trim();
        match instr.to_ascii_uppercase().as_str() {
            "FROM" => {
                let mut words = rest.split_whitespace().filter(|w| !w.starts_with("--"));
                let base = words.next().unwrap_or("").to_string();
                let alias = match (words.next(), words.next()) {
                    (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("AS") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                stages.push(Stage {
                    line,
                    base,
                    alias,
                    steps: Vec::new(),
                });
            }
            "WORKDIR" => {
                if let Some(s) = stages.last_mut() {
                    s.steps.push(Step::Workdir {
                        line,
                        dir: rest.trim_matches(['"', '\'']).to_string(),
                    });
                }
            }
            kw @ ("COPY" | "ADD") => {
                let (from, mut words) = copy_parts(rest);
                // A heredoc (`COPY <<EOF /app/x`) writes its own content.
                if words.len() < 2 || words.iter().any(|w| w.starts_with("<<")) {
                    if let Some(dest) = words.last().cloned()
                        && let Some(s) = stages.last_mut()
                    {
                        s.steps.push(Step::Copy {
                            line,
                            sources: Vec::new(),
                            dest,
                            from: Some("heredoc".into()),
                            text: format!("{kw} {rest}"),
                        });
                    }
                    continue;
                }
                let dest = words.pop().unwrap_or_default();
                if let Some(s) = stages.last_mut() {
                    s.steps.push(Step::Copy {
                        line,
                        sources: words,
                        dest,
                        from,
                        text: format!("{kw} {rest}"),
                    });
                }
            }
            "RUN" => {
                if let Some(s) = stages.last_mut() {
                    // `RUN ["sh", "-c", "…"]` and flags (`--mount=…`) are kept as written:
                    // commands are judged by the words they contain.
                    let mut command = rest;
                    while let Some(flag) = command.strip_prefix("--") {
                        command = flag
                            .split_once(char::is_whitespace)
                            .map(|(_, t)| t.trim_start())
                            .unwrap_or("");
                    }
                    let command = if command.starts_with('[') {
                        serde_json::from_str::<Vec<String>>(command)
                            .map(|w| w.join(" "))
                            .unwrap_or_else(|_| command.to_string())
                    } else {
                        command.to_string()
                    };
                    s.steps.push(Step::Run { line, command });
                }
            }
            _ => {}
        }
    }
    Dockerfile {
        file: file.to_string(),
        stages,
    }
}

/// `base` joined with `rel`, normalised (`./`, `..`); `None` above the root.
pub fn join_path(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') || base == "." || base.is_empty() {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    if base.starts_with('/') && !rel.starts_with('/') {
        // A container path: keep the leading slash.
        parts.insert(0, "");
    }
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if rel.starts_with('/') || base.starts_with('/') {
        let trimmed = joined.trim_start_matches('/');
        Some(format!("/{trimmed}"))
    } else if joined.is_empty() {
        Some(".".into())
    } else {
        Some(joined)
    }
}

pub fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
}

/// The build context of a compose service (`build: ./api`, `build.context`), relative to
/// the scan root; `None` without `build:` or with a variable or URL context.
pub fn compose_context(s: &crate::services::Service) -> Option<String> {
    s.build_context
        .as_deref()
        .filter(|c| !c.contains('$') && !c.contains("://"))
        .and_then(|c| join_path(parent_dir(&s.file), c))
}

/// The Dockerfile a compose service builds (`build.dockerfile`, else `Dockerfile` in the
/// context), when the repository has it.
pub fn built_by<'w>(
    dockerfiles: &'w [Dockerfile],
    s: &crate::services::Service,
) -> Option<&'w Dockerfile> {
    let path = compose_dockerfile(s)?;
    dockerfiles.iter().find(|d| d.file == path)
}

/// The path of the Dockerfile a compose service builds (`build.dockerfile`, else
/// `Dockerfile`, in its context), whether or not the repository has it.
pub fn compose_dockerfile(s: &crate::services::Service) -> Option<String> {
    let context = compose_context(s)?;
    let named = s
        .compose
        .as_ref()
        .and_then(|c| c.dockerfile.as_deref())
        .unwrap_or("Dockerfile");
    join_path(&context, named)
}

/// Whether a Dockerfile is named for development or tests (`Dockerfile.dev`,
/// `dev.Dockerfile`, `Dockerfile.test`), not for what is deployed.
pub fn is_dev_dockerfile(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.split(['.', '-', '_']).any(|t| {
        matches!(
            t,
            "dev" | "develop" | "development" | "local" | "test" | "tests" | "ci" | "debug"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_steps() {
        let d = parse(
            "Dockerfile",
            "FROM node:20 AS build\nWORKDIR /app\nCOPY --chown=node:node package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\nFROM build AS prod\nCOPY [\"a b\", \"/x/\"]\nCOPY --from=build /app/dist /srv\n",
        );
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].alias.as_deref(), Some("build"));
        assert_eq!(d.stages[1].base, "build");
        assert!(
            matches!(&d.stages[0].steps[1], Step::Copy { sources, dest, .. } if sources == &["package*.json"] && dest == "./")
        );
        assert!(matches!(&d.stages[0].steps[2], Step::Run { command, .. } if command == "npm ci"));
        assert!(
            matches!(&d.stages[1].steps[0], Step::Copy { sources, dest, .. } if sources == &["a b"] && dest == "/x/")
        );
        assert!(matches!(&d.stages[1].steps[1], Step::Copy { from: Some(f), .. } if f == "build"));
    }

    #[test]
    fn joins_paths() {
        assert_eq!(
            join_path("backend", "backend/req.txt").as_deref(),
            Some("backend/backend/req.txt")
        );
        assert_eq!(join_path(".", "./req.txt").as_deref(), Some("req.txt"));
        assert_eq!(join_path(".", "..").as_deref(), None);
        assert_eq!(
            join_path("/app", "requirements.txt").as_deref(),
            Some("/app/requirements.txt")
        );
        assert_eq!(join_path("/app", "/srv/x").as_deref(), Some("/srv/x"));
        assert_eq!(join_path("/", ".").as_deref(), Some("/"));
        assert_eq!(join_path("a/b", "..").as_deref(), Some("a"));
    }

    #[test]
    fn dev_names() {
        assert!(is_dev_dockerfile("docker/Dockerfile.dev.bot"));
        assert!(is_dev_dockerfile("dev.Dockerfile"));
        assert!(!is_dev_dockerfile("docker/Dockerfile.prod.bot"));
        assert!(!is_dev_dockerfile("Dockerfile"));
    }
}
