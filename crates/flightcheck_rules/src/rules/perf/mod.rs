pub mod blocking_io_in_async;
