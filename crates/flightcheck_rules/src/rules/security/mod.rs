pub mod cors_wildcard_credentials;
pub mod debug_in_production;
pub mod env_file_committed;
pub mod hardcoded_secret;
pub mod no_rate_limit;
pub mod no_security_headers;
pub mod sql_injection;
mod web_server;
pub mod webhook_unverified;
