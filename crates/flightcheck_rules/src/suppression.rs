//! Applies inline `flightcheck-ignore` directives to a project's findings (pipeline step 7).
//!
//! Source files carry their directives in their facts (found by the language crates on real
//! comments). Files with `#` comments (env files, YAML, Dockerfiles, shell) and Markdown
//! (`<!-- flightcheck-ignore … -->`) are read here, and only when a finding points into one:
//! they have no parser of their own.

use crate::context::FileState;
use crate::registry;
use flightcheck_core::suppress::{self, Suppression};
use flightcheck_core::{Finding, Note, SuppressedFinding};
use flightcheck_project::{FileKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};

/// Largest non-source file read for directives.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Files whose comments start with `#`, by kind (sources have their own parser).
fn has_hash_comments(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Env
            | FileKind::Deploy
            | FileKind::Ci
            | FileKind::Script
            | FileKind::Manifest
            | FileKind::Config
    )
}

/// The directives of one project, applied to findings in one or more batches (rules that
/// judge other rules' findings run after the first batch was suppressed); which directives
/// silenced something is known only after the last batch, in [`Directives::finish`].
pub struct Directives<'w> {
    ws: &'w Workspace,
    by_file: BTreeMap<usize, Vec<Suppression>>,
    /// Non-source files already read for directives.
    read: BTreeSet<usize>,
    used: BTreeSet<(usize, usize)>,
    suppressed: Vec<SuppressedFinding>,
}

impl<'w> Directives<'w> {
    /// Directives of every file of the project that has some (sources carry theirs in their
    /// facts); files with `#` comments are read when a finding points into one.
    pub fn new(ws: &'w Workspace, files: &[FileState], project: usize) -> Self {
        let mut by_file: BTreeMap<usize, Vec<Suppression>> = BTreeMap::new();
        for i in ws.project_files(project) {
            if let Some(facts) = &files[i].facts
                && !facts.suppressions.is_empty()
            {
                by_file.insert(i, facts.suppressions.clone());
            }
        }
        Directives {
            ws,
            by_file,
            read: BTreeSet::new(),
            used: BTreeSet::new(),
            suppressed: Vec::new(),
        }
    }

    fn load_pointed(&mut self, findings: &[Finding]) {
        let ws = self.ws;
        let pointed: BTreeSet<usize> = findings
            .iter()
            .filter_map(|f| f.file.as_deref())
            .filter_map(|f| ws.file_index(f))
            .collect();
        for i in pointed {
            let file = &ws.files[i];
            let markdown =
                file.kind == FileKind::Doc && file.rel.to_ascii_lowercase().ends_with(".md");
            if self.by_file.contains_key(&i)
                || !(has_hash_comments(file.kind) || markdown)
                || !self.read.insert(i)
            {
                continue;
            }
            if let Ok(text) = flightcheck_core::read::read_string(&file.abs, None, MAX_CONFIG_BYTES)
            {
                let found = if markdown {
                    suppress::html_comment_suppressions(&text)
                } else {
                    suppress::hash_comment_suppressions(&text)
                };
                if !found.is_empty() {
                    self.by_file.insert(i, found);
                }
            }
        }
    }

    /// The findings no directive covers; the others are recorded as suppressed.
    pub fn split(&mut self, findings: Vec<Finding>) -> Vec<Finding> {
        self.load_pointed(&findings);
        let ws = self.ws;
        let mut kept = Vec::new();
        for finding in findings {
            let index = finding.file.as_deref().and_then(|f| ws.file_index(f));
            let hit = index.and_then(|i| {
                self.by_file.get(&i).and_then(|list| {
                    list.iter()
                        .position(|s| s.covers(finding.rule, finding.span.line))
                        .map(|k| (i, k))
                })
            });
            match hit {
                Some((i, k)) => {
                    self.used.insert((i, k));
                    let directive = &self.by_file[&i][k];
                    self.suppressed.push(SuppressedFinding {
                        rule: finding.rule,
                        severity: finding.severity,
                        file: finding.file.clone(),
                        line: finding.span.line,
                        message: finding.message.clone(),
                        fingerprint: finding.fingerprint.clone(),
                        suppressed_by: format!("{}:{}", ws.files[i].rel, directive.line),
                        reason: directive.reason.clone(),
                    });
                }
                None => kept.push(finding),
            }
        }
        kept
    }

    /// The suppressed findings, and notes on directives: unknown rule ids, directives without
    /// a rule, and directives of rules in `ran` that silenced nothing.
    pub fn finish(self, ran: &BTreeSet<&'static str>) -> (Vec<SuppressedFinding>, Vec<Note>) {
        let Directives {
            ws,
            by_file,
            used,
            suppressed,
            ..
        } = self;
        let mut notes = Vec::new();
        for (&i, list) in &by_file {
            let rel = &ws.files[i].rel;
            for (k, s) in list.iter().enumerate() {
                let written = format!(
                    "`flightcheck-ignore{} {}`",
                    if s.file_level { "-file" } else { "" },
                    s.rules.join(", ")
                );
                if s.rules.is_empty() {
                    notes.push(Note::at(
                    rel,
                    s.line,
                    "`flightcheck-ignore` names no rule, so it suppresses nothing (write `flightcheck-ignore RULE -- reason`)",
                ));
                    continue;
                }
                let unknown: Vec<&str> = s
                    .rules
                    .iter()
                    .map(String::as_str)
                    .filter(|p| {
                        !registry::all()
                            .iter()
                            .any(|r| flightcheck_core::pattern_matches(p, r.meta.id))
                    })
                    .collect();
                if !unknown.is_empty() {
                    notes.push(Note::at(
                        rel,
                        s.line,
                        format!(
                            "{written}: no rule is named {} (see `flightcheck rule`)",
                            unknown
                                .iter()
                                .map(|u| format!("`{u}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                    continue;
                }
                let ran_any = s.rules.iter().any(|p| {
                    ran.iter()
                        .any(|id| flightcheck_core::pattern_matches(p, id))
                });
                if ran_any && !used.contains(&(i, k)) {
                    notes.push(Note::at(
                    rel,
                    s.line,
                    if s.file_level {
                        format!("{written} suppresses nothing: no finding of that rule is in this file; remove it")
                    } else {
                        format!("{written} suppresses nothing: no finding of that rule is on the lines it covers ({}–{}); remove it", s.first, s.last)
                    },
                ));
                }
            }
        }
        (suppressed, notes)
    }
}
