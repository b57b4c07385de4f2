use crate::{Category, FixKind, RuleMeta, Severity};
use serde::Serialize;

/// A position range in a file; lines and columns are 1-based, columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    pub fn line(line: u32) -> Self {
        Self {
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        }
    }
}

/// One piece of evidence: a place in the repository and what is there, or, for absence
/// rules, what was searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The source line(s), already redacted when they could hold a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// What this piece of evidence shows, e.g. "searched 42 reachable files".
    pub note: String,
}

impl Evidence {
    pub fn at(file: &str, line: u32, snippet: impl Into<String>, note: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_string()),
            line: Some(line),
            snippet: Some(snippet.into()),
            note: note.into(),
        }
    }

    pub fn searched(note: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            snippet: None,
            note: note.into(),
        }
    }
}

/// A problem found by a rule, with everything a reviewer needs to act on it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub fix_kind: FixKind,
    pub title: String,
    pub message: String,
    /// Path relative to the scanned root, forward slashes. `None` for project-wide findings.
    pub file: Option<String>,
    #[serde(flatten)]
    pub span: Span,
    pub evidence: Vec<Evidence>,
    pub impact: String,
    pub fix: String,
    pub verify: String,
    pub effort_minutes: u32,
    /// Stable identity for baselines; see [`crate::fingerprint`].
    pub fingerprint: String,
    /// What runs the code the finding sits in (see [`crate::Role`]); `project` for
    /// findings about the project as a whole, `config` for deploy, env and manifest files.
    pub role: crate::Role,
    /// Against a `--baseline`: `new` or `unchanged` (unchanged findings do not fail the
    /// gate). Absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// Text the fingerprint is computed from (normalised by the fingerprinter); not rendered.
    #[serde(skip)]
    pub fingerprint_text: String,
    /// Source lines around the finding for code frames (source files only; env files never
    /// get frames, so values next to a finding cannot leak). Not part of the JSON schema.
    #[serde(skip)]
    pub frame: Option<Frame>,
}

/// How a finding compares with the baseline (the names are SARIF's `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Unchanged,
}

/// Lines of source for a code frame: `lines[0]` is line `first_line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub first_line: u32,
    pub lines: Vec<String>,
}

impl Finding {
    /// A finding with the rule's defaults; callers fill in the specifics.
    pub fn new(meta: &'static RuleMeta, message: impl Into<String>) -> Self {
        Self {
            rule: meta.id,
            severity: meta.severity,
            category: meta.category,
            fix_kind: meta.fix_kind,
            title: meta.summary.to_string(),
            message: message.into(),
            file: None,
            span: Span::default(),
            evidence: Vec::new(),
            impact: String::new(),
            fix: String::new(),
            verify: String::new(),
            effort_minutes: meta.effort_minutes,
            fingerprint: String::new(),
            role: crate::Role::Project,
            baseline_state: None,
            fingerprint_text: String::new(),
            frame: None,
        }
    }

    pub fn at(mut self, file: &str, span: Span) -> Self {
        self.file = Some(file.to_string());
        self.span = span;
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    pub fn impact(mut self, s: impl Into<String>) -> Self {
        self.impact = s.into();
        self
    }

    pub fn fix(mut self, s: impl Into<String>) -> Self {
        self.fix = s.into();
        self
    }

    pub fn verify(mut self, s: impl Into<String>) -> Self {
        self.verify = s.into();
        self
    }

    /// The text that identifies this finding among others of its rule in the same file
    /// (the matched code, the env key, the import specifier...).
    pub fn key(mut self, s: impl Into<String>) -> Self {
        self.fingerprint_text = s.into();
        self
    }
}

/// Something the scan wants the user to know that is not a finding: a skipped minified
/// bundle, an unreadable file, a broken manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    /// The scan could not judge something it should have (a source file not read, git
    /// history not read): every format shows these, even `--quiet` and annotations.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lowers_confidence: bool,
}

impl Note {
    /// Marks the note as one that lowers confidence in the verdict.
    pub fn lowering_confidence(mut self) -> Self {
        self.lowers_confidence = true;
        self
    }

    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_string()),
            line: None,
            message: message.into(),
            lowers_confidence: false,
        }
    }

    pub fn at(file: &str, line: u32, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_string()),
            line: Some(line),
            message: message.into(),
            lowers_confidence: false,
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            message: message.into(),
            lowers_confidence: false,
        }
    }
}
