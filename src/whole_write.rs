//! Writes that a signal cannot cut in half. A write of results holds a lock for as long
//! as it runs; the signal handler takes the same lock before it ends the process, so a
//! reader of a pipe sees whole lines only (a regular file gets this from the rename of a
//! finished temporary file instead). Owns nothing else, and knows nothing of formats.

use std::io::{self, Write};
use std::sync::{Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

static WRITING: Mutex<()> = Mutex::new(());

/// Writes all of `bytes` and flushes, without a signal ending the process part-way.
pub fn write_whole(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    out.write_all(bytes).and_then(|()| out.flush())
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
