pub mod missing_export;
pub mod parse_error;
pub mod undefined_name;
pub mod unresolved_import;
