//! What a signal does: SIGINT, SIGTERM, SIGHUP or SIGQUIT let a write of results in progress
//! finish (for at most 2 s, so a pipe holds whole lines), remove any temporary file being
//! written, give the terminal back its normal mode if a prompt had it raw, and end the
//! process with the conventional code (128 + the signal's number).

use std::io::Write;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/// Starts the thread that handles the signals; call once, early in `main`.
pub fn install() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
    else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // A write of results in progress ends first, so a pipe holds whole lines.
            crate::whole_write::stop_writing(std::time::Duration::from_secs(2));
            crate::output_file::remove_pending();
            if crossterm::terminal::is_raw_mode_enabled().unwrap_or(false) {
                let _ = crossterm::terminal::disable_raw_mode();
                let mut err = std::io::stderr();
                let _ = err.write_all(b"\x1b[?25h\r\n");
                let _ = err.flush();
            }
            std::process::exit(128 + signal);
        }
    });
}
