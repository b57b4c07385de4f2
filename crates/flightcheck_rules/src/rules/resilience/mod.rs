pub mod dangling_task;
pub mod single_redis;
