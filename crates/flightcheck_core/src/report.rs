//! The result of a scan as every renderer sees it. Field order is the JSON key order
//! (`docs/json-schema.md` documents it; bump [`SCHEMA_VERSION`] on breaking changes).

use crate::{Category, Finding, FixKind, Framework, Language, Note, ScoreCard, Severity, Verdict};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The scanned root as given on the command line.
    pub root: String,
    pub verdict: Verdict,
    pub score: u32,
    pub counts: Counts,
    pub projects: Vec<ProjectReport>,
    /// Every rule that ran, also those without findings.
    pub rules: Vec<RuleRef>,
    pub notes: Vec<Note>,
    /// Time per phase (`discover`, `parse`, `resolve`, `reachability`, `rules`). In the
    /// JSON only with `--timings`: the same tree must give the same bytes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<Timing>,
    /// Time per rule, slowest first (the `phase` is the rule id). Filled by `--timings`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule_timings: Vec<Timing>,
    /// What `--baseline` matched; `None` without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineStatus>,
}

/// The outcome of comparing a scan with a baseline file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BaselineStatus {
    /// The baseline file as given on the command line.
    pub file: String,
    /// Findings also in the baseline (`baseline_state: unchanged`); they do not fail the gate.
    pub unchanged: u32,
    /// Findings not in the baseline.
    pub new: u32,
    /// Baseline entries no finding matched any more (fixed, or moved to another file).
    pub stale: Vec<BaselineEntry>,
}

/// One finding remembered by a baseline file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    /// Path relative to the scanned root; empty for project-wide findings.
    #[serde(default)]
    pub file: String,
    /// The message when the baseline was written, to help a reader of a stale entry.
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub blocker: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Counts {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut c = Self::default();
        for f in findings {
            match f.severity {
                Severity::Blocker => c.blocker += 1,
                Severity::High => c.high += 1,
                Severity::Medium => c.medium += 1,
                Severity::Low => c.low += 1,
            }
        }
        c
    }

    pub fn total(&self) -> u32 {
        self.blocker + self.high + self.medium + self.low
    }

    pub fn add(&mut self, other: &Counts) {
        self.blocker += other.blocker;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub fix_kind: FixKind,
    pub summary: &'static str,
    /// Effort to fix one finding, in minutes (fix plans).
    pub effort_minutes: u32,
    /// The rule's Markdown documentation (SARIF `help.markdown`); not in the JSON report.
    #[serde(skip)]
    pub docs: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectReport {
    /// Project directory relative to the root (`.` for the root itself).
    pub path: String,
    pub name: String,
    /// Manifests that define the project (`package.json`, `pyproject.toml`...).
    pub manifests: Vec<String>,
    pub languages: Vec<Language>,
    pub frameworks: Vec<Framework>,
    pub package_manager: Option<String>,
    /// The Python the project runs on and where that was read, e.g.
    /// `3.11 (Dockerfile:1 FROM python:3.11-slim)`; `None` when the repository does not say.
    pub python_runtime: Option<String>,
    pub entry_points: Vec<EntryPointReport>,
    /// What a reader must know before trusting the findings: reachability fell back to
    /// "every file may run", or most source files are unreachable.
    pub warnings: Vec<String>,
    pub env_files: Vec<String>,
    pub deploy_files: Vec<String>,
    pub files: FileCounts,
    /// Non-test source files no entry point reaches (dead code for the rules).
    pub unreachable: Vec<String>,
    pub verdict: Verdict,
    pub score: ScoreCard,
    pub counts: Counts,
    pub findings: Vec<Finding>,
    /// Findings an inline `flightcheck-ignore` comment suppressed; not scored, not gated,
    /// left out of SARIF, listed here so a reviewer can audit them.
    pub suppressed: Vec<SuppressedFinding>,
    /// Findings in code whose role raises nothing (tests, static assets, archived code),
    /// or that a rule about long-running services does not judge (scripts): not scored,
    /// not gated, not in any other format; listed so nothing is dropped without a trace.
    pub silenced_by_role: Vec<SilencedFinding>,
    /// Readiness claims in the project's docs ("production ready", "95/100"...), for the
    /// review's "claims vs evidence".
    pub claims: Vec<ReadinessClaim>,
}

/// A finding the role policy left out (see [`crate::Role::ceiling`]).
#[derive(Debug, Clone, Serialize)]
pub struct SilencedFinding {
    pub rule: &'static str,
    /// The severity it would have had.
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub role: crate::Role,
}

/// A finding a suppression comment silenced.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressedFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: Option<String>,
    pub line: u32,
    pub message: String,
    pub fingerprint: String,
    /// Where the suppression is, e.g. `src/bot.js:11`.
    pub suppressed_by: String,
    /// The text after `--` in the comment; empty when none was given.
    pub reason: String,
}

