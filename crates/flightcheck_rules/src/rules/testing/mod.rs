pub mod no_tests;
