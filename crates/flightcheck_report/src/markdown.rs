//! The Markdown review (PRODUCT.md "Outputs"; `docs/markdown-review.md`): the document a team
//! acts on, in GitHub-flavoured Markdown. It opens with what to fix first, then shows each
//! finding once, in triage order ([`flightcheck_core::triage`]), with an id (`B1`, `H2`,
//! `M3`, `L4`) that the fix plan and the files table refer to. Findings of one rule with the
//! same fix are one entry with every place. No timestamps or timings (the output is
//! deterministic) and no HTML except `<details>`/`<summary>`.
//!
//! The review stays under GitHub's comment limit ([`GITHUB_COMMENT_LIMIT`]): past a budget,
//! further high findings are listed in one line each and the tail of the other findings is
//! left out, and the review says what it left out.
//!
//! Text from the scanned repository (messages, snippets, paths, names, claims) goes through
//! [`inline`], [`code`] or [`write_fence`], so it cannot open an HTML tag, start emphasis,
//! break a table row or close a code block early. Messages keep their backtick code spans:
//! rules write names and commands that way.

use flightcheck_core::triage::{self, Group};
use flightcheck_core::{
    BaselineState, Counts, FileCounts, Finding, ProjectReport, ScanReport, Severity, Verdict,
    YELLOW_BELOW,
};
use std::collections::BTreeMap;
use std::fmt::Write;

/// GitHub rejects a PR comment longer than this many characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// Past this length, blockers and high findings are written one line each.
const DETAIL_BUDGET: usize = 36_000;
/// Past this length, rows of the other findings, the fix plan and the files table stop.
const TABLE_BUDGET: usize = 52_000;
/// Other findings folded into `<details>` when there are more rows than this.
const FOLD_ROWS: usize = 12;

pub fn render(report: &ScanReport) -> String {
    let review = Review::new(report);
    let mut out = String::new();
    review.write_header(&mut out);
    review.write_fix_first(&mut out);
    review.write_overview(&mut out);
    review.write_detailed(&mut out, Severity::Blocker);
    review.write_detailed(&mut out, Severity::High);
    review.write_other(&mut out);
    review.write_fix_plan(&mut out);
    review.write_files(&mut out);
    review.write_scores(&mut out);
    // A contradicted claim is a finding already (it quotes the claim beside the verdict).
    if review.claim_count() > 0 && review.claim_finding().is_none() {
        review.write_claims(&mut out);
    }
    if review.suppressed_count() > 0 {
        review.write_suppressed(&mut out);
    }
    if report.baseline.is_some() {
        review.write_baseline(&mut out);
    }
    if !report.notes.is_empty() {
        review.write_notes(&mut out);
    }
    // One trailing newline, whatever the last section wrote.
    while out.ends_with("\n\n") {
        out.pop();
    }
    debug_assert!(
        out.len() < GITHUB_COMMENT_LIMIT || report.counts.total() > 5_000,
        "the budgets keep the review within a GitHub comment"
    );
    out
}

/// One entry of the review: a group of findings (one rule, one fix) with its id.
struct Item<'a> {
    id: String,
    group: Group<'a>,
}

impl Item<'_> {
    fn lead(&self) -> &Finding {
        self.group.lead()
    }

    fn project(&self) -> &ProjectReport {
        self.group.project
    }
}

struct Review<'a> {
    report: &'a ScanReport,
    /// Several projects (a monorepo or several paths): say which project an entry is of.
    many: bool,
    /// Every group of findings in triage order, with ids per severity.
    items: Vec<Item<'a>>,
}

impl<'a> Review<'a> {
    fn new(report: &'a ScanReport) -> Self {
        let mut counters = [0usize; 4];
        let items = triage::all_groups(report)
            .into_iter()
            .map(|group| {
                let (letter, k) = match group.severity() {
                    Severity::Blocker => ("B", 0),
                    Severity::High => ("H", 1),
                    Severity::Medium => ("M", 2),
                    Severity::Low => ("L", 3),
                };
                counters[k] += 1;
                Item {
                    id: format!("{letter}{}", counters[k]),
                    group,
                }
            })
            .collect();
        Self {
            report,
            many: report.projects.len() > 1,
            items,
        }
    }

    fn of_severity(&self, severity: Severity) -> impl Iterator<Item = &Item<'a>> + '_ {
        self.items
            .iter()
            .filter(move |i| i.group.severity() == severity)
    }

    fn effort_of(&self, severities: &[Severity]) -> u32 {
        self.items
            .iter()
            .filter(|i| severities.contains(&i.group.severity()))
            .map(|i| i.group.effort_minutes())
            .sum()
    }

    fn claim_count(&self) -> usize {
        self.report.projects.iter().map(|p| p.claims.len()).sum()
    }

