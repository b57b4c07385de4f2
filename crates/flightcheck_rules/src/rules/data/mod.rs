pub mod migrations_not_run;
pub mod table_without_migration;
