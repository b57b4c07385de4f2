pub mod bind_mount_over_image;
pub mod dockerfile_order;
pub mod start_script_no_errexit;
