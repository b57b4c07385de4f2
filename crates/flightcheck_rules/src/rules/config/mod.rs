pub mod empty_secret;
pub mod localhost_in_production;
pub mod undocumented_env;
