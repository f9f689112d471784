//! What a signal does: SIGINT, SIGTERM, SIGHUP or SIGQUIT let a write of results in progress
//! finish (for at most 2 s, so a pipe holds whole lines), remove any temporary file being
//! written, give the terminal back its normal mode if a prompt had it raw, and end the
//! process with the conventional code (128 + the signal's number).
//!
//! Two ways, one behaviour. A short command (`check`, `template`, `rules ...`) writes only
//! to standard output, so an action in the signal handler itself is enough: it ends the
//! process at once, or, during a write, leaves the write to end it when whole (and an
//! alarm to end it after 2 s if the reader has stopped). A command that writes files or
//! takes the terminal (`ask`, `batch`) starts a thread that can also take locks, remove
//! files and restore the terminal ([`start_thread`]). Starting a thread costs a fifth of a
//! `check` (issue 24), which is why short commands do without it.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use signal_hook::consts::{SIGALRM, SIGHUP, SIGINT, SIGQUIT, SIGTERM};

const HANDLED: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

/// The longest a signal waits for a write in progress.
const WRITE_LIMIT_SECS: u32 = 2;

/// Set once the handling thread runs; from then on it acts, and the handler does not.
static THREAD_STARTED: AtomicBool = AtomicBool::new(false);

/// Installs the handlers; call once, early in `main`.
pub fn install() {
    for signal in HANDLED {
        // SAFETY: the action reads and writes atomics and calls `alarm` and `_exit`, all
        // async-signal-safe; it allocates nothing and takes no lock.
        let _ = unsafe { signal_hook::low_level::register(signal, move || act_now(signal)) };
    }
    // SAFETY: as above: an atomic load and `_exit`.
    let _ = unsafe {
        signal_hook::low_level::register(SIGALRM, || {
            let signal = crate::whole_write::deferred_signal();
            if signal != 0 && !THREAD_STARTED.load(SeqCst) {
                signal_hook::low_level::exit(128 + signal);
            }
        })
    };
}

/// The handler's own action, for a process without the thread.
fn act_now(signal: i32) {
    if THREAD_STARTED.load(SeqCst) {
        return;
    }
    let first = crate::whole_write::deferred_signal() == 0;
    if crate::whole_write::defer_signal(signal) {
        signal_hook::low_level::exit(128 + signal);
    }
    if first {
        // SAFETY: alarm is async-signal-safe and takes a plain integer.
        unsafe { libc::alarm(WRITE_LIMIT_SECS) };
    }
}

/// Starts the thread that handles the signals, for a command that writes files or takes
/// the terminal; call before it does either.
pub fn start_thread() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new(HANDLED) else {
        return;
    };
    let thread = std::thread::Builder::new().spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // A write of results in progress ends first, so a pipe holds whole lines.
            crate::whole_write::stop_writing(std::time::Duration::from_secs(u64::from(
                WRITE_LIMIT_SECS,
            )));
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
    // A signal before this point was acted on by the handler: nothing had started yet.
    THREAD_STARTED.store(thread.is_ok(), SeqCst);
}
