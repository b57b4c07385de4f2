//! The one place that lists every rule.

use crate::context::ProjectContext;
use crate::rules;
use flightcheck_core::{Category, Finding, RuleMeta, ScoreCard};
use flightcheck_js::JsFileRule;
use flightcheck_python::PyFileRule;
use std::collections::{BTreeMap, BTreeSet};

/// A rule: metadata, whether it applies to this project's stack (which makes its category
/// count in the score), and its checks. A rule checks the project's facts (`check`), the
/// syntax of each file during the one AST walk (`js`, `python`), or both; or it judges what
/// the other rules found (`after`).
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub applies: fn(&ProjectContext) -> bool,
    pub check: Option<fn(&ProjectContext) -> Vec<Finding>>,
    pub js: Option<&'static dyn JsFileRule>,
    pub python: Option<&'static dyn PyFileRule>,
    /// Runs once every other rule of the project ran and the project's config and inline
    /// suppressions were applied to their findings (e.g. a readiness claim beside the
    /// measured verdict). Its own findings then go through config and suppressions too.
    pub after: Option<fn(&ProjectContext, &Measured) -> Vec<Finding>>,
    /// Judges each finding of the per-file checks with what only the project shows (a
    /// CORS setting matters only if the app uses browser credentials at all); `false`
    /// drops the finding (another module of the project overrides the setting).
    pub refine: Option<fn(&ProjectContext, &mut Finding) -> bool>,
    /// Impact, fix and verify texts for findings of the per-file checks.
    pub file_texts: FileTexts,
}

/// What the other rules found on a project, for the `after` rules.
pub struct Measured<'a> {
    /// Findings of every other rule that ran, after config and inline suppressions.
    pub findings: &'a [Finding],
    /// Ids of every rule that ran on the project (including the `after` rules).
    pub ran: &'a BTreeSet<&'static str>,
    /// Categories with an applicable rule, and the project's category weights.
    pub applicable: &'a [Category],
    pub weights: &'a BTreeMap<Category, u32>,
}

impl Measured<'_> {
    /// The project's score card with `extra` findings added to the measured ones: what the
    /// report will show once the `after` rule's own findings are in.
    pub fn score_with(&self, extra: &[Finding]) -> ScoreCard {
        let all: Vec<Finding> = self.findings.iter().chain(extra).cloned().collect();
        flightcheck_core::score::score(&all, self.applicable, self.weights)
    }
}

/// The explanation attached to every finding a per-file check reports.
pub struct FileTexts {
    pub impact: &'static str,
    pub fix: &'static str,
    pub verify: &'static str,
}

impl FileTexts {
    pub const NONE: FileTexts = FileTexts {
        impact: "",
        fix: "",
        verify: "",
    };
}

