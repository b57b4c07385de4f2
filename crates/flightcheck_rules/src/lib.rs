//! Rules over the project model, the registry of all rules, and the scan pipeline:
//! discover → parse (parallel, once per file) → resolve imports → reachability → rules →
//! score. Renderers live in `flightcheck_report`.

pub mod bots;
pub mod context;
pub mod env_keys;
pub mod js_modules;
pub mod ops;
pub mod pipeline;
pub mod project_config;
pub mod registry;
pub mod roles;
pub mod rules;
pub mod secret_values;
pub mod shape;
pub mod suppression;
pub mod unreferenced;

pub use pipeline::{Progress, ScanOptions, scan};
pub use registry::Rule;
