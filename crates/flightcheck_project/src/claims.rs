//! Readiness claims in a project's docs: "production ready", "95/100", "100% test coverage",
//! "all tests passing". The review puts them beside the measured verdict; a claim is a
//! sentence a reader will believe, so only affirmative ones count ("not production ready
//! yet" is the opposite of a claim).

use crate::walk::FileKind;
use crate::workspace::{Workspace, in_fixture_dir};
use flightcheck_core::ReadinessClaim;

/// Docs larger than this are generated (API dumps), not claims a team wrote.
const MAX_DOC_BYTES: u64 = 512 * 1024;

/// Longest claim text kept (characters).
const MAX_CLAIM_CHARS: usize = 160;

/// Claims in the Markdown/reST docs of project `project`, in file and line order.
pub fn of_project(ws: &Workspace, project: usize) -> Vec<ReadinessClaim> {
    let mut claims = Vec::new();
    for i in ws.project_files(project) {
        let file = &ws.files[i];
        let lower = file.rel.to_ascii_lowercase();
        let is_prose = lower.ends_with(".md") || lower.ends_with(".rst");
        if file.kind != FileKind::Doc
            || !is_prose
            || in_fixture_dir(&file.rel)
            || !is_project_doc(&file.rel)
        {
            continue;
        }
        let Ok(text) = flightcheck_core::read::read_string(&file.abs, None, MAX_DOC_BYTES) else {
            continue;
        };
        for (line, claim) in claims_in(&text) {
            claims.push(ReadinessClaim {
                file: file.rel.clone(),
                line,
                text: claim,
            });
        }
    }
    claims.sort();
    claims
}

/// Docs that describe the project to its readers: not policy files (security, contributing,
/// conduct, changelog, license), not tool configuration under hidden directories
/// (`.github/`, `.claude/`).
fn is_project_doc(rel: &str) -> bool {
    let hidden = rel.split('/').rev().skip(1).any(|dir| dir.starts_with('.'));
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let policy = [
        "security",
        "contributing",
        "code_of_conduct",
        "code-of-conduct",
        "changelog",
        "changes",
        "history",
        "license",
        "support",
    ]
    .iter()
    .any(|p| name.starts_with(p));
    !hidden && !policy
}

/// (1-based line, text) of each claim in `text`; fenced code blocks are skipped.
pub fn claims_in(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    None => Some(marker),
                    Some(open) if open == marker => None,
                    other => other,
                };
            }
        }
        if fence.is_some() || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            continue;
        }
        if is_claim(line) {
            out.push((i as u32 + 1, clean(line)));
        }
    }
    out
}

fn clean(line: &str) -> String {
    // Headings, quotes and list bullets are layout, not the claim; `**bold**` stays.
    let mut text = line.trim().trim_start_matches(['#', '>']).trim_start();
    for bullet in ["- ", "* ", "+ "] {
        text = text.strip_prefix(bullet).unwrap_or(text);
    }
    // Emphasis markers are layout too: the claim reads as the reader sees it.
    let text = text.replace("**", "").replace("__", "");
    let text = text.trim();
    if text.chars().count() > MAX_CLAIM_CHARS {
        let cut: String = text.chars().take(MAX_CLAIM_CHARS).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// Phrases that claim readiness.
const PHRASES: [&str; 10] = [
    "production ready",
    "production-ready",
    "ready for production",
    "production grade",
    "production-grade",
    "battle tested",
    "battle-tested",
    "100% test coverage",
    "100% coverage",
    "all tests pass",
];

/// Words that, shortly before a phrase, turn it into its opposite or a goal.
const NEGATIONS: [&str; 18] = [
    "not ",
    "n't ",
    "never ",
    "no longer ",
    "before ",
    "until ",
    "towards ",
    "aim",
    "goal",
    "todo",
    "reach",
    "need",
    "should",
    "must",
    "want",
    "target",
    "plan",
    "get to",
];

fn is_claim(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    for phrase in PHRASES {
        if let Some(pos) = lower.find(phrase) {
            let mut start = pos.saturating_sub(40);
            while !lower.is_char_boundary(start) {
                start += 1;
            }
            let before = &lower[start..pos];
            if !NEGATIONS.iter().any(|n| before.contains(n)) && !lower.contains('?') {
                return true;
            }
        }
    }
    score_claim(&lower)
}

/// "95/100" (80 or more) on a line about readiness, quality or a score.
fn score_claim(lower: &str) -> bool {
    let about = [
        "ready",
        "readiness",
        "score",
        "production",
        "quality",
        "rating",
    ];
    if !about.iter().any(|w| lower.contains(w)) {
        return false;
    }
    let bytes = lower.as_bytes();
    let mut search = 0;
    while let Some(off) = lower[search..].find("/100") {
        let slash = search + off;
        let digits_start = lower[..slash]
            .trim_end()
            .bytes()
            .rev()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = lower[..slash].trim_end().len();
        let number = &lower[end - digits_start..end];
        let followed_by_digit = bytes.get(slash + 4).is_some_and(u8::is_ascii_digit);
        if !followed_by_digit && number.parse::<u32>().is_ok_and(|n| (80..=100).contains(&n)) {
            return true;
        }
        search = slash + 4;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affirmative_claims() {
        let doc = "\
# Salon bot
Production-ready Telegram bot for bookings.
**Readiness score: 95/100**
- 100% test coverage, all tests passing
This is not production ready yet.
We aim to be production ready by Q3.
Is it ready for production?
Score 40/100 for readiness.
```
production ready inside a code block
```
Rated 9/1000 in quality.
when a branch needs to reach 100% coverage.
";
        let claims = claims_in(doc);
        let lines: Vec<u32> = claims.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4], "{claims:?}");
        assert_eq!(claims[1].1, "Readiness score: 95/100");
    }

    #[test]
    fn policy_files_and_hidden_directories_are_not_project_docs() {
        assert!(is_project_doc("README.md"));
        assert!(is_project_doc("docs/deploy.md"));
        assert!(!is_project_doc("SECURITY.md"));
        assert!(!is_project_doc("CHANGELOG.md"));
        assert!(!is_project_doc(".claude/skills/x/SKILL.md"));
        assert!(!is_project_doc(".github/PULL_REQUEST_TEMPLATE.md"));
    }

    #[test]
    fn long_claims_are_cut() {
        let line = format!("production ready {}", "x".repeat(300));
        let claims = claims_in(&line);
        assert_eq!(claims.len(), 1);
        assert!(claims[0].1.chars().count() <= MAX_CLAIM_CHARS + 1);
    }
}
