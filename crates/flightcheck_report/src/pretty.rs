//! Terminal output: findings grouped by severity with code frames, then per project the
//! category table, score and verdict.

use crate::RenderOptions;
use flightcheck_core::triage;
use flightcheck_core::{BaselineState, Finding, ProjectReport, ScanReport, Severity, Verdict};
use owo_colors::{OwoColorize, Style};
use std::fmt::Write;

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<7}", s.as_str().to_ascii_uppercase());
        let style = match s {
            Severity::Blocker => Style::new().bold().white().on_red(),
            Severity::High => Style::new().bold().red(),
            Severity::Medium => Style::new().bold().yellow(),
            Severity::Low => Style::new().bold().cyan(),
        };
        self.paint(&label, style)
    }

    fn verdict(&self, v: Verdict) -> String {
        let style = match v {
            Verdict::Red => Style::new().bold().white().on_red(),
            Verdict::Yellow => Style::new().bold().black().on_yellow(),
            Verdict::Green => Style::new().bold().black().on_green(),
        };
        self.paint(&format!(" {} ", v.as_str()), style)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(text, Style::new().dimmed())
    }

    fn bold(&self, text: &str) -> String {
        self.paint(text, Style::new().bold())
    }

    fn accent(&self, text: &str) -> String {
        self.paint(text, Style::new().blue().bold())
    }
}

/// What lowers confidence in the verdict (reachability fallbacks, unread files, history
/// not read), at the top: a reader must see it before trusting a finding.
fn write_warnings(out: &mut String, p: &Painter, report: &ScanReport) {
    let notes = report.confidence_notes();
    for w in &notes {
        let _ = writeln!(out, "{} {w}", p.bold("warning:"));
    }
    if !notes.is_empty() {
        out.push('\n');
    }
}

