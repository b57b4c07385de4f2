pub mod in_memory_state;
