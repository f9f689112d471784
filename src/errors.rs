//! The error kinds the binary's layers share and `app::exit_code` maps to exit codes:
//! kept below `app` and `output_file` so neither imports the other for them. Owns no
//! logic.

/// The interview was interrupted; nothing was printed or saved.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; nothing was saved")]
pub struct Interrupted;

/// The person stopped the interview (Esc, then y); nothing was printed or saved.
#[derive(Debug, thiserror::Error)]
#[error("the interview was stopped at your request; nothing was saved")]
pub struct Stopped;

/// An error in what the user supplied (as opposed to the program or the rulebook).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
