use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is. Ordered: `Low < Medium < High < Blocker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Blocker,
}

impl Severity {
    pub const ALL_DESC: [Severity; 4] = [Self::Blocker, Self::High, Self::Medium, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Blocker => "blocker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "blocker" => Some(Self::Blocker),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scoring category of a rule (PRODUCT.md "Scoring").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Availability,
    Resilience,
    Security,
    Data,
    Integrity,
    Testing,
    Observability,
    Performance,
    Config,
    Docs,
}

impl Category {
    /// Every category in report order.
    pub const ALL: [Category; 10] = [
        Self::Availability,
        Self::Resilience,
        Self::Security,
        Self::Data,
        Self::Integrity,
        Self::Testing,
        Self::Observability,
        Self::Performance,
        Self::Config,
        Self::Docs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Availability => "availability",
            Self::Resilience => "resilience",
            Self::Security => "security",
            Self::Data => "data",
            Self::Integrity => "integrity",
            Self::Testing => "testing",
            Self::Observability => "observability",
            Self::Performance => "performance",
            Self::Config => "config",
            Self::Docs => "docs",
        }
    }

    /// Default weight out of 100 (PRODUCT.md).
    pub fn default_weight(self) -> u32 {
        match self {
            Self::Availability | Self::Resilience | Self::Security => 15,
            Self::Data | Self::Integrity | Self::Testing | Self::Observability => 10,
            Self::Performance | Self::Config | Self::Docs => 5,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the fix goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    Code,
    Config,
    Ops,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Config => "config",
            Self::Ops => "ops",
        }
    }
}

/// Source language of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    JavaScript,
    TypeScript,
    Python,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JavaScript => "javascript",
            Self::TypeScript => "typescript",
            Self::Python => "python",
        }
    }
}