    /// The entry of `docs/readiness-claim-contradicted`, when the scan found one.
    fn claim_finding(&self) -> Option<&Item<'a>> {
        self.items
            .iter()
            .find(|i| i.lead().rule == "docs/readiness-claim-contradicted")
    }

    fn suppressed_count(&self) -> usize {
        self.report
            .projects
            .iter()
            .map(|p| p.suppressed.len())
            .sum()
    }

    /// `B1`, or `B1 (project)` in a monorepo.
    fn label(&self, item: &Item) -> String {
        if self.many {
            format!(
                "**{}** ({})",
                item.id,
                inline(&item.project().name, Ctx::Text)
            )
        } else {
            format!("**{}**", item.id)
        }
    }

    // ── Title, verdict, confidence ───────────────────────────────────────────────────────

    fn write_header(&self, out: &mut String) {
        let report = self.report;
        // A monorepo is named by its root project when there is one (`.` says nothing).
        let root_project = report.projects.iter().find(|p| p.path == ".");
        let subject = match (report.projects.as_slice(), root_project) {
            ([only], _) => inline(&only.name, Ctx::Text),
            (_, Some(root)) => format!(
                "{} ({} projects)",
                inline(&root.name, Ctx::Text),
                report.projects.len()
            ),
            _ => code(&report.root, Ctx::Text),
        };
        let _ = writeln!(out, "# Production-readiness review: {subject}\n");
        let _ = writeln!(
            out,
            "{} · score **{}/100** · {}\n",
            verdict_label(report.verdict),
            report.score,
            counts_phrase(&report.counts)
        );
        let confidence = report.confidence_notes();
        if !confidence.is_empty() {
            let _ = writeln!(
                out,
                "> **Lower confidence:** the verdict rests on what the scan could read and follow."
            );
            for note in &confidence {
                let _ = writeln!(out, "> - {}", inline(note, Ctx::Text));
            }
            out.push('\n');
        }
    }

    // ── Fix these first ──────────────────────────────────────────────────────────────────

    fn write_fix_first(&self, out: &mut String) {
        let _ = writeln!(out, "## Fix these first\n");
        let first: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.group.severity() >= Severity::Medium)
            .take(triage::FIX_FIRST)
            .collect();
        if first.is_empty() {
            let _ = writeln!(
                out,
                "Nothing urgent: no blocker, high or medium finding.{}\n",
                if self.report.counts.low > 0 {
                    " The low findings below can wait."
                } else {
                    ""
                }
            );
            return;
        }
        for (k, item) in first.iter().enumerate() {
            let f = item.lead();
            let what = if f.impact.trim().is_empty() {
                &f.message
            } else {
                &f.impact
            };
            let _ = writeln!(
                out,
                "{}. {} {} — {} · {}",
                k + 1,
                self.label(item),
                inline(what, Ctx::Text),
                self.places(item, 1),
                triage::effort_phrase(item.group.effort_minutes()),
            );
        }
        out.push('\n');
    }

    /// The first `shown` places of an entry, then how many more.
    fn places(&self, item: &Item, shown: usize) -> String {
        let mut parts: Vec<String> = item
            .group
            .findings
            .iter()
            .take(shown)
            .map(|f| finding_place(item.project(), f, Ctx::Text))
            .collect();
        let more = item.group.len().saturating_sub(shown);
        if more > 0 {
            parts.push(format!("and {more} more"));
        }
        parts.join(", ")
    }

    // ── What was scanned ─────────────────────────────────────────────────────────────────

    fn write_overview(&self, out: &mut String) {
        let report = self.report;
        let _ = writeln!(out, "## Summary\n");
        let _ = writeln!(out, "{}\n", self.summary_paragraph());
        let mut files = FileCounts::default();
        for p in &report.projects {
            files.source += p.files.source;
            files.reachable += p.files.reachable;
            files.lines += p.files.lines;
            files.tests += p.files.tests;
        }
        let _ = writeln!(
            out,
            "Scanned {} ({} {}, {}): {}, {} reachable from an entry point, {} of source, {}.\n",
            code(&report.root, Ctx::Text),
            report.tool.name,
            report.tool.version,
            count_noun(report.rules.len() as u64, "rule", "rules"),
            count_noun(u64::from(files.source), "source file", "source files"),
            files.reachable,
            count_noun(files.lines, "line", "lines"),
            count_noun(u64::from(files.tests), "test file", "test files"),
        );
        if self.many {
            self.write_rollup(out);
        }
        for p in &report.projects {
            self.write_stack(out, p);
        }
    }

    /// One line per project: languages, frameworks, deploy and env files, entry points.
    fn write_stack(&self, out: &mut String, p: &ProjectReport) {
        let mut languages = join_or_none(p.languages.iter().map(|l| l.as_str()));
        if let Some(runtime) = &p.python_runtime {
            languages.push_str(&format!(" (Python {})", inline(runtime, Ctx::Text)));
        }
        let mut parts = vec![
            languages,
            join_or_none(p.frameworks.iter().map(|f| f.as_str())),
        ];
        if !p.deploy_files.is_empty() {
            parts.push(format!("deploy: {}", codes_or_none(&p.deploy_files)));
        }
        if !p.env_files.is_empty() {
            parts.push(format!("env: {}", env_files(&p.env_files)));
        }
        let _ = writeln!(
            out,
            "- **{}** ({}): {}",
            inline(&p.name, Ctx::Text),
            code(&p.path, Ctx::Text),
            parts.join(" · ")
        );
        // Entry points: each file once, with what starts it.
        let mut entries: Vec<(&str, Vec<String>)> = Vec::new();
        for e in &p.entry_points {
            let how = match e.kind {
                flightcheck_core::EntryKind::Service => inline(&e.source, Ctx::Text),
                kind => format!("{} by {}", kind.as_str(), inline(&e.source, Ctx::Text)),
            };
            match entries.iter_mut().find(|(file, _)| *file == e.file) {
                Some((_, hows)) => hows.push(how),
                None => entries.push((&e.file, vec![how])),
            }
        }
        if entries.is_empty() {
            let _ = writeln!(
                out,
                "  - entry points: none found; every non-test source file counts as possibly running"
            );
        }
        for (file, hows) in entries.iter().take(6) {
            let more = match hows.len() {
                1 => String::new(),
                2 => " and 1 more declaration".to_string(),
                n => format!(" and {} more declarations", n - 1),
            };
            let _ = writeln!(
                out,
                "  - entry {} ← {}{more}",
                code(file, Ctx::Text),
                hows[0]
            );
        }
        if entries.len() > 6 {
            let _ = writeln!(out, "  - … {} more entry points", entries.len() - 6);
        }
        out.push('\n');
    }

    /// A plain-language paragraph: what stops the release, what can wait, what it costs,
    /// and whether the docs claim otherwise.
    fn summary_paragraph(&self) -> String {
        let report = self.report;
        let c = &report.counts;
        let mut sentences = Vec::new();
        if report.projects.is_empty() {
            sentences.push(
                "No project was found (no `package.json`, `pyproject.toml`, `requirements.txt` or `setup.py`), so nothing was assessed."
                    .to_string(),
            );
        } else if c.total() == 0 {
            sentences.push("No findings: every rule that applies to this stack passed.".into());
        }
        if c.blocker > 0 {
            sentences.push(format!(
                "**{} {} this release** (B{}).",
                count_noun(u64::from(c.blocker), "blocker", "blockers"),
                if c.blocker == 1 { "stops" } else { "stop" },
                if c.blocker == 1 {
                    "1".to_string()
                } else {
                    format!("1–B{}", self.of_severity(Severity::Blocker).count())
                },
            ));
        }
        if c.high > 0 {
            let findings = count_noun(u64::from(c.high), "high finding", "high findings");
            sentences.push(if c.blocker > 0 {
                format!("{findings} should be fixed before launch too.")
            } else {
                format!(
                    "Nothing blocks this release, but {findings} {} a risk to fix or accept before launch.",
                    if c.high == 1 { "is" } else { "are" },
                )
            });
        }
        let rest = match (c.medium, c.low) {
            (0, 0) => None,
            (m, 0) => Some(count_noun(
                u64::from(m),
                "medium finding",
                "medium findings",
            )),
            (0, l) => Some(count_noun(u64::from(l), "low finding", "low findings")),
            (m, l) => Some(format!(
                "{m} medium and {}",
                count_noun(u64::from(l), "low finding", "low findings")
            )),
        };
        if let Some(rest) = rest {
            sentences.push(if c.blocker + c.high == 0 {
                format!("Nothing blocks this release; {rest} can be scheduled after launch.")
            } else {
                let mut first = rest.chars();
                match first.next() {
                    Some(ch) => format!(
                        "{}{} can be scheduled after launch.",
                        ch.to_uppercase(),
                        first.as_str()
                    ),
                    None => String::new(),
                }
            });
        }
        let score = report.score;
        sentences.push(match report.verdict {
            Verdict::Red => {
                format!("The score is {score}/100; the verdict stays RED while any blocker remains.")
            }
            Verdict::Yellow if c.high > 0 => format!(
                "The score is {score}/100; the verdict stays YELLOW while any high finding remains{}.",
                if score < YELLOW_BELOW {
                    format!(" and the score is below {YELLOW_BELOW}")
                } else {
                    String::new()
                }
            ),
            Verdict::Yellow => format!(
                "The score is {score}/100, below the {YELLOW_BELOW} a GREEN verdict needs."
            ),
            Verdict::Green => format!("The score is {score}/100."),
        });
        if self.many {
            sentences.push(
                "With several projects the score is the lowest project score and the verdict the worst project's."
                    .into(),
            );
        }
        let total = self.effort_of(&Severity::ALL_DESC);
        if total > 0 {
            let blockers = self.effort_of(&[Severity::Blocker]);
            sentences.push(if blockers > 0 {
                format!(
                    "Fixing everything takes roughly {}, {} of it for the blockers.",
                    minutes(total),
                    minutes(blockers)
                )
            } else {
                format!("Fixing everything takes roughly {}.", minutes(total))
            });
        }
        let claims = self.claim_count();
        if claims > 0 && report.verdict != Verdict::Green {
            let see = match self.claim_finding() {
                Some(item) => item.id.clone(),
                None => "see [Claims vs evidence](#claims-vs-evidence)".into(),
            };
            sentences.push(format!(
                "The docs claim readiness in {}, but the measured verdict is {} ({see}).",
                count_noun(claims as u64, "place", "places"),
                report.verdict.as_str()
            ));
        }
        let suppressed = self.suppressed_count();
        if suppressed > 0 {
            sentences.push(format!(
                "{} silenced by `flightcheck-ignore` comments {} not counted (see [Suppressed](#suppressed)).",
                count_noun(suppressed as u64, "finding", "findings"),
                if suppressed == 1 { "is" } else { "are" }
            ));
        }
        let shown: usize = report.projects.iter().map(|p| p.findings.len()).sum();
        let hidden = (c.total() as usize).saturating_sub(shown);
        if hidden > 0 {
            sentences.push(format!(
                "{} below the severity shown (`--show`) {} left out of this review; the score and the gate count {}.",
                count_noun(hidden as u64, "finding", "findings"),
                if hidden == 1 { "is" } else { "are" },
                if hidden == 1 { "it" } else { "them" }
            ));
        }
        if let Some(baseline) = &report.baseline {
            sentences.push(format!(
                "Against the baseline {}: {} new, {} unchanged (see [Baseline](#baseline)).",
                code(&baseline.file, Ctx::Text),
                baseline.new,
                baseline.unchanged
            ));
        }
        sentences.join(" ")
    }

    // ── Blockers and high findings, one subsection each ─────────────────────────────────

    fn write_detailed(&self, out: &mut String, severity: Severity) {
        let (heading, intro) = match severity {
            Severity::Blocker => ("Blockers", "The verdict is RED while any remains."),
            _ => (
                "High priority",
                "Fix before launch or accept as risks: the verdict is at best YELLOW.",
            ),
        };
        let items: Vec<&Item> = self.of_severity(severity).collect();
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "## {heading}\n\n{intro}\n");
        let mut brief = Vec::new();
        for item in items {
            if out.len() > DETAIL_BUDGET {
                brief.push(item);
                continue;
            }
            self.write_item(out, item);
        }
        if !brief.is_empty() {
            let _ = writeln!(
                out,
                "{} more, in one line each to keep this review within GitHub's comment limit (the JSON and SARIF reports have every detail):\n",
                brief.len()
            );
            let mut left_out = 0;
            for item in brief {
                if out.len() > TABLE_BUDGET {
                    left_out += 1;
                    continue;
                }
                let f = item.lead();
                let _ = writeln!(
                    out,
                    "- {} {} at {}: {}",
                    self.label(item),
                    code(f.rule, Ctx::Text),
                    self.places(item, 1),
                    inline(&shorten(&f.message, 100), Ctx::Text)
                );
            }
            if left_out > 0 {
                let _ = writeln!(
                    out,
                    "- … {} left out to keep this review within GitHub's comment limit",
                    count_noun(left_out as u64, "more entry", "more entries")
                );
            }
            out.push('\n');
        }
    }

    fn write_item(&self, out: &mut String, item: &Item) {
        let f = item.lead();
        let project = if self.many {
            format!(" · {}", inline(&item.project().name, Ctx::Text))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "### {} · {} · {}{project}\n",
            item.id,
            code(f.rule, Ctx::Text),
            finding_place(item.project(), f, Ctx::Text),
        );
        if let Some(state) = f.baseline_state {
            let _ = writeln!(out, "*Baseline: {}.*\n", baseline_phrase(state));
        }
        let _ = writeln!(out, "{}\n", inline_or_dash(&f.message));
        if !f.impact.trim().is_empty() {
            let _ = writeln!(out, "- **Impact:** {}", inline(&f.impact, Ctx::Text));
        }
        write_evidence(out, f);
        if !f.fix.trim().is_empty() {
            let _ = writeln!(
                out,
                "- **Fix** ({}): {}",
                triage::effort_phrase(item.group.effort_minutes()),
                inline(&f.fix, Ctx::Text)
            );
        }
        if !f.verify.trim().is_empty() {
            let _ = writeln!(out, "- **Verify:** {}", check(&f.verify));
        }
        if item.group.len() > 1 {
            let others: Vec<String> = item
                .group
                .findings
                .iter()
                .skip(1)
                .take(12)
                .map(|g| finding_place(item.project(), g, Ctx::Text))
                .collect();
            let more = item.group.len().saturating_sub(13);
            let _ = writeln!(
                out,
                "- **Also at** ({} more, same fix): {}{}",
                item.group.len() - 1,
                others.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        out.push('\n');
    }

    // ── Other findings ───────────────────────────────────────────────────────────────────

    fn write_other(&self, out: &mut String) {
        let items: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.group.severity() < Severity::High)
            .collect();
        if items.is_empty() {
            return;
        }
        let findings: usize = items.iter().map(|i| i.group.len()).sum();
        let _ = writeln!(out, "## Other findings\n");
        let fold = items.len() > FOLD_ROWS;
        if fold {
            // GitHub renders Markdown inside <details> only after a blank line.
            let _ = writeln!(
                out,
                "<details>\n<summary>{} in {} (medium and low): fix after launch</summary>\n",
                count_noun(findings as u64, "finding", "findings"),
                count_noun(items.len() as u64, "entry", "entries"),
            );
        }
        let with_baseline = self.report.baseline.is_some();
        let mut header = vec![("Id", Align::Left)];
        if self.many {
            header.push(("Project", Align::Left));
        }
        header.extend([
            ("Rule", Align::Left),
            ("Where", Align::Left),
            ("Message", Align::Left),
        ]);
        if with_baseline {
            header.push(("Baseline", Align::Left));
        }
        let mut rows = Vec::new();
        let mut left_out = 0;
        let mut written = out.len();
        for item in &items {
            if written > TABLE_BUDGET {
                left_out += 1;
                continue;
            }
            let f = item.lead();
            let mut row = vec![item.id.clone()];
            if self.many {
                row.push(inline(&item.project().name, Ctx::Cell));
            }
            row.push(code(f.rule, Ctx::Cell));
            let mut place = finding_place(item.project(), f, Ctx::Cell);
            if item.group.len() > 1 {
                place.push_str(&format!(" and {} more", item.group.len() - 1));
            }
            row.push(place);
            row.push(inline(&shorten(&f.message, TABLE_MESSAGE_CHARS), Ctx::Cell));
            if with_baseline {
                row.push(match f.baseline_state {
                    Some(BaselineState::New) => "new".into(),
                    Some(BaselineState::Unchanged) => "unchanged".into(),
                    None => String::new(),
                });
            }
            written += row.iter().map(String::len).sum::<usize>() + 4 * row.len();
            rows.push(row);
        }
        write_table(out, &header, &rows);
        if left_out > 0 {
            let _ = writeln!(
                out,
                "{} left out to keep this review within GitHub's comment limit; the JSON and SARIF reports list every finding.\n",
                count_noun(left_out as u64, "more entry", "more entries")
            );
        }
        if fold {
            let _ = writeln!(out, "</details>\n");
        }
    }

    // ── Fix plan: ids per phase ──────────────────────────────────────────────────────────

    fn write_fix_plan(&self, out: &mut String) {
        if self.items.is_empty() {
            return;
        }
        let _ = writeln!(out, "## Fix plan\n");
        let phases: [(&str, &[Severity]); 3] = [
            ("1. Blockers", &[Severity::Blocker]),
            ("2. High priority", &[Severity::High]),
            ("3. The rest", &[Severity::Medium, Severity::Low]),
        ];
        for (title, severities) in phases {
            let items: Vec<&Item> = self
                .items
                .iter()
                .filter(|i| severities.contains(&i.group.severity()))
                .collect();
            if items.is_empty() {
                continue;
            }
            let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            let listed = if ids.len() > 40 {
                format!("{}, … {} more", ids[..40].join(", "), ids.len() - 40)
            } else {
                ids.join(", ")
            };
            let _ = writeln!(
                out,
                "- [ ] **{title}** ({}): {listed}",
                minutes(self.effort_of(severities)),
            );
        }
        let root = &self.report.root;
        let _ = writeln!(
            out,
            "- [ ] **Re-run the gate:** {} exits 0 with no blocker left; {} with a GREEN verdict.\n",
            code(
                &format!("flightcheck scan {root} --fail-on blocker"),
                Ctx::Text
            ),
            code(
                &format!("flightcheck scan {root} --fail-on high --min-score {YELLOW_BELOW}"),
                Ctx::Text
            ),
        );
    }

    // ── Files to modify: ids per file ────────────────────────────────────────────────────

    fn write_files(&self, out: &mut String) {
        struct FileRow {
            worst: Severity,
            ids: Vec<String>,
        }
        let mut files: BTreeMap<String, FileRow> = BTreeMap::new();
        for item in &self.items {
            for f in &item.group.findings {
                // A project-wide finding is fixed in the project's definition, as in SARIF.
                let file = f
                    .file
                    .clone()
                    .or_else(|| item.project().manifests.first().cloned())
                    .unwrap_or_else(|| item.project().path.clone());
                let row = files.entry(file).or_insert(FileRow {
                    worst: f.severity,
                    ids: Vec::new(),
                });
                row.worst = row.worst.max(f.severity);
                if row.ids.last() != Some(&item.id) {
                    row.ids.push(item.id.clone());
                }
            }
        }
        if files.is_empty() {
            return;
        }
        let _ = writeln!(out, "## Files to modify\n");
        let mut files: Vec<(String, FileRow)> = files.into_iter().collect();
        // Worst severity first, then most entries; the map already ordered paths.
        files.sort_by_key(|(_, row)| std::cmp::Reverse((row.worst, row.ids.len())));
        let mut rows = Vec::new();
        let mut left_out = 0;
        for (file, row) in &files {
            if out.len() + rows.len() * 80 > TABLE_BUDGET || rows.len() >= 40 {
                left_out += 1;
                continue;
            }
            rows.push(vec![code(file, Ctx::Cell), row.ids.join(", ")]);
        }
        write_table(
            out,
            &[("File", Align::Left), ("Findings", Align::Left)],
            &rows,
        );
        if left_out > 0 {
            let _ = writeln!(
                out,
                "… {} with fewer or lower findings.\n",
                count_noun(left_out as u64, "more file", "more files")
            );
        }
    }

    /// `### Projects`: one row per project of a monorepo.
    fn write_rollup(&self, out: &mut String) {
        let report = self.report;
        let _ = writeln!(out, "### Projects\n");
        let rows = report
            .projects
            .iter()
            .map(|p| {
                vec![
                    inline(&p.name, Ctx::Cell),
                    code(&p.path, Ctx::Cell),
                    verdict_label(p.verdict),
                    format!("{}/100", p.score.score),
                    p.counts.blocker.to_string(),
                    p.counts.high.to_string(),
                    p.counts.medium.to_string(),
                    p.counts.low.to_string(),
                ]
            })
            .collect::<Vec<_>>();
        write_table(
            out,
            &[
                ("Project", Align::Left),
                ("Path", Align::Left),
                ("Verdict", Align::Left),
                ("Score", Align::Right),
                ("Blocker", Align::Right),
                ("High", Align::Right),
                ("Medium", Align::Right),
                ("Low", Align::Right),
            ],
            &rows,
        );
    }

    fn write_scores(&self, out: &mut String) {
        let _ = writeln!(out, "## Score\n");
        if self.report.projects.is_empty() {
            let _ = writeln!(out, "None.\n");
            return;
        }
        for p in &self.report.projects {
            if self.many {
                let _ = writeln!(
                    out,
                    "### {} ({})\n",
                    inline(&p.name, Ctx::Text),
                    code(&p.path, Ctx::Text)
                );
            }
            let mut rows = Vec::new();
            let mut applicable_weight = 0;
            for c in &p.score.categories {
                let name = c.category.as_str().to_string();
                let weight = c.weight.to_string();
                match (c.applicable, c.score, c.weighted) {
                    (true, Some(score), Some(weighted)) => {
                        applicable_weight += c.weight;
                        let deductions = if c.deductions.is_empty() {
                            "none".to_string()
                        } else {
                            c.deductions
                                .iter()
                                .map(|d| {
                                    // The entries of this rule in this project, by id.
                                    let ids: Vec<&str> = self
                                        .items
                                        .iter()
                                        .filter(|i| {
                                            std::ptr::eq(i.project(), p) && i.lead().rule == d.rule
                                        })
                                        .map(|i| i.id.as_str())
                                        .collect();
                                    let who = match ids.len() {
                                        0 => inline(d.rule, Ctx::Cell),
                                        1..=6 => ids.join(", "),
                                        n => format!("{}, … ({n})", ids[..3].join(", ")),
                                    };
                                    format!("{who}\u{a0}−{}", d.points)
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        };
                        rows.push(vec![
                            name,
                            weight,
                            score.to_string(),
                            format!("{weighted:.1}"),
                            deductions,
                        ]);
                    }
                    _ => rows.push(vec![
                        name,
                        weight,
                        "N/A".into(),
                        "N/A".into(),
                        "not assessed: no rule of this category applies to this stack".into(),
                    ]),
                }
            }
            rows.push(vec![
                "**Total**".into(),
                applicable_weight.to_string(),
                String::new(),
                format!("**{}/100**", p.score.score),
                verdict_label(p.score.verdict),
            ]);
            write_table(
                out,
                &[
                    ("Category", Align::Left),
                    ("Weight", Align::Right),
                    ("Score", Align::Right),
                    ("Weighted", Align::Right),
                    ("Deductions (entries −points)", Align::Left),
                ],
                &rows,
            );
        }
    }

    fn write_claims(&self, out: &mut String) {
        let _ = writeln!(out, "## Claims vs evidence\n");
        let report = self.report;
        let measured = |verdict: Verdict, score: u32, counts: &Counts| {
            format!(
                "{}, {score}/100, {}",
                verdict_label(verdict),
                counts_phrase(counts)
            )
        };
        if self.claim_count() == 0 {
            let _ = writeln!(
                out,
                "No readiness claims were found in the docs. Measured: {}.\n",
                measured(report.verdict, report.score, &report.counts)
            );
            return;
        }
        let mut header = Vec::new();
        if self.many {
            header.push(("Project", Align::Left));
        }
        header.extend([
            ("Claim in the docs", Align::Left),
            ("Where", Align::Left),
            ("Measured", Align::Left),
        ]);
        let mut rows = Vec::new();
        for p in &report.projects {
            for claim in &p.claims {
                let mut row = Vec::new();
                if self.many {
                    row.push(inline(&p.name, Ctx::Cell));
                }
                row.push(format!("“{}”", inline(&claim.text, Ctx::Cell)));
                row.push(code(&format!("{}:{}", claim.file, claim.line), Ctx::Cell));
                row.push(measured(p.verdict, p.score.score, &p.counts));
                rows.push(row);
            }
        }
        write_table(out, &header, &rows);
        // Judge the claims by the projects that make them (in a monorepo one project's docs
        // do not speak for another).
        let claiming = report.projects.iter().filter(|p| !p.claims.is_empty());
        let (worst, blockers) = claiming.fold((Verdict::Green, 0), |(v, b), p| {
            (v.max(p.verdict), b + p.counts.blocker)
        });
        let verdict = match worst {
            Verdict::Red => format!(
                "The evidence contradicts these claims: {} the release.",
                match blockers {
                    1 => "1 blocker stops".to_string(),
                    n => format!("{n} blockers stop"),
                }
            ),
            Verdict::Yellow => {
                "The evidence qualifies these claims: the release carries known risks (YELLOW)."
                    .to_string()
            }
            Verdict::Green => {
                "The evidence agrees with these claims as far as the rules that ran can tell (GREEN)."
                    .to_string()
            }
        };
        let _ = writeln!(out, "{verdict}\n");
    }

    fn write_suppressed(&self, out: &mut String) {
        let _ = writeln!(out, "## Suppressed\n");
        if self.suppressed_count() == 0 {
            let _ = writeln!(out, "None.\n");
            return;
        }
        let _ = writeln!(
            out,
            "Silenced by `flightcheck-ignore` comments: not scored, not gated, listed for audit.\n"
        );
        let mut header = Vec::new();
        if self.many {
            header.push(("Project", Align::Left));
        }
        // Few columns: a wide table scrolls on GitHub and squeezes the message to a word a line.
        header.extend([
            ("Rule", Align::Left),
            ("Location", Align::Left),
            ("Message", Align::Left),
            ("Reason", Align::Left),
        ]);
        let mut rows = Vec::new();
        for p in &self.report.projects {
            for s in &p.suppressed {
                let mut row = Vec::new();
                if self.many {
                    row.push(inline(&p.name, Ctx::Cell));
                }
                let location = match &s.file {
                    Some(file) => code(&place(file, s.line), Ctx::Cell),
                    None => "project-wide".into(),
                };
                // The comment is usually in the same file: its line number says enough.
                let comment = match s
                    .file
                    .as_deref()
                    .and_then(|file| s.suppressed_by.strip_prefix(file))
                    .and_then(|rest| rest.strip_prefix(':'))
                {
                    Some(line) => format!("comment on line {}", inline(line, Ctx::Cell)),
                    None => format!("comment at {}", code(&s.suppressed_by, Ctx::Cell)),
                };
                row.extend([
                    format!("{} ({})", code(s.rule, Ctx::Cell), s.severity.as_str()),
                    format!("{location}, {comment}"),
                    inline(&s.message, Ctx::Cell),
                    if s.reason.trim().is_empty() {
                        "*no reason given*".to_string()
                    } else {
                        inline(&s.reason, Ctx::Cell)
                    },
                ]);
                rows.push(row);
            }
        }
        write_table(out, &header, &rows);
    }

    fn write_baseline(&self, out: &mut String) {
        let _ = writeln!(out, "## Baseline\n");
        let Some(baseline) = &self.report.baseline else {
            let _ = writeln!(
                out,
                "None: no `--baseline` was given, so every finding is reported.\n"
            );
            return;
        };
        let _ = writeln!(
            out,
            "Compared with {}: **{} new**, {} unchanged (findings already in the baseline do not fail the gate).\n",
            code(&baseline.file, Ctx::Text),
            baseline.new,
            baseline.unchanged
        );
        if baseline.stale.is_empty() {
            let _ = writeln!(
                out,
                "No stale entries: every baseline entry still matches a finding.\n"
            );
            return;
        }
        let _ = writeln!(
            out,
            "{} in the baseline no longer {} a finding (fixed, or moved to another file); rewrite the baseline with `--write-baseline` to drop {}:\n",
            count_noun(baseline.stale.len() as u64, "entry", "entries"),
            if baseline.stale.len() == 1 {
                "matches"
            } else {
                "match"
            },
            if baseline.stale.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        let rows = baseline
            .stale
            .iter()
            .map(|e| {
                vec![
                    code(&e.rule, Ctx::Cell),
                    code_or_dash(&e.file, Ctx::Cell),
                    inline(&e.message, Ctx::Cell),
                    code(&e.fingerprint, Ctx::Cell),
                ]
            })
            .collect::<Vec<_>>();
        write_table(
            out,
            &[
                ("Rule", Align::Left),
                ("File", Align::Left),
                ("Message when recorded", Align::Left),
                ("Fingerprint", Align::Left),
            ],
            &rows,
        );
    }

    fn write_notes(&self, out: &mut String) {
        let _ = writeln!(out, "## Scan notes\n");
        let notes = &self.report.notes;
        if notes.is_empty() {
            let _ = writeln!(out, "None.\n");
            return;
        }
        // GitHub renders Markdown inside <details> only after a blank line.
        let _ = writeln!(
            out,
            "<details>\n<summary>{}: skipped or unreadable files, broken manifests, missing entry targets</summary>\n",
            count_noun(notes.len() as u64, "note", "notes")
        );
        for note in notes.iter().take(40) {
            let at = match (&note.file, note.line) {
                (Some(file), Some(line)) => format!("{}: ", code(&place(file, line), Ctx::Text)),
                (Some(file), None) => format!("{}: ", code(file, Ctx::Text)),
                _ => String::new(),
            };
            let _ = writeln!(out, "- {at}{}", inline(&note.message, Ctx::Text));
        }
        if notes.len() > 40 {
            let _ = writeln!(out, "- … {} more (see the JSON report)", notes.len() - 40);
        }
        let _ = writeln!(out, "\n</details>\n");
    }
}

/// `- **Evidence:**` with one nested item per piece (at most four): place and note, then
/// the snippet in a fenced block; absence rules' "searched" notes stand alone.
fn write_evidence(out: &mut String, f: &Finding) {
    let evidence = &f.evidence;
    if evidence.is_empty() {
        return;
    }
    let _ = writeln!(out, "- **Evidence:**");
    for e in evidence.iter().take(4) {
        // The finding's own place is in its heading already.
        let here = e.file.is_some() && e.file == f.file && e.line == Some(f.span.line);
        let at = match (&e.file, e.line) {
            _ if here && !e.note.trim().is_empty() => None,
            (Some(file), Some(line)) if line > 0 => Some(code(&place(file, line), Ctx::Text)),
            (Some(file), _) => Some(code(file, Ctx::Text)),
            _ => None,
        };
        let note = inline(&e.note, Ctx::Text);
        let item = match (at, note.is_empty()) {
            (Some(at), false) => format!("{at}: {note}"),
            (Some(at), true) => at,
            (None, false) => note,
            (None, true) => "(no detail)".to_string(),
        };
        let _ = writeln!(out, "  - {item}");
        if let Some(snippet) = &e.snippet {
            write_fence(out, "    ", language_tag(e.file.as_deref()), snippet);
        }
    }
    if evidence.len() > 4 {
        let _ = writeln!(
            out,
            "  - … {} more (see the JSON report)",
            evidence.len() - 4
        );
    }
}

/// Characters of a message in the "Other findings" table: the row names the rule and the
/// place, and the full text is one click away in the JSON or pretty report.
const TABLE_MESSAGE_CHARS: usize = 85;

/// `s` cut at a word boundary to about `max` characters, with an ellipsis when cut. A
/// code span cut open would swallow the rest of the cell, so the cut is before it.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    if cut.matches('`').count() % 2 == 1
        && let Some(open) = cut.rfind('`')
    {
        cut.truncate(open);
    }
    format!("{}…", cut.trim_end())
}

/// Where a finding is: `file:line`, or project-wide (named by its manifest).
fn finding_place(project: &ProjectReport, f: &Finding, ctx: Ctx) -> String {
    match &f.file {
        Some(file) => code(&place(file, f.span.line), ctx),
        None => match project.manifests.first() {
            Some(manifest) => format!("project-wide ({})", code(manifest, ctx)),
            None => "project-wide".into(),
        },
    }
}

/// `file:line`, or `file` when the line is unknown (0).
fn place(file: &str, line: u32) -> String {
    if line > 0 {
        format!("{file}:{line}")
    } else {
        file.to_string()
    }
}

fn verdict_label(verdict: Verdict) -> String {
    let light = match verdict {
        Verdict::Red => "🔴",
        Verdict::Yellow => "🟡",
        Verdict::Green => "🟢",
    };
    format!("{light} **{}** ({})", verdict.as_str(), verdict.headline())
}

fn counts_phrase(c: &Counts) -> String {
    format!(
        "{} · {} high · {} medium · {} low",
        count_noun(u64::from(c.blocker), "blocker", "blockers"),
        c.high,
        c.medium,
        c.low
    )
}

fn baseline_phrase(state: BaselineState) -> &'static str {
    match state {
        BaselineState::New => "new: not in the baseline",
        BaselineState::Unchanged => "unchanged: already in the baseline, does not fail the gate",
    }
}

fn count_noun(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Minutes as `45 min`, `2 h` or `1 h 35 min`.
fn minutes(total: u32) -> String {
    match (total / 60, total % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn join_or_none<'s>(items: impl Iterator<Item = &'s str>) -> String {
    let items: Vec<String> = items.map(|s| inline(s, Ctx::Cell)).collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn codes_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items
            .iter()
            .map(|s| code(s, Ctx::Cell))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Env files as `FILE (role)`: the file as code, the role as text.
fn env_files(items: &[String]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|item| match item.rsplit_once(" (") {
            Some((file, role)) if role.ends_with(')') => {
                format!("{} ({}", code(file, Ctx::Cell), inline(role, Ctx::Cell))
            }
            _ => code(item, Ctx::Cell),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn code_or_dash(s: &str, ctx: Ctx) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        code(s, ctx)
    }
}

/// A verify step: prose ("Send /start ...") as text, a shell command ("npm test") as code.
fn check(verify: &str) -> String {
    if looks_like_command(verify) {
        code(verify, Ctx::Text)
    } else {
        inline_or_dash(verify)
    }
}

/// Rules write prose verify steps as sentences (capitalised, with their own code spans) and
/// commands bare: a lowercase program name first, no Markdown, no closing full stop.
fn looks_like_command(s: &str) -> bool {
    let s = s.trim();
    let program = s.split_whitespace().next().unwrap_or_default();
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && program
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !s.contains('`')
        && !s.ends_with('.')
}

fn inline_or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        inline(s, Ctx::Text)
    }
}

// ── Markdown building blocks ─────────────────────────────────────────────────────────────

/// Where inline text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A paragraph, heading or list item.
    Text,
    /// A GFM table cell: `|` ends the cell unless escaped, even inside a code span.
    Cell,
}

#[derive(Debug, Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// A GFM table. Cells must come from [`inline`] or [`code`] with [`Ctx::Cell`] (or be our
/// own text without `|` and line breaks).
fn write_table(out: &mut String, header: &[(&str, Align)], rows: &[Vec<String>]) {
    let names: Vec<&str> = header.iter().map(|(name, _)| *name).collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let delimiters: Vec<&str> = header
        .iter()
        .map(|(_, align)| match align {
            Align::Left => "---",
            Align::Right => "---:",
        })
        .collect();
    let _ = writeln!(out, "|{}|", delimiters.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

/// Line breaks would end a list item or a table row: the report's one-line texts stay on
/// one line.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.trim().chars() {
        if c == '\n' || c == '\r' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            last_space = c == ' ';
            out.push(c);
        }
    }
    out
}

