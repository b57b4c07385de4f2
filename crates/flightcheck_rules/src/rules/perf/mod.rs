pub mod blocking_io_in_async;
pub mod sync_fs_in_handler;
pub mod unbounded_cache;
