pub mod in_memory_state;
pub mod no_restart_policy;
