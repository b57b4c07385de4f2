pub mod migrations_not_run;
pub mod no_backup;
pub mod table_without_migration;
