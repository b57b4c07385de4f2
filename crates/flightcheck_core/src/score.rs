//! The readiness score: simple, deterministic, and shown in every report.
//!
//! * Each finding costs points in its category: blocker 40, high 20, medium 8, low 3.
//!   Within one rule the worst finding costs full price and every further one half price,
//!   and a rule never costs more than twice its worst finding (fifty copies of one mistake
//!   are one mistake to fix, not fifty).
//! * A category scores `max(0, 100 - cost)`.
//! * A category is applicable when at least one rule of it ran on this project; the others
//!   are N/A and leave the weighting (we do not give points for what we did not check).
//! * The project score is the weighted mean of applicable categories, rounded.
//! * Verdict: RED if any blocker; YELLOW if any high or the score is below 85; else GREEN.

use crate::{Category, Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

pub const YELLOW_BELOW: u32 = 85;

pub fn severity_cost(severity: Severity) -> u32 {
    match severity {
        Severity::Blocker => 40,
        Severity::High => 20,
        Severity::Medium => 8,
        Severity::Low => 3,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Green,
    Yellow,
    Red,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "GREEN",
            Self::Yellow => "YELLOW",
            Self::Red => "RED",
        }
    }

    pub fn headline(self) -> &'static str {
        match self {
            Self::Green => "READY",
            Self::Yellow => "READY WITH RISKS",
            Self::Red => "NOT PRODUCTION READY",
        }
    }
}

/// Points one rule took from its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deduction {
    pub rule: &'static str,
    pub findings: u32,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryScore {
    pub category: Category,
    pub weight: u32,
    /// `false`: no rule of this category applies to this stack (N/A).
    pub applicable: bool,
    /// 0..=100, or `None` when not applicable.
    pub score: Option<u32>,
    /// Contribution to the overall score, in points out of 100.
    pub weighted: Option<f64>,
    pub deductions: Vec<Deduction>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreCard {
    pub score: u32,
    pub verdict: Verdict,
    pub categories: Vec<CategoryScore>,
}

/// Scores findings given which categories had an applicable rule and their weights.
pub fn score(
    findings: &[Finding],
    applicable: &[Category],
    weights: &BTreeMap<Category, u32>,
) -> ScoreCard {
    let weight_of = |c: Category| {
        weights
            .get(&c)
            .copied()
            .unwrap_or_else(|| c.default_weight())
    };
    let total_weight: u32 = applicable.iter().map(|c| weight_of(*c)).sum();

    let mut categories = Vec::new();
    let mut weighted_sum = 0.0;
    for category in Category::ALL {
        let weight = weight_of(category);
        if !applicable.contains(&category) || total_weight == 0 {
            categories.push(CategoryScore {
                category,
                weight,
                applicable: false,
                score: None,
                weighted: None,
                deductions: Vec::new(),
            });
            continue;
        }
        let mut by_rule: BTreeMap<&'static str, Vec<Severity>> = BTreeMap::new();
        for f in findings.iter().filter(|f| f.category == category) {
            by_rule.entry(f.rule).or_default().push(f.severity);
        }
        let mut deductions = Vec::new();
        let mut cost = 0;
        for (rule, mut severities) in by_rule {
            severities.sort_by(|a, b| b.cmp(a));
            let worst = severity_cost(severities[0]);
            let rest: u32 = severities[1..].iter().map(|s| severity_cost(*s) / 2).sum();
            let points = (worst + rest).min(worst * 2);
            cost += points;
            deductions.push(Deduction {
                rule,
                findings: severities.len() as u32,
                points,
            });
        }
        let category_score = 100u32.saturating_sub(cost);
        let weighted = f64::from(weight) * f64::from(category_score) / f64::from(total_weight);
        weighted_sum += weighted;
        categories.push(CategoryScore {
            category,
            weight,
            applicable: true,
            score: Some(category_score),
            weighted: Some((weighted * 10.0).round() / 10.0),
            deductions,
        });
    }
    let score = if total_weight == 0 {
        100
    } else {
        weighted_sum.round() as u32
    };
    ScoreCard {
        score,
        verdict: verdict(findings, score),
        categories,
    }
}

pub fn verdict(findings: &[Finding], score: u32) -> Verdict {
    let worst = findings.iter().map(|f| f.severity).max();
    match worst {
        Some(Severity::Blocker) => Verdict::Red,
        Some(Severity::High) => Verdict::Yellow,
        _ if score < YELLOW_BELOW => Verdict::Yellow,
        _ => Verdict::Green,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixKind, RuleMeta, WhenUnreachable};

    static BLOCKER: RuleMeta = RuleMeta {
        id: "integrity/parse-error",
        severity: Severity::Blocker,
        category: Category::Integrity,
        fix_kind: FixKind::Code,
        summary: "",
        docs: "",
        when_unreachable: WhenUnreachable::Keep,
        effort_minutes: 5,
    };
    static MEDIUM: RuleMeta = RuleMeta {
        id: "config/empty-secret",
        severity: Severity::Medium,
        category: Category::Config,
        fix_kind: FixKind::Config,
        summary: "",
        docs: "",
        when_unreachable: WhenUnreachable::Keep,
        effort_minutes: 5,
    };

    #[test]
    fn na_categories_leave_the_weighting() {
        let card = score(
            &[],
            &[Category::Integrity, Category::Config],
            &BTreeMap::new(),
        );
        assert_eq!(card.score, 100);
        assert_eq!(card.verdict, Verdict::Green);
        let na = card.categories.iter().filter(|c| !c.applicable).count();
        assert_eq!(na, 8);
    }

    #[test]
    fn repeated_findings_cost_half_and_are_capped() {
        let f = |m: &'static RuleMeta| Finding::new(m, "x");
        let findings = vec![f(&BLOCKER), f(&BLOCKER), f(&BLOCKER), f(&MEDIUM)];
        let card = score(
            &findings,
            &[Category::Integrity, Category::Config],
            &BTreeMap::new(),
        );
        let integrity = &card.categories[4];
        assert_eq!(integrity.category, Category::Integrity);
        // 40 + 20 + 20 = 80, capped at 80.
        assert_eq!(integrity.score, Some(20));
        let config = card
            .categories
            .iter()
            .find(|c| c.category == Category::Config)
            .unwrap();
        assert_eq!(config.score, Some(92));
        // (10 * 20 + 5 * 92) / 15 = 44
        assert_eq!(card.score, 44);
        assert_eq!(card.verdict, Verdict::Red);
    }

    #[test]
    fn low_score_without_high_is_yellow() {
        let f = Finding::new(&MEDIUM, "x");
        assert_eq!(verdict(&[f], 80), Verdict::Yellow);
        assert_eq!(verdict(&[], 90), Verdict::Green);
    }
}