/// "Fix these first": up to five entries in triage order, each what breaks and for whom
/// (the rule's impact), where, and how long the fix takes, wrapped for an 80-column screen.
fn write_fix_first(out: &mut String, p: &Painter, report: &ScanReport) {
    let first = triage::fix_first(report);
    if first.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", p.bold("Fix these first"));
    let many = report.projects.len() > 1;
    for (k, group) in first.iter().enumerate() {
        let f = group.lead();
        let what = if f.impact.trim().is_empty() {
            &f.message
        } else {
            &f.impact
        };
        let label = format!("{}.", k + 1);
        let lines = wrap(what, 64);
        for (n, line) in lines.iter().enumerate() {
            if n == 0 {
                let _ = writeln!(out, "  {label:<3} {} {line}", p.severity(f.severity));
            } else {
                let _ = writeln!(out, "              {line}");
            }
        }
        let mut place = match &f.file {
            Some(file) => format!("{file}:{}", f.span.line),
            None => group.project.path.clone(),
        };
        if many {
            place = format!("[{}] {place}", group.project.name);
        }
        if group.len() > 1 {
            place.push_str(&format!(" and {} more", group.len() - 1));
        }
        let _ = writeln!(
            out,
            "              {}",
            p.dim(&format!(
                "{place} · {}",
                triage::effort_phrase(group.effort_minutes())
            ))
        );
    }
    out.push('\n');
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The last line of every text report: verdict, score and counts.
fn write_verdict(out: &mut String, p: &Painter, report: &ScanReport) {
    let c = &report.counts;
    let _ = writeln!(
        out,
        "{} {} · score {}/100 · {} blocker, {} high, {} medium, {} low",
        p.verdict(report.verdict),
        p.bold(report.verdict.headline()),
        report.score,
        c.blocker,
        c.high,
        c.medium,
        c.low
    );
}

fn write_header(out: &mut String, p: &Painter, report: &ScanReport) {
    let files: u32 = report.projects.iter().map(|p| p.files.source).sum();
    let reachable: u32 = report.projects.iter().map(|p| p.files.reachable).sum();
    let _ = writeln!(
        out,
        "{} {} · {} · {} project{} · {files} source file{} ({reachable} reachable) · {} rule{}\n",
        p.bold("flightcheck"),
        report.tool.version,
        report.root,
        report.projects.len(),
        if report.projects.len() == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        report.rules.len(),
        if report.rules.len() == 1 { "" } else { "s" },
    );
}

/// `--summary`: verdict, score, counts, the fix-first list and what lowers confidence.
fn render_summary(report: &ScanReport, p: &Painter) -> String {
    let mut out = String::new();
    write_header(&mut out, p, report);
    write_warnings(&mut out, p, report);
    write_fix_first(&mut out, p, report);
    if report.projects.len() > 1 {
        write_rollup(&mut out, p, report);
    }
    write_verdict(&mut out, p, report);
    out
}

/// The other places of a group (same rule, same fix): one line, not one frame each.
fn write_also_at(out: &mut String, p: &Painter, group: &triage::Group) {
    if group.len() < 2 {
        return;
    }
    let places: Vec<String> = group
        .findings
        .iter()
        .skip(1)
        .take(8)
        .map(|f| match &f.file {
            Some(file) => format!("{file}:{}", f.span.line),
            None => group.project.path.clone(),
        })
        .collect();
    let more = group.len().saturating_sub(9);
    let _ = writeln!(
        out,
        "  {} {}{}\n",
        p.bold(&format!(
            "and {} more place{} (same fix):",
            group.len() - 1,
            if group.len() == 2 { "" } else { "s" }
        )),
        places.join(", "),
        if more > 0 {
            format!(", … {more} more (see --format json)")
        } else {
            String::new()
        }
    );
}

/// `--statistics`: findings per rule, most first, like ruff's `--statistics`.
fn render_statistics(report: &ScanReport, p: &Painter) -> String {
    let mut out = String::new();
    let mut rows: std::collections::BTreeMap<&str, (usize, Severity, &str)> = Default::default();
    for (_, f) in report.all_findings() {
        let row = rows.entry(f.rule).or_insert((0, f.severity, &f.title));
        row.0 += 1;
        row.1 = row.1.max(f.severity);
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
    for (rule, (count, worst, title)) in &rows {
        let _ = writeln!(
            out,
            "{count:>5}  {}  {rule:<width$}  {}",
            p.severity(*worst),
            p.dim(title)
        );
    }
    if !rows.is_empty() {
        out.push('\n');
    }
    write_verdict(&mut out, p, report);
    out
}

pub fn render(report: &ScanReport, options: RenderOptions) -> String {
    let p = Painter {
        color: options.color,
    };
    match options.mode {
        crate::TextMode::Summary => return render_summary(report, &p),
        crate::TextMode::Statistics => return render_statistics(report, &p),
        crate::TextMode::Full => {}
    }
    let mut out = String::new();
    let many = report.projects.len() > 1;
    if !options.quiet {
        write_header(&mut out, &p, report);
    }
    write_warnings(&mut out, &p, report);
    write_fix_first(&mut out, &p, report);
    if options.quiet {
        write_verdict(&mut out, &p, report);
        return out;
    }
    write_verdict(&mut out, &p, report);
    out.push('\n');
    for project in &report.projects {
        write_stack(&mut out, &p, project);
    }
    let groups = triage::all_groups(report);
    for severity in Severity::ALL_DESC {
        let of: Vec<&triage::Group> = groups.iter().filter(|g| g.severity() == severity).collect();
        if of.is_empty() {
            continue;
        }
        let count: usize = of.iter().map(|g| g.len()).sum();
        let _ = writeln!(
            out,
            "{}",
            p.bold(&format!(
                "── {} ({count}) ──",
                severity.as_str().to_ascii_uppercase(),
            ))
        );
        for group in of {
            write_finding(&mut out, &p, group.project, group.lead(), many);
            write_also_at(&mut out, &p, group);
        }
    }
    let shown: usize = report.projects.iter().map(|p| p.findings.len()).sum();
    let hidden = (report.counts.total() as usize).saturating_sub(shown);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{}\n",
            p.dim(&format!(
                "{hidden} finding{} below {} not shown (--show); the score and the gate count them",
                if hidden == 1 { "" } else { "s" },
                options.show.as_str()
            ))
        );
    }
    {
        for project in &report.projects {
            write_scores(&mut out, &p, project, many);
        }
        if many {
            write_rollup(&mut out, &p, report);
        }
        if !report.notes.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                p.bold(&format!("Notes ({})", report.notes.len()))
            );
            for note in report.notes.iter().take(12) {
                match (&note.file, note.line) {
                    (Some(f), Some(line)) => {
                        let _ =
                            writeln!(out, "  {} {}", p.dim(&format!("{f}:{line}:")), note.message);
                    }
                    (Some(f), None) => {
                        let _ = writeln!(out, "  {} {}", p.dim(&format!("{f}:")), note.message);
                    }
                    (None, _) => {
                        let _ = writeln!(out, "  {}", note.message);
                    }
                }
            }
            write_more(
                &mut out,
                &p,
                report.notes.len(),
                12,
                "notes (see --format json)",
            );
            out.push('\n');
        }
    }
    write_suppressed(&mut out, &p, report);
    write_silenced(&mut out, &p, report);
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "baseline {}: {} new, {} unchanged (not gated), {} stale (fixed, or moved to another file)",
            b.file,
            b.new,
            b.unchanged,
            b.stale.len()
        );
        {
            for e in b.stale.iter().take(8) {
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    p.dim("stale:"),
                    e.rule,
                    p.dim(&if e.file.is_empty() {
                        e.message.clone()
                    } else {
                        format!("{}: {}", e.file, e.message)
                    })
                );
            }
            write_more(&mut out, &p, b.stale.len(), 8, "stale entries");
        }
        out.push('\n');
    }
    write_verdict(&mut out, &p, report);
    out
}

