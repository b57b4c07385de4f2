pub mod env_file_committed;
pub mod hardcoded_secret;
pub mod webhook_unverified;
