pub mod parse_error;
pub mod unresolved_import;