/// Monorepos: one line per project, then the overall verdict and score (the worst).
fn write_rollup(out: &mut String, p: &Painter, report: &ScanReport) {
    let _ = writeln!(out, "{}", p.bold("Projects"));
    let width = report
        .projects
        .iter()
        .map(|pr| pr.path.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    for project in &report.projects {
        let c = &project.counts;
        let _ = writeln!(
            out,
            "  {:<width$} {}{} {:>3}/100  {} blocker, {} high, {} medium, {} low  {}",
            project.path,
            p.verdict(project.verdict),
            " ".repeat(6 - project.verdict.as_str().len().min(6)),
            project.score.score,
            c.blocker,
            c.high,
            c.medium,
            c.low,
            p.dim(&format!("{} lines", project.files.lines)),
        );
    }
    let _ = writeln!(
        out,
        "  {:<width$} {}{} {:>3}/100  {}\n",
        "overall",
        p.verdict(report.verdict),
        " ".repeat(6 - report.verdict.as_str().len().min(6)),
        report.score,
        p.dim("(the worst project's verdict and the lowest score)")
    );
}

/// Findings silenced by `flightcheck-ignore`, with the reason given: an audit trail.
fn write_suppressed(out: &mut String, p: &Painter, report: &ScanReport) {
    let suppressed: Vec<_> = report
        .projects
        .iter()
        .flat_map(|project| project.suppressed.iter())
        .collect();
    if suppressed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!("Suppressed ({})", suppressed.len()))
    );
    for s in suppressed.iter().take(12) {
        let place = s.place();
        let reason = s.stated_reason();
        let _ = writeln!(
            out,
            "  {} {} {}",
            p.dim(&place),
            s.rule,
            p.dim(&format!("— {reason} (by {})", s.suppressed_by))
        );
    }
    write_more(out, p, suppressed.len(), 12, "suppressed findings");
    out.push('\n');
}

/// One line saying how many findings the role policy left out, by role: nothing is
/// dropped without a trace.
fn write_silenced(out: &mut String, p: &Painter, report: &ScanReport) {
    let mut by_role: std::collections::BTreeMap<&str, usize> = Default::default();
    for s in report
        .projects
        .iter()
        .flat_map(|p| p.silenced_by_role.iter())
    {
        *by_role.entry(s.role.as_str()).or_default() += 1;
    }
    if by_role.is_empty() {
        return;
    }
    let total: usize = by_role.values().sum();
    let parts: Vec<String> = by_role
        .iter()
        .map(|(r, n)| format!("{n} in {r} code"))
        .collect();
    let _ = writeln!(
        out,
        "{} {total} finding{} not reported because of the role of the code ({}): tests, static assets and archived code raise only secrets, and scripts are not judged as services. JSON lists them under `silenced_by_role`.\n",
        p.bold("Left out by role:"),
        if total == 1 { "" } else { "s" },
        parts.join(", ")
    );
}

/// `… N more THINGS` when `total` items were cut to `shown`.
fn write_more(out: &mut String, p: &Painter, total: usize, shown: usize, things: &str) {
    if total > shown {
        let _ = writeln!(
            out,
            "  {}",
            p.dim(&format!("… {} more {things}", total - shown))
        );
    }
}

fn write_stack(out: &mut String, p: &Painter, project: &ProjectReport) {
    let langs: Vec<&str> = project.languages.iter().map(|l| l.as_str()).collect();
    let fws: Vec<&str> = project.frameworks.iter().map(|f| f.as_str()).collect();
    let _ = writeln!(
        out,
        "{} {} {}",
        p.accent("▸"),
        p.bold(&project.name),
        p.dim(&format!(
            "({}) · {} · {}",
            project.path,
            if langs.is_empty() {
                "no source".into()
            } else {
                langs.join(", ")
            },
            if fws.is_empty() {
                "no known framework".into()
            } else {
                fws.join(", ")
            }
        ))
    );
    if project.entry_points.is_empty() {
        let _ = writeln!(
            out,
            "  entry points: {}",
            p.dim("none found: every non-test file counts as reachable")
        );
    } else {
        for e in project.entry_points.iter().take(6) {
            let _ = writeln!(
                out,
                "  entry: {} {}",
                e.file,
                p.dim(&format!("← {}", e.source))
            );
        }
        write_more(out, p, project.entry_points.len(), 6, "entry points");
    }
    out.push('\n');
}

