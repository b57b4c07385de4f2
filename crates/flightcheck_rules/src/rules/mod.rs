//! One file per rule, named after its id (`integrity/parse-error` → `integrity/parse_error.rs`).

pub mod config;
pub mod integrity;
pub mod resilience;
pub mod testing;
