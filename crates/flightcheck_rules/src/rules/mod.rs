//! One file per rule, named after its id (`integrity/parse-error` → `integrity/parse_error.rs`).

pub mod availability;
pub mod bot;
pub mod config;
pub mod data;
pub mod deploy;
pub mod docs;
pub mod integrity;
pub mod observability;
pub mod perf;
pub mod resilience;
pub mod security;
pub mod testing;
