pub mod no_tests;
pub mod tests_not_in_ci;
