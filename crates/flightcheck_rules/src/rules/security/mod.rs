pub mod debug_in_production;
pub mod webhook_unverified;
