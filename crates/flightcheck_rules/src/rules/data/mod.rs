pub mod json_file_database;
pub mod migrations_not_run;
pub mod no_backup;
pub mod non_atomic_write;
pub mod save_error_ignored;
pub(crate) mod state_files;
pub mod table_without_migration;
pub mod unversioned_startup_migration;
