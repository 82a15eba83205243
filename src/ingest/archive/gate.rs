//! The memory held by decompressed members across all worker threads: a thread that
//! would take the total above the limit waits until others release theirs. Only the
//! schedule changes, never the output. A thread that already holds memory (a member
//! of a nested archive, read while the nested archive is held) never waits, so no
//! two threads can wait on each other.

use std::cell::Cell;
use std::sync::{Condvar, Mutex, PoisonError};

/// Most decompressed bytes held at once by all threads: 4 GiB (a 24 GB machine runs
/// other work too). One member larger than this alone still proceeds.
pub const MEMORY_IN_FLIGHT: u64 = 4 << 30;

thread_local! {
    /// How many holds this thread has open.
    static HOLDS: Cell<u32> = const { Cell::new(0) };
}

/// A budget of bytes shared by threads.
#[derive(Debug)]
pub(super) struct Gate {
    limit: u64,
    used: Mutex<u64>,
    released: Condvar,
}

/// Bytes taken from a [`Gate`], given back when dropped.
#[derive(Debug)]
pub(super) struct Held<'g> {
    gate: &'g Gate,
    bytes: u64,
}

impl Gate {
    /// A gate of `limit` bytes.
    pub(super) const fn new(limit: u64) -> Gate {
        Gate {
            limit,
            used: Mutex::new(0),
            released: Condvar::new(),
        }
    }

    /// Takes `bytes`, first waiting while others hold so much that the total would
    /// pass the limit (unless this thread holds some already).
    pub(super) fn hold(&self, bytes: u64) -> Held<'_> {
        let nested = HOLDS.with(|h| h.get() > 0);
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while !nested && *used > 0 && used.saturating_add(bytes) > self.limit {
            used = self.released.wait(used).unwrap_or_else(PoisonError::into_inner);
        }
        *used = used.saturating_add(bytes);
        HOLDS.with(|h| h.set(h.get() + 1));
        Held { gate: self, bytes }
    }

    /// Bytes held now.
    #[cfg(test)]
    fn used(&self) -> u64 {
        *self.used.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut used = self.gate.used.lock().unwrap_or_else(PoisonError::into_inner);
        *used = used.saturating_sub(self.bytes);
        HOLDS.with(|h| h.set(h.get().saturating_sub(1)));
        self.gate.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_thread_waits_until_the_memory_it_needs_is_released() {
        let gate = Gate::new(100);
        let first = gate.hold(80);
        // Nested on this thread: never waits.
        let nested = gate.hold(50);
        assert_eq!(gate.used(), 130);
        drop(nested);
        let (sent, got) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let held = gate.hold(30);
                let _ = sent.send(gate.used());
                drop(held);
            });
            assert!(
                got.recv_timeout(Duration::from_millis(200)).is_err(),
                "waits while 80 are held"
            );
            drop(first);
            assert_eq!(got.recv_timeout(Duration::from_secs(10)).ok(), Some(30));
        });
        assert_eq!(gate.used(), 0);
        // Alone, a hold larger than the limit proceeds.
        assert_eq!(gate.hold(500).bytes, 500);
    }
}
