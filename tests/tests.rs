//! Integration tests: the `serge` binary on the bundled corpus and on fixtures, each test in a
//! fresh temporary directory. One binary, modules by theme.

#[path = "it/util.rs"]
mod util;

#[path = "it/clean.rs"]
mod clean;
#[path = "it/crash.rs"]
mod crash;
#[path = "it/errors.rs"]
mod errors;
#[path = "it/incremental.rs"]
mod incremental;
#[path = "it/search.rs"]
mod search;
#[path = "it/views.rs"]
mod views;
