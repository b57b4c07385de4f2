//! Discovery and the project model: which projects a repository holds, which files they
//! have, how they are started (entry points), what they import (graph) and so which files
//! actually run (reachability). Never knows about rules.

pub mod backups;
pub mod ci;
pub mod claims;
pub mod commands;
pub mod deploy;
pub mod deployed_env;
pub mod dockerfile;
pub mod entry;
pub mod envfile;
pub(crate) mod follow;
pub mod git;
pub mod graph;
pub mod history;
pub mod ignorefile;
pub mod lockfile;
pub mod manifest;
pub mod migrations;
pub mod services;
pub mod sqlite;
pub mod start_scripts;
pub mod testruns;
pub mod walk;
pub mod workspace;

pub use entry::{EntryHow, EntryPoint, EntryResolution, MissingEntry};
pub use graph::ImportGraph;
pub use migrations::{
    MigrationCommand, MigrationSet, MigrationTool, SchemaTable, migration_in, migration_tool_in,
};
pub use walk::{FileKind, WalkedFile};
pub use workspace::{DataFile, DiscoverOptions, EnvFile, EnvRole, Project, Workspace};

/// `s` cut to `max` characters for messages.
pub(crate) fn short(s: &str, max: usize) -> String {
    flightcheck_core::text::truncate(s, max)
}
