pub mod dockerfile_order;