/// Report text as inline Markdown. Backtick code spans (as CommonMark pairs them: a run
/// closed by the next run of the same length) are kept; outside them every character that
/// would start emphasis, a link, an HTML tag, an entity, math, strikethrough or (in a cell)
/// a new column is backslash-escaped, and unpaired backticks are escaped too.
fn inline(s: &str, ctx: Ctx) -> String {
    let chars: Vec<char> = one_line(s).chars().collect();
    let mut out = String::with_capacity(chars.len() + 8);
    let mut i = 0;
    // Text that starts a list item would otherwise open a nested list, quote or rule there.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    match chars.first() {
        Some('-' | '+' | '>' | '=') => out.push('\\'),
        Some(_) if digits > 0 && matches!(chars.get(digits), Some('.' | ')')) => {
            out.extend(&chars[..digits]);
            out.push('\\');
            i = digits;
        }
        _ => {}
    }
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = backtick_run(&chars, i);
            match closing_run(&chars, i + run, run) {
                Some(close) => {
                    out.extend(&chars[i..i + run]);
                    for &inner in &chars[i + run..close] {
                        if inner == '|' && ctx == Ctx::Cell {
                            out.push('\\');
                        }
                        out.push(inner);
                    }
                    out.extend(&chars[close..close + run]);
                    i = close + run;
                }
                None => {
                    for _ in 0..run {
                        out.push_str("\\`");
                    }
                    i += run;
                }
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '*' | '[' | ']' | '<' | '~' | '$' | '#' => true,
            // Intraword underscores never emphasise (`BOT_TOKEN` reads better unescaped).
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            // Only `&name;` and `&#..;` are entities.
            '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
            '|' => ctx == Ctx::Cell,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Length of the run of backticks starting at `i`.
fn backtick_run(chars: &[char], i: usize) -> usize {
    chars[i..].iter().take_while(|&&c| c == '`').count()
}

/// Start of the next run of exactly `len` backticks at or after `from`.
fn closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = backtick_run(chars, i);
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in s.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// `s` as one inline code span: the fence is longer than any backtick run inside, and a
/// space pads content that starts or ends with a backtick (or with spaces on both sides,
/// which CommonMark would strip).
fn code(s: &str, ctx: Ctx) -> String {
    let s = one_line(s);
    if s.is_empty() {
        return "—".into();
    }
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '));
    let pad = if pad { " " } else { "" };
    let body = if ctx == Ctx::Cell {
        s.replace('|', "\\|")
    } else {
        s
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced code block indented by `indent` (to sit inside a list item). The fence is
/// longer than any backtick run in the snippet, so the snippet cannot close it.
fn write_fence(out: &mut String, indent: &str, language: &str, snippet: &str) {
    let fence = "`".repeat((longest_backtick_run(snippet) + 1).max(3));
    let _ = writeln!(out, "{indent}{fence}{language}");
    for line in snippet.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}{fence}");
}

/// The code block language for a file, from its name (GitHub's Linguist names).
fn language_tag(path: Option<&str>) -> &'static str {
    let Some(path) = path else { return "text" };
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile") {
        return "dockerfile";
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return "dotenv";
    }
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension {
        "js" | "mjs" | "cjs" => "javascript",
        "jsx" => "jsx",
        "ts" | "mts" | "cts" => "typescript",
        "tsx" => "tsx",
        "py" | "pyi" => "python",
        "json" => "json",
        "yml" | "yaml" => "yaml",
        "toml" => "toml",
        "sh" | "bash" => "sh",
        "sql" => "sql",
        "md" => "markdown",
        "ini" | "cfg" | "service" => "ini",
        "prisma" => "prisma",
        _ => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flightcheck_core::{
        BaselineEntry, BaselineStatus, Category, EntryPointReport, Evidence, FileCounts, FixKind,
        Framework, Language, Note, ReadinessClaim, RuleMeta, SCHEMA_VERSION, Span,
        SuppressedFinding, Timing, ToolInfo, WhenUnreachable, score,
    };
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

    const fn rule(
        id: &'static str,
        severity: Severity,
        category: Category,
        fix_kind: FixKind,
        summary: &'static str,
        effort_minutes: u32,
    ) -> RuleMeta {
        RuleMeta {
            id,
            severity,
            category,
            fix_kind,
            summary,
            docs: "",
            when_unreachable: WhenUnreachable::Keep,
            effort_minutes,
        }
    }

    static WEBHOOK: RuleMeta = rule(
        "security/webhook-unverified",
        Severity::Blocker,
        Category::Security,
        FixKind::Code,
        "A webhook route that does not verify the sender",
        45,
    );
    static NO_TESTS: RuleMeta = rule(
        "testing/no-tests",
        Severity::High,
        Category::Testing,
        FixKind::Code,
        "No test files",
        240,
    );
    static NO_ERROR_HANDLER: RuleMeta = rule(
        "bot/no-error-handler",
        Severity::Medium,
        Category::Resilience,
        FixKind::Code,
        "No bot-level error handler",
        20,
    );
    static UNDOCUMENTED_ENV: RuleMeta = rule(
        "config/undocumented-env",
        Severity::Low,
        Category::Docs,
        FixKind::Config,
        "An env var missing from .env.example",
        5,
    );

    /// The sections of a review with findings of every severity and nothing else.
    const SECTIONS: [&str; 8] = [
        "## Fix these first",
        "## Summary",
        "## Blockers",
        "## High priority",
        "## Other findings",
        "## Fix plan",
        "## Files to modify",
        "## Score",
    ];

    /// Table cells, list items and sentences that a message must survive unchanged.
    const HOSTILE: &str = "a | b `x|y` <script>alert(1)</script> ``co`de`` unpaired ` *not bold* [not](link) $5 & &amp; C# ~~kept~~ \\ end";
    /// [`HOSTILE`] as a reader sees it: the code spans' content without their backticks.
    const HOSTILE_SEEN: &str = "a | b x|y <script>alert(1)</script> co`de unpaired ` *not bold* [not](link) $5 & &amp; C# ~~kept~~ \\ end";

    fn finding(meta: &'static RuleMeta, file: &str, line: u32, message: &str) -> Finding {
        Finding::new(meta, message)
            .at(file, Span::line(line))
            .evidence(Evidence::at(file, line, "const x = 1;", "the code"))
            .impact("Users see errors.")
            .fix("Change the code.")
            .verify(format!("Check {file} by hand."))
    }

    fn project(name: &str, path: &str, findings: Vec<Finding>) -> ProjectReport {
        let applicable = [
            Category::Availability,
            Category::Resilience,
            Category::Security,
            Category::Testing,
            Category::Config,
            Category::Docs,
        ];
        let card = score::score(&findings, &applicable, &BTreeMap::new());
        let prefix = if path == "." {
            String::new()
        } else {
            format!("{path}/")
        };
        ProjectReport {
            path: path.into(),
            name: name.into(),
            manifests: vec![format!("{prefix}package.json")],
            languages: vec![Language::JavaScript],
            frameworks: vec![Framework::Telegraf],
            package_manager: Some("npm".into()),
            python_runtime: None,
            entry_points: vec![EntryPointReport {
                file: format!("{prefix}src/index.js"),
                source: "package.json:5 package.json main".into(),
                detail: "node src/index.js".into(),
                kind: flightcheck_core::EntryKind::Service,
            }],
            warnings: Vec::new(),
            env_files: vec![format!("{prefix}.env.example (example)")],
            deploy_files: vec![format!("{prefix}Dockerfile")],
            files: FileCounts {
                source: 3,
                reachable: 2,
                lines: 120,
                tests: 0,
            },
            unreachable: Vec::new(),
            verdict: card.verdict,
            counts: Counts::of(&findings),
            score: card,
            findings,
            suppressed: Vec::new(),
            silenced_by_role: Vec::new(),
            claims: Vec::new(),
        }
    }

    fn scan(projects: Vec<ProjectReport>) -> ScanReport {
        let mut counts = Counts::default();
        for p in &projects {
            counts.add(&p.counts);
        }
        let verdict = projects
            .iter()
            .map(|p| p.verdict)
            .max()
            .unwrap_or(Verdict::Green);
        let score = match projects.len() {
            0 => 100,
            n => projects.iter().map(|p| p.score.score).sum::<u32>() / n as u32,
        };
        ScanReport {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "flightcheck",
                version: "0.1.0",
            },
            root: "repo".into(),
            verdict,
            score,
            counts,
            projects,
            rules: Vec::new(),
            notes: Vec::new(),
            // Timings vary between runs: the review must not show them.
            timings: vec![Timing {
                phase: "parse".into(),
                ms: 987.654,
            }],
            rule_timings: vec![Timing {
                phase: WEBHOOK.id.into(),
                ms: 876.543,
            }],
            baseline: None,
        }
    }

    /// One project with a finding of every severity.
    fn full_report() -> ScanReport {
        scan(vec![project(
            "bot",
            ".",
            vec![
                finding(
                    &WEBHOOK,
                    "src/webhook.js",
                    18,
                    "POST /pay accepts unsigned requests",
                ),
                finding(&NO_TESTS, "package.json", 10, "No tests"),
                finding(&NO_ERROR_HANDLER, "src/bot.js", 3, "No error handler"),
                finding(
                    &UNDOCUMENTED_ENV,
                    "src/bot.js",
                    7,
                    "`ADMIN_ID` is undocumented",
                ),
            ],
        )])
    }

    fn parse(md: &str) -> Vec<Event<'_>> {
        let options =
            Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
        Parser::new_ext(md, options).collect()
    }

    /// What a reader sees of each paragraph, list item, heading and table cell: its text
    /// with code spans' content, markup gone. Nested items are blocks of their own.
    fn blocks(md: &str) -> Vec<String> {
        let mut open: Vec<String> = Vec::new();
        let mut done = Vec::new();
        let mut in_code_block = false;
        for event in parse(md) {
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
                Event::End(TagEnd::CodeBlock) => in_code_block = false,
                Event::Text(_) if in_code_block => {}
                Event::Start(Tag::Paragraph | Tag::Item | Tag::Heading { .. } | Tag::TableCell) => {
                    open.push(String::new())
                }
                Event::End(
                    TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableCell,
                ) => done.extend(open.pop()),
                Event::Text(t) | Event::Code(t) => {
                    if let Some(block) = open.last_mut() {
                        block.push_str(&t);
                    }
                }
                Event::SoftBreak => {
                    if let Some(block) = open.last_mut() {
                        block.push(' ');
                    }
                }
                _ => {}
            }
        }
        done.into_iter().map(|b| b.trim().to_string()).collect()
    }

    /// Every table row as a reader sees its cells.
    fn table_rows(md: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row: Option<Vec<String>> = None;
        let mut cell: Option<String> = None;
        for event in parse(md) {
            match event {
                Event::Start(Tag::TableHead | Tag::TableRow) => row = Some(Vec::new()),
                Event::End(TagEnd::TableHead | TagEnd::TableRow) => rows.extend(row.take()),
                Event::Start(Tag::TableCell) => cell = Some(String::new()),
                Event::End(TagEnd::TableCell) => {
                    if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                        r.push(c);
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some(c) = cell.as_mut() {
                        c.push_str(&t);
                    }
                }
                _ => {}
            }
        }
        rows
    }

    /// Fenced code blocks: (language, content).
    fn code_blocks(md: &str) -> Vec<(String, String)> {
        let mut blocks = Vec::new();
        let mut current: Option<(String, String)> = None;
        for event in parse(md) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                    current = Some((lang.to_string(), String::new()));
                }
                Event::Text(t) => {
                    if let Some((_, content)) = current.as_mut() {
                        content.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
                _ => {}
            }
        }
        blocks
    }

    /// Raw HTML the parser found (GitHub would render or strip it).
    fn html(md: &str) -> Vec<String> {
        parse(md)
            .into_iter()
            .filter_map(|e| match e {
                Event::Html(h) | Event::InlineHtml(h) => Some(h.trim().to_string()),
                _ => None,
            })
            .collect()
    }

    /// GFM splits a row at every `|` not escaped by a backslash; every row of a table must
    /// have as many cells as its header, or cells are dropped or invented.
    fn assert_tables_are_rectangular(md: &str) {
        let cells = |line: &str| {
            let mut pipes = 0;
            let mut escaped = false;
            for c in line.chars() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '|' => pipes += 1,
                    _ => {}
                }
            }
            pipes - 1
        };
        let mut header: Option<usize> = None;
        for line in md.lines() {
            if line.starts_with('|') {
                match header {
                    None => header = Some(cells(line)),
                    Some(n) => assert_eq!(cells(line), n, "row `{line}` in\n{md}"),
                }
            } else {
                header = None;
            }
        }
    }

    /// The score the review's first line states.
    fn report_score(md: &str) -> u32 {
        md.split("score **")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|n| n.parse().ok())
            .expect("a score on the first line")
    }

    fn headings(md: &str) -> Vec<&str> {
        md.lines().filter(|l| l.starts_with("## ")).collect()
    }

    /// The body of section `## name`, up to the next `## ` heading.
    fn section<'m>(md: &'m str, name: &str) -> &'m str {
        let heading = format!("## {name}\n");
        let start = md
            .find(&heading)
            .map(|i| i + heading.len())
            .unwrap_or_else(|| {
                panic!("no section {name} in\n{md}");
            });
        let rest = &md[start..];
        rest.find("\n## ").map_or(rest, |end| &rest[..end])
    }

    #[test]
    fn a_monorepo_is_titled_by_its_root_project() {
        let report = scan(vec![
            project("shop", ".", Vec::new()),
            project("api", "services/api", Vec::new()),
        ]);
        assert!(render(&report).starts_with("# Production-readiness review: shop (2 projects)\n"));
    }

    #[test]
    fn a_scan_without_findings_is_a_short_green_review() {
        let report = scan(vec![project("bot", ".", Vec::new())]);
        let md = render(&report);
        assert!(
            md.starts_with("# Production-readiness review: bot\n"),
            "{md}"
        );
        assert!(md.contains("🟢 **GREEN** (READY)"), "{md}");
        assert!(md.contains("No findings: every rule that applies to this stack passed."));
        // Sections with nothing to say are left out.
        assert_eq!(
            headings(&md),
            ["## Fix these first", "## Summary", "## Score"]
        );
        assert!(section(&md, "Fix these first").contains("Nothing urgent"));
        let rows = table_rows(&md);
        let total = rows.iter().find(|r| r[0] == "Total").expect("a total row");
        assert_eq!(total[3], "100/100");
        assert!(!md.ends_with("\n\n"));
    }

    #[test]
    fn sections_keep_their_order_and_the_output_is_deterministic() {
        let report = full_report();
        let md = render(&report);
        assert_eq!(headings(&md), SECTIONS);
        assert_eq!(md, render(&report));
        assert!(!md.contains("987") && !md.contains("876"), "no timings");
        assert_tables_are_rectangular(&md);
        assert!(
            html(&md).is_empty(),
            "no HTML without notes: {:?}",
            html(&md)
        );
    }

    #[test]
    fn the_summary_names_what_stops_the_release() {
        let md = render(&full_report());
        let blocks = blocks(section(&md, "Summary"));
        let paragraph = &blocks[0];
        assert!(
            paragraph.starts_with(
                "1 blocker stops this release (B1). 1 high finding should be fixed before launch too. 1 medium and 1 low finding can be scheduled after launch."
            ),
            "{paragraph}"
        );
        assert!(
            paragraph.contains(
                "Fixing everything takes roughly 5 h 10 min, 45 min of it for the blockers."
            ),
            "{paragraph}"
        );
        assert!(blocks.contains(
            &"Scanned repo (flightcheck 0.1.0, 0 rules): 3 source files, 2 reachable from an entry point, 120 lines of source, 0 test files.".to_string()
        ), "{blocks:?}");
        assert!(
            blocks.contains(
                &"bot (.): javascript · telegraf · deploy: Dockerfile · env: .env.example (example)"
                    .to_string()
            ),
            "{blocks:?}"
        );
        assert!(
            blocks.contains(&"entry src/index.js ← package.json:5 package.json main".to_string()),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_yellow_verdict_from_the_score_alone_says_so() {
        let mut report = scan(vec![project(
            "bot",
            ".",
            vec![finding(
                &NO_ERROR_HANDLER,
                "src/bot.js",
                3,
                "No error handler",
            )],
        )]);
        report.score = 80;
        report.verdict = Verdict::Yellow;
        let md = render(&report);
        assert!(
            md.contains("The score is 80/100, below the 85 a GREEN verdict needs."),
            "{md}"
        );
        assert!(md.contains(
            "Nothing blocks this release; 1 medium finding can be scheduled after launch."
        ));
    }

    #[test]
    fn a_blocker_gets_every_field_in_order() {
        let blocker = finding(
            &WEBHOOK,
            "src/webhook.js",
            18,
            "POST /pay accepts unsigned requests",
        )
        .evidence(Evidence::searched(
            "searched 2 reachable files for a signature check",
        ));
        let md = render(&scan(vec![project("bot", ".", vec![blocker])]));
        let body = section(&md, "Blockers");
        assert!(
            body.contains("### B1 · `security/webhook-unverified` · `src/webhook.js:18`\n"),
            "{body}"
        );
        let labels = [
            "POST /pay accepts unsigned requests",
            "**Impact:**",
            "**Evidence:**",
            "**Fix** (about 45 min):",
            "**Verify:**",
        ];
        let positions: Vec<usize> = labels
            .iter()
            .map(|l| {
                body.find(l)
                    .unwrap_or_else(|| panic!("{l} missing:\n{body}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{body}");
        let blocks = blocks(body);
        for expected in [
            "POST /pay accepts unsigned requests",
            "Impact: Users see errors.",
            "the code",
            "searched 2 reachable files for a signature check",
            "Fix (about 45 min): Change the code.",
            "Verify: Check src/webhook.js by hand.",
        ] {
            assert!(
                blocks.iter().any(|b| b == expected),
                "{expected} in {blocks:?}"
            );
        }
        assert_eq!(
            code_blocks(body),
            vec![("javascript".to_string(), "const x = 1;\n".to_string())]
        );
        // Each finding appears once in full: the fix-first list and the plan give its id.
        assert_eq!(md.matches("Change the code.").count(), 1, "{md}");
        assert!(section(&md, "Fix these first").contains("**B1**"));
        assert!(section(&md, "Fix plan").contains("B1"));
        assert!(!md.contains("## High priority"));
    }

    #[test]
    fn a_project_wide_finding_points_at_its_manifest() {
        let mut f = finding(&NO_TESTS, "x", 1, "No tests");
        f.file = None;
        f.span = Span::default();
        let md = render(&scan(vec![project("bot", ".", vec![f])]));
        assert!(
            md.contains("### H1 · `testing/no-tests` · project-wide (`package.json`)"),
            "{md}"
        );
        let rows = table_rows(section(&md, "Files to modify"));
        assert_eq!(rows[1], ["package.json", "H1"]);
    }

    #[test]
    fn a_monorepo_rolls_up_projects_and_says_where_each_finding_belongs() {
        let mut api = project(
            "api",
            "services/api",
            vec![finding(
                &NO_TESTS,
                "services/api/package.json",
                4,
                "No tests",
            )],
        );
        api.claims = vec![ReadinessClaim {
            file: "services/api/README.md".into(),
            line: 1,
            text: "Production ready".into(),
        }];
        let bot = project(
            "bot",
            "services/bot",
            vec![
                finding(&WEBHOOK, "services/bot/src/pay.js", 9, "Unsigned webhook"),
                finding(
                    &UNDOCUMENTED_ENV,
                    "services/bot/src/pay.js",
                    2,
                    "`X` undocumented",
                ),
            ],
        );
        let md = render(&scan(vec![api, bot]));
        assert!(
            md.starts_with("# Production-readiness review: `repo`\n"),
            "{md}"
        );
        assert_tables_are_rectangular(&md);
        let summary = section(&md, "Summary");
        assert!(summary.contains("### Projects"));
        let rows = table_rows(summary);
        assert!(
            rows.contains(&vec![
                "api".to_string(),
                "services/api".into(),
                "🟡 YELLOW (READY WITH RISKS)".into(),
                "97/100".into(),
                "0".into(),
                "1".into(),
                "0".into(),
                "0".into(),
            ]),
            "{rows:?}"
        );
        assert!(
            rows.iter()
                .any(|r| r[0] == "bot" && r[2] == "🔴 RED (NOT PRODUCTION READY)")
        );
        assert!(summary.contains("the lowest project score"), "{summary}");
        // Entries say which project they belong to.
        assert!(
            md.contains(
                "### B1 · `security/webhook-unverified` · `services/bot/src/pay.js:9` · bot"
            ),
            "{md}"
        );
        assert!(
            md.contains("### H1 · `testing/no-tests` · `services/api/package.json:4` · api"),
            "{md}"
        );
        let other = table_rows(section(&md, "Other findings"));
        assert_eq!(other[0], ["Id", "Project", "Rule", "Where", "Message"]);
        assert_eq!(other[1][1], "bot");
        let scores = section(&md, "Score");
        assert!(scores.contains("### api (`services/api`)\n"));
        assert!(scores.contains("### bot (`services/bot`)\n"));
        // The api's claim is judged by the api (YELLOW), not by the bot's blocker.
        let claims = section(&md, "Claims vs evidence");
        assert_eq!(table_rows(claims)[1][..2], ["api", "“Production ready”"]);
        assert!(
            claims.contains("The evidence qualifies these claims"),
            "{claims}"
        );
    }

    #[test]
    fn hostile_messages_cannot_break_tables_inject_html_or_start_markup() {
        let blocker =
            finding(&WEBHOOK, "src/a.js", 1, HOSTILE).evidence(Evidence::searched(HOSTILE));
        let medium = finding(&NO_ERROR_HANDLER, "src/a|b.js", 2, "short | message `x|y`");
        let low = finding(
            &UNDOCUMENTED_ENV,
            "src/c.js",
            3,
            "line one\nline two | three",
        );
        let md = render(&scan(vec![project("bot", ".", vec![blocker, medium, low])]));

        assert_tables_are_rectangular(&md);
        assert!(html(&md).is_empty(), "{:?}", html(&md));
        let blocks = blocks(&md);
        assert!(
            blocks.iter().filter(|b| *b == HOSTILE_SEEN).count() >= 2,
            "the message and the searched note: {blocks:?}"
        );
        let rows = table_rows(section(&md, "Other findings"));
        assert_eq!(
            rows[1],
            [
                "M1",
                "bot/no-error-handler",
                "src/a|b.js:2",
                "short | message x|y"
            ]
        );
        assert_eq!(rows[2][3], "line one line two | three");
        // The message's own code spans stay code, also in a table cell.
        let codes: Vec<String> = parse(section(&md, "Other findings"))
            .into_iter()
            .filter_map(|e| match e {
                Event::Code(c) => Some(c.to_string()),
                _ => None,
            })
            .collect();
        assert!(codes.contains(&"x|y".to_string()), "{codes:?}");
        let codes: Vec<String> = parse(section(&md, "Blockers"))
            .into_iter()
            .filter_map(|e| match e {
                Event::Code(c) => Some(c.to_string()),
                _ => None,
            })
            .collect();
        assert!(codes.contains(&"co`de".to_string()), "{codes:?}");
        // Nothing the message says turns into emphasis, a link or strikethrough.
        let markup = parse(&md).into_iter().any(|e| {
            matches!(
                e,
                Event::Start(Tag::Emphasis | Tag::Link { .. } | Tag::Strikethrough)
            )
        });
        assert!(!markup, "{md}");
        // A long message in a table cell is cut before an open code span, never inside.
        assert_eq!(shorten("aaa `bbb ccc` ddd", 9), "aaa…");
        assert_eq!(shorten("short", 9), "short");
    }

    #[test]
    fn snippets_get_a_fence_longer_than_any_backtick_run_and_a_language() {
        let snippet = "print(\"```\")\n    if x:\n\n  ````pass";
        let f = Finding::new(&WEBHOOK, "x")
            .at("tools/gen.py", Span::line(1))
            .evidence(Evidence::at("tools/gen.py", 1, snippet, "the line"))
            .evidence(Evidence::at(".env.production", 2, "TOKEN=", "empty"));
        let md = render(&scan(vec![project("bot", ".", vec![f])]));
        assert!(md.contains("    `````python\n"), "{md}");
        assert_eq!(
            code_blocks(&md),
            vec![
                ("python".to_string(), format!("{snippet}\n")),
                ("dotenv".to_string(), "TOKEN=\n".to_string()),
            ]
        );
    }

    #[test]
    fn languages_come_from_file_names() {
        let cases = [
            (Some("Dockerfile"), "dockerfile"),
            (Some("deploy/api.Dockerfile"), "dockerfile"),
            (Some(".env"), "dotenv"),
            (Some("svc/.env.production"), "dotenv"),
            (Some("src/app.tsx"), "tsx"),
            (Some("src/a.mjs"), "javascript"),
            (Some("pyproject.toml"), "toml"),
            (Some(".github/workflows/ci.yml"), "yaml"),
            (Some("Procfile"), "text"),
            (None, "text"),
        ];
        for (path, expected) in cases {
            assert_eq!(language_tag(path), expected, "{path:?}");
        }
    }

    #[test]
    fn inline_code_picks_a_longer_fence_and_pads_backticks() {
        assert_eq!(code("plain", Ctx::Text), "`plain`");
        assert_eq!(code("a`b", Ctx::Text), "``a`b``");
        assert_eq!(code("`edge`", Ctx::Text), "`` `edge` ``");
        assert_eq!(code("a|b", Ctx::Cell), "`a\\|b`");
        assert_eq!(code("a|b", Ctx::Text), "`a|b`");
        let md = format!("x {} y\n", code("``` `` `", Ctx::Text));
        let codes: Vec<String> = parse(&md)
            .into_iter()
            .filter_map(|e| match e {
                Event::Code(c) => Some(c.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(codes, ["``` `` `"]);
    }

    #[test]
    fn claims_are_set_beside_the_measured_verdict() {
        let mut p = project(
            "bot",
            ".",
            vec![finding(&WEBHOOK, "src/webhook.js", 18, "Unsigned webhook")],
        );
        p.claims = vec![
            ReadinessClaim {
                file: "README.md".into(),
                line: 5,
                text: "**Status: Production ready ✅** | 95/100".into(),
            },
            ReadinessClaim {
                file: "docs/launch.md".into(),
                line: 1,
                text: "<b>ready</b> for launch".into(),
            },
        ];
        let md = render(&scan(vec![p]));
        assert_tables_are_rectangular(&md);
        assert!(html(&md).is_empty());
        let body = section(&md, "Claims vs evidence");
        let rows = table_rows(body);
        assert_eq!(rows[0], ["Claim in the docs", "Where", "Measured"]);
        assert_eq!(
            rows[1][..2],
            ["“**Status: Production ready ✅** | 95/100”", "README.md:5"]
        );
        let score = report_score(&md);
        assert_eq!(
            rows[1][2],
            format!(
                "🔴 RED (NOT PRODUCTION READY), {score}/100, 1 blocker · 0 high · 0 medium · 0 low"
            )
        );
        assert_eq!(
            rows[2][..2],
            ["“<b>ready</b> for launch”", "docs/launch.md:1"]
        );
        assert!(
            body.contains("The evidence contradicts these claims: 1 blocker stops the release.")
        );
        assert!(
            section(&md, "Summary")
                .contains("The docs claim readiness in 2 places, but the measured verdict is RED")
        );
    }

    #[test]
    fn suppressed_findings_are_listed_with_their_reason_and_not_counted() {
        let mut p = project("bot", ".", Vec::new());
        p.suppressed = vec![
            SuppressedFinding {
                rule: WEBHOOK.id,
                severity: Severity::Blocker,
                file: Some("src/webhook.js".into()),
                line: 12,
                message: "Unsigned | webhook".into(),
                fingerprint: "v1:0000000000000001".into(),
                suppressed_by: "src/webhook.js:11".into(),
                reason: "signed by the gateway in front of us".into(),
            },
            SuppressedFinding {
                rule: NO_TESTS.id,
                severity: Severity::High,
                file: None,
                line: 0,
                message: "No tests".into(),
                fingerprint: "v1:0000000000000002".into(),
                suppressed_by: "package.json:1".into(),
                reason: String::new(),
            },
        ];
        let md = render(&scan(vec![p]));
        assert_tables_are_rectangular(&md);
        let rows = table_rows(section(&md, "Suppressed"));
        assert_eq!(rows[0], ["Rule", "Location", "Message", "Reason"]);
        assert_eq!(
            rows[1],
            [
                "security/webhook-unverified (blocker)",
                "src/webhook.js:12, comment on line 11",
                "Unsigned | webhook",
                "signed by the gateway in front of us",
            ]
        );
        assert_eq!(rows[2][1], "project-wide, comment at package.json:1");
        assert_eq!(rows[2][3], "no reason given");
        // Not counted: the review is still GREEN with nothing to fix.
        assert!(md.contains("🟢 **GREEN** (READY)"));
        assert!(!md.contains("## Blockers") && !md.contains("## Fix plan"));
        let summary = blocks(section(&md, "Summary"));
        assert!(
            summary[0].contains(
                "2 findings silenced by flightcheck-ignore comments are not counted (see Suppressed)."
            ),
            "{summary:?}"
        );
    }

    #[test]
    fn the_baseline_says_what_is_new_and_lists_stale_entries() {
        let mut new = finding(&WEBHOOK, "src/webhook.js", 18, "Unsigned webhook");
        new.baseline_state = Some(BaselineState::New);
        let mut old = finding(&NO_ERROR_HANDLER, "src/bot.js", 3, "No error handler");
        old.baseline_state = Some(BaselineState::Unchanged);
        let mut report = scan(vec![project("bot", ".", vec![new, old])]);
        report.baseline = Some(BaselineStatus {
            file: "flightcheck-baseline.json".into(),
            unchanged: 1,
            new: 1,
            stale: vec![BaselineEntry {
                fingerprint: "v1:00000000000000aa".into(),
                rule: "integrity/unresolved-import".into(),
                file: "src/old.js".into(),
                message: "`./gone` resolves to no file".into(),
            }],
        });
        let md = render(&report);
        assert_tables_are_rectangular(&md);
        let body = blocks(section(&md, "Baseline"));
        assert!(body.contains(
            &"Compared with flightcheck-baseline.json: 1 new, 1 unchanged (findings already in the baseline do not fail the gate).".to_string()
        ), "{body:?}");
        let stale = table_rows(section(&md, "Baseline"));
        assert_eq!(
            stale[1],
            [
                "integrity/unresolved-import",
                "src/old.js",
                "./gone resolves to no file",
                "v1:00000000000000aa",
            ]
        );
        assert!(
            blocks(&md).contains(&"Baseline: new: not in the baseline.".to_string()),
            "{md}"
        );
        let other = table_rows(section(&md, "Other findings"));
        assert_eq!(other[0].last().map(String::as_str), Some("Baseline"));
        assert_eq!(other[1].last().map(String::as_str), Some("unchanged"));
        assert!(
            blocks(section(&md, "Summary"))[0]
                .contains("Against the baseline flightcheck-baseline.json: 1 new, 1 unchanged"),
            "{md}"
        );

        if let Some(baseline) = report.baseline.as_mut() {
            baseline.stale.clear();
        }
        assert!(render(&report).contains("No stale entries"));
    }

    #[test]
    fn the_fix_plan_is_a_checklist_of_ids_and_one_rule_with_one_fix_is_one_entry() {
        let same = |meta: &'static RuleMeta, file: &str, line: u32| {
            finding(meta, file, line, "m").verify("npm test")
        };
        let md = render(&scan(vec![project(
            "bot",
            ".",
            vec![
                same(&NO_TESTS, "a.js", 1),
                same(&NO_TESTS, "b.js", 2),
                same(&NO_ERROR_HANDLER, "c.js", 3),
                finding(&UNDOCUMENTED_ENV, "d.js", 4, "m"),
            ],
        )]));
        // Two `testing/no-tests` findings with one fix are one entry with both places.
        let high = section(&md, "High priority");
        assert_eq!(high.matches("### H").count(), 1, "{high}");
        assert!(
            high.contains("**Also at** (1 more, same fix): `b.js:2`"),
            "{high}"
        );
        assert!(high.contains("- **Verify:** `npm test`"), "{high}");
        let plan = section(&md, "Fix plan");
        assert_eq!(plan.matches("- [ ] ").count(), 3, "{plan}");
        assert!(plan.contains("**2. High priority** (5 h): H1\n"), "{plan}");
        assert!(
            plan.contains("**3. The rest** (25 min): M1, L1\n"),
            "{plan}"
        );
        assert!(plan.contains("`flightcheck scan repo --fail-on blocker` exits 0"));
        let boxes = parse(plan)
            .into_iter()
            .filter(|e| matches!(e, Event::TaskListMarker(false)))
            .count();
        assert_eq!(boxes, 3);
    }

    #[test]
    fn files_are_sorted_by_worst_severity_then_count() {
        let md = render(&scan(vec![project(
            "bot",
            ".",
            vec![
                finding(&UNDOCUMENTED_ENV, "a.js", 1, "m"),
                finding(&UNDOCUMENTED_ENV, "a.js", 2, "m"),
                finding(&NO_ERROR_HANDLER, "a.js", 3, "m"),
                finding(&NO_TESTS, "m.js", 1, "m"),
                finding(&NO_TESTS, "n.js", 1, "m"),
                finding(&NO_ERROR_HANDLER, "n.js", 2, "m"),
                finding(&WEBHOOK, "z.js", 1, "m"),
            ],
        )]));
        let rows = table_rows(section(&md, "Files to modify"));
        let order: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(order, ["z.js", "n.js", "m.js", "a.js"]);
        assert_eq!(rows[4], ["a.js", "M1, L1"]);
    }

    #[test]
    fn the_fix_plan_has_a_phase_per_severity_with_its_effort() {
        let md = render(&full_report());
        let plan = section(&md, "Fix plan");
        assert!(
            plan.contains("- [ ] **1. Blockers** (45 min): B1\n"),
            "{plan}"
        );
        assert!(plan.contains("- [ ] **2. High priority** (4 h): H1\n"));
        assert!(plan.contains("- [ ] **3. The rest** (25 min): M1, L1\n"));

        let only_low = render(&scan(vec![project(
            "bot",
            ".",
            vec![finding(&UNDOCUMENTED_ENV, "a.js", 1, "m")],
        )]));
        let plan = section(&only_low, "Fix plan");
        assert!(!plan.contains("Blockers") && plan.contains("L1"), "{plan}");
    }

    #[test]
    fn the_score_breakdown_shows_deductions_and_na_categories() {
        let md = render(&full_report());
        let rows = table_rows(section(&md, "Score"));
        assert_eq!(
            rows[0],
            [
                "Category",
                "Weight",
                "Score",
                "Weighted",
                "Deductions (entries −points)"
            ]
        );
        let security = rows
            .iter()
            .find(|r| r[0] == "security")
            .expect("security row");
        assert_eq!(security[..3], ["security", "15", "60"]);
        assert_eq!(security[4], "B1\u{a0}−40");
        let data = rows.iter().find(|r| r[0] == "data").expect("data row");
        assert_eq!(data[2..4], ["N/A", "N/A"]);
        let total = rows.last().expect("total row");
        assert_eq!(total[0], "Total");
        assert_eq!(total[1], "65");
        assert_eq!(total[3], format!("{}/100", full_report().score));
    }

    #[test]
    fn scan_notes_are_collapsed_in_details() {
        let mut report = scan(vec![project("bot", ".", Vec::new())]);
        report.notes = vec![
            Note::at("src/a.py", 3, "cannot decode <b>this</b>"),
            Note::file("public/app.min.js", "skipped: minified"),
            Note::general("no entry point found"),
            Note::general("- not a nested item"),
            Note::general("12. not a numbered item"),
            Note::general("> not a quote"),
        ];
        let md = render(&report);
        assert!(md.contains(
            "<details>\n<summary>6 notes: skipped or unreadable files, broken manifests, missing entry targets</summary>\n\n"
        ), "{md}");
        assert!(md.ends_with("</details>\n"));
        let raw = html(&md);
        assert_eq!(raw.len(), 3, "{raw:?}");
        assert!(
            raw.iter().all(|h| ["<details>", "<summary>", "</details>"]
                .iter()
                .any(|tag| h.starts_with(tag))),
            "{raw:?}"
        );
        let blocks = blocks(section(&md, "Scan notes"));
        assert_eq!(
            blocks,
            [
                "src/a.py:3: cannot decode <b>this</b>",
                "public/app.min.js: skipped: minified",
                "no entry point found",
                "- not a nested item",
                "12. not a numbered item",
                "> not a quote",
            ]
        );
    }

    #[test]
    fn odd_names_and_roots_stay_literal() {
        let mut report = scan(vec![
            project("*star* <b>", "a", Vec::new()),
            project("b_", "b", Vec::new()),
        ]);
        report.root = "my `odd` dir".into();
        let md = render(&report);
        assert!(
            md.starts_with("# Production-readiness review: ``my `odd` dir``\n"),
            "{md}"
        );
        assert!(html(&md).is_empty());
        let rows = table_rows(section(&md, "Summary"));
        assert_eq!(rows[1][0], "*star* <b>");
        assert_eq!(rows[2][0], "b_");
    }

    #[test]
    fn a_huge_scan_stays_within_a_github_comment_and_says_what_it_left_out() {
        let findings: Vec<Finding> = (0..3_000u32)
            .map(|i| {
                let meta = match i % 3 {
                    0 => &WEBHOOK,
                    1 => &NO_TESTS,
                    _ => &UNDOCUMENTED_ENV,
                };
                // A different fix each: no grouping, the worst case for length.
                finding(
                    meta,
                    &format!("src/f{i}.js"),
                    i + 1,
                    "x".repeat(120).as_str(),
                )
                .fix(format!("Fix number {i} of a long list of different fixes."))
            })
            .collect();
        let md = render(&scan(vec![project("bot", ".", findings)]));
        assert!(md.len() < GITHUB_COMMENT_LIMIT, "{} characters", md.len());
        assert!(md.contains("in one line each to keep this review within GitHub's comment limit"));
        assert!(md.contains("left out to keep this review within GitHub's comment limit"));
        assert_tables_are_rectangular(&md);
    }

    #[test]
    fn confidence_notes_open_the_review() {
        let mut report = scan(vec![project("bot", ".", Vec::new())]);
        report.projects[0]
            .warnings
            .push("most source files are unreachable".into());
        report.notes = vec![
            Note::file("src/rates.js", "skipped: binary content").lowering_confidence(),
            Note::general("an ordinary note"),
        ];
        let md = render(&report);
        let header = &md[..md.find("## Fix these first").expect("fix-first")];
        assert!(header.contains("**Lower confidence:**"), "{md}");
        assert!(header.contains("most source files are unreachable"));
        assert!(header.contains("src/rates.js: skipped: binary content"));
        assert!(!header.contains("an ordinary note"));
    }

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes(0), "0 min");
        assert_eq!(minutes(45), "45 min");
        assert_eq!(minutes(60), "1 h");
        assert_eq!(minutes(95), "1 h 35 min");
        assert_eq!(minutes(600), "10 h");
    }

    #[test]
    fn commands_are_told_from_prose() {
        assert!(looks_like_command("npm test"));
        assert!(looks_like_command(
            "node -e \"require('./src/webhook.js')\""
        ));
        assert!(looks_like_command("grep ADMIN_CHAT_ID .env.example"));
        assert!(!looks_like_command("Send /start and expect an answer."));
        assert!(!looks_like_command("restart the bot: it resumes the flow."));
        assert!(!looks_like_command("run `npm test`"));
    }
}
