pub mod esm_import_extension;
pub mod missing_export;
pub mod missing_method;
pub mod parse_error;
pub mod undefined_name;
pub mod unreadable_source;
pub mod unresolved_import;
