pub mod command_menu_drift;
pub mod command_menu_missing;
pub mod duplicate_command_handler;
pub mod in_memory_session;
pub mod no_error_handler;
pub mod no_user_rate_limit;
pub mod start_handler_missing;
pub mod webhook_secret_missing;
