pub mod dangling_task;
