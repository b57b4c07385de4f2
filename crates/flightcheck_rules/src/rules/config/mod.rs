pub mod empty_secret;
pub mod example_insecure_default;
pub mod localhost_in_production;
pub mod no_startup_validation;
pub mod permissive_permissions;
pub mod placeholder_secret;
pub mod undocumented_env;