/// Every implemented rule, in catalog order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: [&Rule; 82] = [
        &rules::bot::start_handler_missing::RULE,
        &rules::bot::command_menu_missing::RULE,
        &rules::bot::command_menu_drift::RULE,
        &rules::bot::duplicate_command_handler::RULE,
        &rules::bot::in_memory_session::RULE,
        &rules::bot::no_error_handler::RULE,
        &rules::bot::webhook_secret_missing::RULE,
        &rules::bot::no_user_rate_limit::RULE,
        &rules::bot::updates_dropped_on_start::RULE,
        &rules::bot::launch_blocks_startup::RULE,
        &rules::data::migrations_not_run::RULE,
        &rules::data::table_without_migration::RULE,
        &rules::data::telegram_id_int32::RULE,
        &rules::config::empty_secret::RULE,
        &rules::config::localhost_in_production::RULE,
        &rules::config::undocumented_env::RULE,
        &rules::security::webhook_unverified::RULE,
        &rules::availability::in_memory_state::RULE,
        &rules::integrity::parse_error::RULE,
        &rules::integrity::unreadable_source::RULE,
        &rules::integrity::unresolved_import::RULE,
        &rules::integrity::esm_import_extension::RULE,
        &rules::resilience::dangling_task::RULE,
        &rules::perf::blocking_io_in_async::RULE,
        &rules::testing::no_tests::RULE,
        &rules::docs::readiness_claim_contradicted::RULE,
        &rules::testing::tests_not_in_ci::RULE,
        &rules::availability::no_restart_policy::RULE,
        &rules::data::no_backup::RULE,
        &rules::data::database_committed::RULE,
        &rules::data::database_dir_missing::RULE,
        &rules::config::placeholder_secret::RULE,
        &rules::config::example_insecure_default::RULE,
        &rules::config::no_startup_validation::RULE,
        &rules::config::permissive_permissions::RULE,
        &rules::security::debug_in_production::RULE,
        &rules::security::env_file_committed::RULE,
        &rules::security::hardcoded_secret::RULE,
        &rules::security::sql_injection::RULE,
        &rules::security::cors_wildcard_credentials::RULE,
        &rules::security::no_rate_limit::RULE,
        &rules::security::no_security_headers::RULE,
        &rules::security::csrf_missing::RULE,
        &rules::security::input_unvalidated::RULE,
        &rules::observability::no_health_endpoint::RULE,
        &rules::observability::no_metrics::RULE,
        &rules::observability::error_tracking_not_initialized::RULE,
        &rules::observability::no_error_tracking::RULE,
        &rules::observability::unstructured_logging::RULE,
        &rules::resilience::single_redis::RULE,
        &rules::perf::sync_fs_in_handler::RULE,
        &rules::resilience::no_graceful_shutdown::RULE,
        &rules::resilience::no_global_handler::RULE,
        &rules::resilience::http_no_timeout::RULE,
        &rules::resilience::unawaited_coroutine::RULE,
        &rules::resilience::floating_promise::RULE,
        &rules::integrity::undefined_name::RULE,
        &rules::integrity::missing_export::RULE,
        &rules::security::admin_action_unaudited::RULE,
        &rules::resilience::swallowed_error::RULE,
        &rules::data::json_file_database::RULE,
        &rules::data::non_atomic_write::RULE,
        &rules::data::save_error_ignored::RULE,
        &rules::perf::unbounded_cache::RULE,
        &rules::availability::no_startup_catch_up::RULE,
        &rules::integrity::missing_method::RULE,
        &rules::resilience::external_call_unguarded::RULE,
        &rules::data::unversioned_startup_migration::RULE,
        &rules::data::unlocked_read_modify_write::RULE,
        &rules::data::index_never_created::RULE,
        &rules::deploy::dockerfile_order::RULE,
        &rules::deploy::bind_mount_over_image::RULE,
        &rules::deploy::start_script_no_errexit::RULE,
        &rules::security::database_port_exposed::RULE,
        &rules::security::firebase_rules_open::RULE,
        &rules::security::session_store_memory::RULE,
        &rules::security::ssrf::RULE,
        &rules::security::code_injection::RULE,
        &rules::security::bot_token_in_url::RULE,
        &rules::security::error_details_exposed::RULE,
        &rules::security::admin_handler_unauthorized::RULE,
        &rules::security::internal_service_unauthenticated::RULE,
    ];
    &ALL
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.meta.id == id)
}

/// Rules chosen by `--select`/`--ignore` (ids or prefixes such as `security/`). Patterns
/// that match no implemented rule are an error, so a typo never silently disables a gate.
pub fn selection(select: &[String], ignore: &[String]) -> Result<Vec<&'static Rule>, String> {
    for pattern in select.iter().chain(ignore) {
        if !all().iter().any(|r| r.meta.matches(pattern)) {
            return Err(format!(
                "`{pattern}` matches no rule (run `flightcheck rule` for the list)"
            ));
        }
    }
    Ok(all()
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|p| r.meta.matches(p)))
        .filter(|r| !ignore.iter().any(|p| r.meta.matches(p)))
        .collect())
}

impl Rule {
    /// A rule that checks Python syntax during the one AST walk.
    pub const fn python(
        meta: &'static RuleMeta,
        check: &'static dyn PyFileRule,
        file_texts: FileTexts,
    ) -> Rule {
        Rule {
            meta,
            applies: has_python_sources,
            check: None,
            js: None,
            python: Some(check),
            after: None,
            refine: None,
            file_texts,
        }
    }

    /// A rule that only checks the project's facts.
    pub const fn project(
        meta: &'static RuleMeta,
        applies: fn(&ProjectContext) -> bool,
        check: fn(&ProjectContext) -> Vec<Finding>,
    ) -> Rule {
        Rule {
            meta,
            applies,
            check: Some(check),
            js: None,
            python: None,
            after: None,
            refine: None,
            file_texts: FileTexts::NONE,
        }
    }

    /// A rule that judges the other rules' findings (see [`Rule::after`]).
    pub const fn after(
        meta: &'static RuleMeta,
        applies: fn(&ProjectContext) -> bool,
        after: fn(&ProjectContext, &Measured) -> Vec<Finding>,
    ) -> Rule {
        Rule {
            meta,
            applies,
            check: None,
            js: None,
            python: None,
            after: Some(after),
            refine: None,
            file_texts: FileTexts::NONE,
        }
    }
}

/// Applicability of rules that concern any source code: the project has source files.
pub fn has_sources(ctx: &ProjectContext) -> bool {
    !ctx.sources.is_empty()
}

/// Applicability of Python code rules: the project has Python source files.
pub fn has_python_sources(ctx: &ProjectContext) -> bool {
    ctx.sources
        .iter()
        .any(|i| ctx.language(*i) == Some(flightcheck_core::Language::Python))
}