impl SuppressedFinding {
    /// `file:line`, or `project-wide` for a finding without a file.
    pub fn place(&self) -> String {
        match &self.file {
            Some(file) => format!("{file}:{}", self.line.max(1)),
            None => "project-wide".to_string(),
        }
    }

    /// The reason the directive gives, or `no reason given`.
    pub fn stated_reason(&self) -> &str {
        match self.reason.trim() {
            "" => "no reason given",
            reason => reason,
        }
    }
}

/// A sentence in the project's docs claiming readiness.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReadinessClaim {
    pub file: String,
    pub line: u32,
    /// The claim as written (trimmed, at most one line).
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryPointReport {
    pub file: String,
    /// Where the entry point was declared, e.g. `package.json scripts.start`.
    pub source: String,
    /// The declaring text, e.g. `node src/index.js`.
    pub detail: String,
    /// `service` (a deploy definition or the project's only launch starts it) or `script`
    /// (a one-shot program: `scripts/`, `bin/`, a `__main__` module no deploy runs).
    pub kind: EntryKind,
}

/// What an entry point starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Service,
    Script,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Script => "script",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FileCounts {
    pub source: u32,
    pub reachable: u32,
    pub lines: u64,
    pub tests: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub phase: String,
    pub ms: f64,
}

impl ScanReport {
    pub fn all_findings(&self) -> impl Iterator<Item = (&ProjectReport, &Finding)> {
        self.projects
            .iter()
            .flat_map(|p| p.findings.iter().map(move |f| (p, f)))
    }
}

impl ScanReport {
    /// `RED NOT PRODUCTION READY · score 23/100 · 9 blocker, 3 high, 3 medium, 4 low`: the
    /// last line of the text formats.
    pub fn verdict_line(&self) -> String {
        let c = &self.counts;
        format!(
            "{} {} · score {}/100 · {} blocker, {} high, {} medium, {} low",
            self.verdict.as_str(),
            self.verdict.headline(),
            self.score,
            c.blocker,
            c.high,
            c.medium,
            c.low
        )
    }

    /// What lowers confidence in the verdict, one line each, for every format (even
    /// `--quiet`, annotations, SARIF and JUnit): reachability warnings of each project
    /// (prefixed by the project when there are several), then notes marked
    /// [`Note::lowers_confidence`] (source files not read, git history not read). More
    /// than three unread files are summarised in one line.
    pub fn confidence_notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let many = self.projects.len() > 1;
        for project in &self.projects {
            for w in &project.warnings {
                out.push(if many {
                    format!("{}: {w}", project.path)
                } else {
                    w.clone()
                });
            }
        }
        let (files, general): (Vec<&Note>, Vec<&Note>) = self
            .notes
            .iter()
            .filter(|n| n.lowers_confidence)
            .partition(|n| n.file.is_some());
        if files.len() > 3 {
            let names: Vec<&str> = files
                .iter()
                .filter_map(|n| n.file.as_deref())
                .take(3)
                .collect();
            out.push(format!(
                "{} source files were not read ({}, …): their code was not reviewed; the notes say why",
                files.len(),
                names.join(", ")
            ));
        } else {
            for n in files {
                out.push(format!(
                    "{}: {}: its code was not reviewed",
                    n.file.as_deref().unwrap_or_default(),
                    n.message
                ));
            }
        }
        out.extend(general.into_iter().map(|n| n.message.clone()));
        out
    }
}

impl ScanReport {
    /// Puts `prefix` (the scanned directory's path from the repository root, `apps/bot`)
    /// in front of every path of the report that is relative to the scanned directory:
    /// findings, evidence, notes, projects and their files, entry points, claims,
    /// suppressions. Fingerprints are left alone (they stay relative to the scanned
    /// directory, so baselines survive a change of working directory).
    pub fn prefix_paths(&mut self, prefix: &str) {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() || prefix == "." {
            return;
        }
        let join = |path: &mut String| {
            *path = if path.is_empty() || path == "." {
                prefix.to_string()
            } else if path.starts_with('/') {
                return;
            } else {
                format!("{prefix}/{}", path.trim_start_matches("./"))
            };
        };
        for note in &mut self.notes {
            if let Some(file) = &mut note.file {
                join(file);
            }
        }
        for p in &mut self.projects {
            join(&mut p.path);
            for list in [
                &mut p.manifests,
                &mut p.deploy_files,
                &mut p.unreachable,
                &mut p.env_files,
            ] {
                list.iter_mut().for_each(join);
            }
            for e in &mut p.entry_points {
                join(&mut e.file);
                join(&mut e.source);
            }
            for c in &mut p.claims {
                join(&mut c.file);
            }
            for s in &mut p.suppressed {
                if let Some(file) = &mut s.file {
                    join(file);
                }
                join(&mut s.suppressed_by);
            }
            for s in &mut p.silenced_by_role {
                join(&mut s.file);
            }
            for f in &mut p.findings {
                if let Some(file) = &mut f.file {
                    join(file);
                }
                for e in &mut f.evidence {
                    if let Some(file) = &mut e.file {
                        join(file);
                    }
                }
            }
        }
    }
}

