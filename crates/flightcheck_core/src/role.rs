//! What runs a piece of code, and the one severity policy that follows from it.
//!
//! A finding's severity is a promise about production: a blocker says "this breaks the
//! deployed service". Whether that promise can be made depends on what runs the code, so
//! the pipeline gives every file a [`Role`] (from the entry points that reach it and from
//! where it sits), and [`Role::ceiling`] decides, for every rule at once, how far a finding
//! in that file may go. Rules never re-decide this themselves.

use crate::{Category, RuleMeta, Severity};
use serde::Serialize;

/// The role of the code a finding sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reached through imports from an entry point a deploy definition (or the only launch
    /// the project has) starts: code of the long-running service.
    Service,
    /// Reachability is unknown here (an opaque loader, or no entry point found): the file
    /// may run in the service, or may be dead.
    PossiblyRunning,
    /// Reached only from one-shot programs: `scripts/`, `bin/`, `tools/`, `verify_*.py`,
    /// `__main__` modules no deploy definition runs, npm `bin` commands.
    Script,
    /// Tests and test helpers.
    Test,
    /// Build and tool configuration (`webpack.config.js`, `setup.py`, `gulpfile.js`) that
    /// no service code imports.
    BuildConfig,
    /// Files served to browsers or vendored (`public/`, `static/`, `vendor/`) that no
    /// service code imports.
    StaticAsset,
    /// Kept for reference (`Archived/`, `old/`, `legacy/`, `*.backup.*`, `*.old.*`) and not
    /// imported by service code.
    Archived,
    /// A project generator's template (`{{cookiecutter.project_slug}}/…`): text a tool fills
    /// in before anything runs, often not valid code until then.
    Template,
    /// A source file no entry point reaches.
    Unreachable,
    /// Not code: a deploy, env, CI or manifest file.
    Config,
    /// A finding about the project as a whole.
    #[default]
    Project,
}

/// What the policy does with a finding of one rule in code of one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceiling {
    /// The rule's own severity stands.
    Keep,
    /// At most this severity, with the reason appended to the message.
    Cap(Severity, &'static str),
    /// Not reported.
    Drop,
}

/// Rules whose harm is a concern of every role that ships code: a live credential is
/// leaked wherever it is committed.
const EVERYWHERE: [&str; 1] = ["security/hardcoded-secret"];

/// `rule` reports harm wherever the code sits, whether or not anything runs it.
pub fn applies_everywhere(rule: &RuleMeta) -> bool {
    EVERYWHERE.contains(&rule.id)
}

/// `rule` reports a failure of the whole module, where it is imported, whichever function
/// holds the offending line (a file that does not parse): whether that function is ever
/// called does not matter.
pub fn fails_at_import(rule: &RuleMeta) -> bool {
    rule.id == "integrity/parse-error"
}

/// A finding of `rule` in code of `role` means the scan could not judge code the service
/// may run (a source file it could not read): the gate fails on it at any `--fail-on`
/// threshold but `never`, so such code can never pass CI. A hand-run script's unread
/// module stays an ordinary (low) finding.
pub fn fails_closed(rule: &str, role: Role) -> bool {
    rule == "integrity/unreadable-source" && matches!(role, Role::Service | Role::PossiblyRunning)
}

/// `rule` reports an `ImportError`: a `try` around the import that loads the module
/// catches it, so the failure turns a feature off instead of stopping the service.
pub fn raises_import_error(rule: &RuleMeta) -> bool {
    matches!(
        rule.id,
        "integrity/missing-export" | "integrity/unresolved-import"
    )
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::PossiblyRunning => "possibly-running",
            Self::Script => "script",
            Self::Test => "test",
            Self::BuildConfig => "build-config",
            Self::StaticAsset => "static-asset",
            Self::Archived => "archived",
            Self::Template => "template",
            Self::Unreachable => "unreachable",
            Self::Config => "config",
            Self::Project => "project",
        }
    }

    /// How far a finding of `rule` may go in code of this role. Unreachable code keeps the
    /// rule's own `when_unreachable` policy, which the pipeline applies.
    pub fn ceiling(self, rule: &RuleMeta) -> Ceiling {
        if applies_everywhere(rule) {
            return Ceiling::Keep;
        }
        match self {
            Self::Service | Self::Unreachable | Self::Config | Self::Project => Ceiling::Keep,
            Self::PossiblyRunning => Ceiling::Cap(
                Severity::Medium,
                "possibly running: no resolved path from a service entry point reaches this file, so this is at most medium",
            ),
            Self::Script | Self::BuildConfig => {
                // A one-shot program has no users waiting on it, no concurrency and no
                // uptime: what it can get wrong is that it does not run or leaks data.
                if matches!(
                    rule.category,
                    Category::Integrity | Category::Security | Category::Data | Category::Config
                ) {
                    Ceiling::Cap(
                        Severity::Low,
                        "only a one-shot script or build tool runs this file, not the deployed service",
                    )
                } else {
                    Ceiling::Drop
                }
            }
            Self::Test | Self::StaticAsset | Self::Archived | Self::Template => Ceiling::Drop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixKind, WhenUnreachable};

    fn meta(id: &'static str, category: Category) -> RuleMeta {
        RuleMeta {
            id,
            severity: Severity::Blocker,
            category,
            fix_kind: FixKind::Code,
            summary: "",
            docs: "",
            when_unreachable: WhenUnreachable::Keep,
            effort_minutes: 5,
        }
    }

    #[test]
    fn service_code_keeps_its_severity_and_scripts_never_block() {
        let import = meta("integrity/unresolved-import", Category::Integrity);
        let blocking = meta("perf/blocking-io-in-async", Category::Performance);
        assert_eq!(Role::Service.ceiling(&import), Ceiling::Keep);
        assert!(matches!(
            Role::Script.ceiling(&import),
            Ceiling::Cap(Severity::Low, _)
        ));
        assert_eq!(Role::Script.ceiling(&blocking), Ceiling::Drop);
        assert!(matches!(
            Role::PossiblyRunning.ceiling(&import),
            Ceiling::Cap(Severity::Medium, _)
        ));
        assert_eq!(Role::Archived.ceiling(&import), Ceiling::Drop);
        assert_eq!(Role::StaticAsset.ceiling(&import), Ceiling::Drop);
        assert_eq!(Role::Test.ceiling(&import), Ceiling::Drop);
    }

    #[test]
    fn secrets_count_wherever_they_are_committed() {
        let secret = meta("security/hardcoded-secret", Category::Security);
        for role in [Role::Archived, Role::Test, Role::StaticAsset, Role::Script] {
            assert_eq!(role.ceiling(&secret), Ceiling::Keep);
        }
    }
}
