//! Types shared by every flightcheck stage: the vocabulary of findings, rules, facts and scores.
//!
//! Data flows one way (discover → parse → facts → rules → score → render); this crate is the
//! only one every stage depends on, so it holds no logic that needs an AST (config and
//! baseline files are the only files it reads).

pub mod async_calls;
pub mod baseline;
pub mod certificate;
pub mod config;
pub mod facts;
pub mod finding;
pub mod fingerprint;
pub mod integrity;
pub mod liveness;
pub mod names;
pub mod observability;
pub mod py_classes;
pub mod read;
pub mod redact;
pub mod report;
pub mod resilience;
pub mod role;
pub mod rule;
pub mod score;
pub mod secrets;
pub mod severity;
pub mod sql;
pub mod state;
pub mod suppress;
pub mod text;
pub mod triage;
pub mod wiring;

pub use config::{CONFIG_FILE_NAME, Config, ConfigError, Located, PathIgnore, SeverityOverride};
pub use facts::*;
pub use finding::*;
pub use observability::*;
pub use report::*;
pub use role::*;
pub use rule::*;
pub use score::*;
pub use severity::*;
pub use wiring::*;
