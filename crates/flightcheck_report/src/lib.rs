//! Renderers. They read a [`ScanReport`] and never the source tree.

mod github;
mod json;
mod junit;
mod location;
mod pretty;
mod sarif;

use flightcheck_core::ScanReport;

/// Output formats this build can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML: a test case per rule per project.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    pub const NAMES: [&'static str; 5] = ["pretty", "json", "sarif", "junit", "github"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pretty" => Some(Self::Pretty),
            "json" => Some(Self::Json),
            "sarif" => Some(Self::Sarif),
            "junit" => Some(Self::Junit),
            "github" => Some(Self::Github),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours (only for a terminal that allows them).
    pub color: bool,
    /// Findings and the verdict line only.
    pub quiet: bool,
}

pub fn render(format: Format, report: &ScanReport, options: RenderOptions) -> String {
    match format {
        Format::Pretty => pretty::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
    }
}