fn write_finding(out: &mut String, p: &Painter, project: &ProjectReport, f: &Finding, many: bool) {
    let scope = if many {
        format!(" [{}]", project.name)
    } else {
        String::new()
    };
    let in_baseline = if f.baseline_state == Some(BaselineState::Unchanged) {
        p.dim(" (in baseline: not gated)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {}{} {}{in_baseline}",
        p.severity(f.severity),
        p.accent(f.rule),
        p.dim(&scope),
        f.message
    );
    if let Some(file) = &f.file {
        let _ = writeln!(
            out,
            "  {} {}:{}:{}",
            p.dim("-->"),
            file,
            f.span.line,
            f.span.column
        );
    }
    if let Some(frame) = &f.frame {
        let width = (frame.first_line as usize + frame.lines.len())
            .to_string()
            .len();
        for (k, line) in frame.lines.iter().enumerate() {
            let n = frame.first_line + k as u32;
            let _ = writeln!(
                out,
                "  {} {} {}",
                p.dim(&format!("{n:>width$}")),
                p.dim("│"),
                line
            );
            if n == f.span.line {
                let start = f.span.column.max(1) as usize - 1;
                let line_chars = line.chars().count();
                let end = if f.span.end_line == f.span.line {
                    (f.span.end_column as usize).saturating_sub(1)
                } else {
                    line_chars
                };
                let len = end
                    .saturating_sub(start)
                    .clamp(1, line_chars.saturating_sub(start).max(1));
                let marker = format!("{}{}", " ".repeat(start), "^".repeat(len));
                let style = match f.severity {
                    Severity::Blocker | Severity::High => Style::new().red().bold(),
                    Severity::Medium => Style::new().yellow().bold(),
                    Severity::Low => Style::new().cyan().bold(),
                };
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    " ".repeat(width),
                    p.dim("│"),
                    p.paint(&marker, style)
                );
            }
        }
    } else {
        for e in f.evidence.iter().filter(|e| e.snippet.is_some()).take(1) {
            if let (Some(line), Some(snippet)) = (e.line, &e.snippet) {
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    p.dim(&line.to_string()),
                    p.dim("│"),
                    snippet
                );
            }
        }
    }
    let skip_first = f.frame.is_some() || f.evidence.first().is_some_and(|e| e.snippet.is_some());
    for e in f.evidence.iter().skip(usize::from(skip_first)).take(5) {
        let place = match (&e.file, e.line) {
            (Some(file), Some(line)) => format!("{file}:{line}: "),
            _ => String::new(),
        };
        let detail = match &e.snippet {
            Some(s) => format!("{} {}", e.note, p.dim(&format!("`{s}`"))),
            None => e.note.clone(),
        };
        let _ = writeln!(out, "  {} {}{}", p.dim("="), p.dim(&place), detail);
    }
    if !f.fix.is_empty() {
        let _ = writeln!(out, "  {} {}", p.bold("fix:"), f.fix);
    }
    if !f.verify.is_empty() {
        let _ = writeln!(out, "  {} {}", p.bold("verify:"), f.verify);
    }
    out.push('\n');
}

fn write_scores(out: &mut String, p: &Painter, project: &ProjectReport, many: bool) {
    let title = if many {
        format!("Score · {} ({})", project.name, project.path)
    } else {
        "Score".to_string()
    };
    let _ = writeln!(out, "{}", p.bold(&title));
    let _ = writeln!(
        out,
        "  {:<14} {:>6} {:>6} {:>8}  deductions",
        "category", "weight", "score", "weighted"
    );
    for c in &project.score.categories {
        let name = c.category.as_str();
        match (c.score, c.weighted) {
            (Some(score), Some(weighted)) => {
                let deductions: Vec<String> = c
                    .deductions
                    .iter()
                    .map(|d| format!("-{} {} ×{}", d.points, d.rule, d.findings))
                    .collect();
                let _ = writeln!(
                    out,
                    "  {:<14} {:>6} {:>6} {:>8.1}  {}",
                    name,
                    c.weight,
                    score,
                    weighted,
                    p.dim(&deductions.join(", "))
                );
            }
            _ => {
                let _ = writeln!(out, "  {}", p.dim(&format!("{:<14} {:>6} {:>6} {:>8}  not assessed (no rule applies to this stack yet)", name, c.weight, "n/a", "-")));
            }
        }
    }
    let _ = writeln!(
        out,
        "  {} {}/100 {}\n",
        p.verdict(project.score.verdict),
        project.score.score,
        p.bold(project.score.verdict.headline())
    );
}
