pub mod error_tracking_not_initialized;
pub mod no_error_tracking;
pub mod no_health_endpoint;
pub mod no_metrics;
pub mod unstructured_logging;
