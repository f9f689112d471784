//! Writes that a signal cannot cut in half. A write of results holds a lock for as long
//! as it runs; the signal handler takes the same lock before it ends the process, so a
//! reader of a pipe sees whole lines only (a regular file gets this from the rename of a
//! finished temporary file instead). A process without that handler's thread (a short
//! command: see `signals`) defers a signal that comes during a write instead: the write
//! ends the process when it is whole. Owns nothing else, and knows nothing of formats.

use std::io::{self, Write};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

static WRITING: Mutex<()> = Mutex::new(());

/// Writes in progress, counted without a lock so a signal handler can read it.
static IN_PROGRESS: AtomicUsize = AtomicUsize::new(0);

/// A signal that came during a write and waits for it to end (0: none).
static DEFERRED: AtomicI32 = AtomicI32::new(0);

/// Writes all of `bytes` and flushes, without a signal ending the process part-way.
pub fn write_whole(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    IN_PROGRESS.fetch_add(1, SeqCst);
    let written = out.write_all(bytes).and_then(|()| out.flush());
    // The count goes down before the deferred signal is read, and `defer_signal` stores
    // before it reads the count: whichever comes second sees the other and ends the process.
    IN_PROGRESS.fetch_sub(1, SeqCst);
    let deferred = DEFERRED.load(SeqCst);
    if deferred != 0 {
        std::process::exit(128 + deferred);
    }
    written
}

/// For a signal handler (atomics only, so async-signal-safe): records `signal` and
/// returns true when no write is in progress, so the process may end now; otherwise the
/// write in progress ends the process when it is whole. Only the first signal is kept.
pub fn defer_signal(signal: i32) -> bool {
    let _ = DEFERRED.compare_exchange(0, signal, SeqCst, SeqCst);
    IN_PROGRESS.load(SeqCst) == 0
}

/// The signal [`defer_signal`] recorded (0: none); async-signal-safe.
pub fn deferred_signal() -> i32 {
    DEFERRED.load(SeqCst)
}

/// Waits for a write in progress to end, then keeps any later write from starting, so
/// the process can end between writes. A reader that has stopped reading would hold a
/// write forever; after `limit` the process ends anyway, as a signal expects.
pub fn stop_writing(limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        match WRITING.try_lock() {
            Ok(guard) => return std::mem::forget(guard),
            Err(TryLockError::Poisoned(poisoned)) => {
                return std::mem::forget(poisoned.into_inner());
            }
            Err(TryLockError::WouldBlock) if Instant::now() >= deadline => return,
            Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}
