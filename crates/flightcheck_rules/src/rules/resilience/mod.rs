pub mod dangling_task;
pub mod floating_promise;
pub mod http_no_timeout;
pub mod no_global_handler;
pub mod no_graceful_shutdown;
pub mod single_redis;
pub mod swallowed_error;
pub mod unawaited_coroutine;
