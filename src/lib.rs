//! massage-check: whether massage suits a person with back pain now, which kinds suit
//! best, when to wait, and when to see a clinician first.
//!
//! The flow is one-way:
//! `rules/*.yaml -> rulebook (load, validate) -> engine (compile once, assess many)`, and
//! `answers (file | stdin) -> engine -> report (text | json)`.
//! The engine does no I/O and the reports make no decisions.

/// The built-in rulebook's image, written by `build.rs` (which defines this macro as an
/// empty image for its own copy of the rulebook code).
macro_rules! builtin_image {
    () => {
        include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rulebook.image"))
    };
}

pub mod answers;
pub mod app;
pub mod batch;
pub mod cases;
pub mod cli;
pub mod date;
pub mod describe;
pub mod engine;
pub mod errors;
pub mod interview;
pub mod manual;
pub mod markdown_files;
pub mod output_file;
pub mod printable;
pub mod report;
pub mod rulebook;
pub mod schema;
pub mod signals;
pub mod suggest;
pub mod template;
pub mod whole_write;
mod yaml;
