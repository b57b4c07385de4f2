pub mod in_memory_state;
pub mod no_restart_policy;
pub mod no_startup_catch_up;