/// Several projects (a monorepo, or several scanned paths): the lowest project score. A
/// mean weighted by lines of source would hide a small bot with blockers inside a large
/// healthy project; the verdict is likewise the worst project's.
pub fn rollup_score(projects: &[ProjectReport]) -> u32 {
    projects.iter().map(|p| p.score.score).min().unwrap_or(100)
}

impl ScanReport {
    /// The output boundary: every string any format renders passes through `secrets`
    /// (known values of this scan, in part too) and the generic credential shapes.
    /// Paths only lose known values (a shape rule would garble real file names).
    pub fn scrub(&mut self, secrets: &crate::redact::SecretSet) {
        self.visit_strings(&mut |kind, s| scrub_string(secrets, kind, s));
    }

    /// For the human formats (terminal, Markdown, GitHub annotations): control bytes in
    /// file names and quoted text (ESC, CR, BEL) shown as `\u{1b}` escapes so a scanned
    /// repository cannot drive the reader's terminal or forge annotation lines. JSON, SARIF
    /// and JUnit escape them by their own syntax and keep paths byte-true.
    pub fn escape_controls(&mut self) {
        self.visit_strings(&mut |_, s| {
            if let std::borrow::Cow::Owned(escaped) = crate::text::escape_controls(s) {
                *s = escaped;
            }
        });
    }

    /// Every string of the report that comes from the scanned repository or from a rule's
    /// wording, once, with what it is.
    fn visit_strings(&mut self, f: &mut dyn FnMut(StringKind, &mut String)) {
        use StringKind::{Path, Text};
        f(Path, &mut self.root);
        for note in &mut self.notes {
            f(Text, &mut note.message);
            if let Some(file) = &mut note.file {
                f(Path, file);
            }
        }
        for project in &mut self.projects {
            f(Path, &mut project.path);
            f(Text, &mut project.name);
            project.manifests.iter_mut().for_each(|m| f(Path, m));
            project.warnings.iter_mut().for_each(|w| f(Text, w));
            project.unreachable.iter_mut().for_each(|u| f(Path, u));
            for e in &mut project.entry_points {
                f(Text, &mut e.detail);
                f(Text, &mut e.source);
                f(Path, &mut e.file);
            }
            for claim in &mut project.claims {
                f(Text, &mut claim.text);
            }
            for s in &mut project.suppressed {
                f(Text, &mut s.message);
                f(Text, &mut s.reason);
                f(Path, &mut s.suppressed_by);
                if let Some(file) = &mut s.file {
                    f(Path, file);
                }
            }
            for s in &mut project.silenced_by_role {
                f(Path, &mut s.file);
            }
            project.env_files.iter_mut().for_each(|p| f(Path, p));
            project.deploy_files.iter_mut().for_each(|p| f(Path, p));
            for finding in &mut project.findings {
                finding.visit_strings(f);
            }
        }
        if let Some(b) = &mut self.baseline {
            f(Path, &mut b.file);
            for e in &mut b.stale {
                f(Text, &mut e.message);
            }
        }
    }
}

/// Text loses known values and generic credential shapes; a path only known values.
fn scrub_string(secrets: &crate::redact::SecretSet, kind: StringKind, s: &mut String) {
    match kind {
        StringKind::Text => *s = secrets.scrub(s),
        StringKind::Path if !secrets.is_empty() => *s = secrets.scrub_known(s),
        StringKind::Path => {}
    }
}

/// What a string of a report is, for [`ScanReport::visit_strings`]: paths are only ever
/// changed by exact known values, never by shape rules.
#[derive(Clone, Copy)]
enum StringKind {
    Text,
    Path,
}

impl Finding {
    /// See [`ScanReport::scrub`].
    pub fn scrub(&mut self, secrets: &crate::redact::SecretSet) {
        self.visit_strings(&mut |kind, s| scrub_string(secrets, kind, s));
    }

    fn visit_strings(&mut self, f: &mut dyn FnMut(StringKind, &mut String)) {
        use StringKind::{Path, Text};
        for s in [
            &mut self.title,
            &mut self.message,
            &mut self.impact,
            &mut self.fix,
            &mut self.verify,
        ] {
            f(Text, s);
        }
        if let Some(file) = &mut self.file {
            f(Path, file);
        }
        for e in &mut self.evidence {
            f(Text, &mut e.note);
            if let Some(snippet) = &mut e.snippet {
                f(Text, snippet);
            }
            if let Some(file) = &mut e.file {
                f(Path, file);
            }
        }
        if let Some(frame) = &mut self.frame {
            for line in &mut frame.lines {
                f(Text, line);
            }
        }
    }
}
