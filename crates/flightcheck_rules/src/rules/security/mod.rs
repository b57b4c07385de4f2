pub mod cors_wildcard_credentials;
pub mod debug_in_production;
pub mod env_file_committed;
pub mod hardcoded_secret;
pub mod sql_injection;
pub mod webhook_unverified;
