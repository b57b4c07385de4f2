pub mod blocking_io_in_async;
pub mod unbounded_cache;
