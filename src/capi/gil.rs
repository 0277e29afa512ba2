//! Releasing the GIL around pure-Rust work, and taking it back now and then to let Ctrl-C
//! through (C-API docs, "Thread State and the Global Interpreter Lock").
//!
//! What C writes as
//!
//! ```c
//! Py_BEGIN_ALLOW_THREADS      /* _save = PyEval_SaveThread(); */
//! ... long computation, no Python object touched ...
//! Py_END_ALLOW_THREADS        /* PyEval_RestoreThread(_save); */
//! ```
//!
//! is [`allow_threads`] here. Between the two calls this thread holds no GIL (on a
//! free-threaded build: it is *detached*, so a stop-the-world pause of the garbage collector
//! does not wait for it), and other threads run Python code. The rule of the C API is that
//! a detached thread must not touch any Python object, not even a reference count. The
//! closure's `Send` bound makes the compiler check the part of the rule it can: `Owned` and
//! `Borrowed` hold raw pointers and are not `Send`, so a closure that captures one (or
//! returns one) does not compile. It runs on the calling thread all the same: `Send` is
//! used only as the marker "contains no Python object" (pyo3's `allow_threads` does the
//! same with its `Ungil` bound).
//!
//! Signals: CPython's C handler only sets a flag; the Python-level handler (the one that
//! raises KeyboardInterrupt) runs when some thread *holding the GIL* calls
//! `PyErr_CheckSignals`, and only in the main thread. A computation that released the GIL
//! therefore takes it back to look: the arithmetic calls a *poll* hook between steps (the
//! core crate cannot call the C API, so it only calls the hook), and while the GIL is
//! released the hook is a clock read that, once [`VISIT_EVERY`] has passed, re-attaches,
//! runs `PyErr_CheckSignals` and detaches again. An exception a handler raises stays here,
//! with the wrapper, and the hook answers [`Interrupted`]: the arithmetic stops at the next
//! check and the caller gets the exception once the GIL is held again.
//!
//! Releasing costs two calls into the interpreter, and taking the GIL back may mean waiting
//! for another thread to drop it (up to the switch interval, `sys.getswitchinterval()`): so
//! the hook releases only once the work has proved long ([`allow_threads`]).
//!
//! A `LucasIter` whose `advance` released the GIL stays borrowed meanwhile; [`Mover`] lets
//! another thread that finds it so wait for the jump instead of failing.

use crate::capi::error::{check_signals, ExcType, PyErr, PyResult};
use pyo3_ffi as ffi;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long released work runs between two visits to the interpreter (each visit takes the
/// GIL, runs `PyErr_CheckSignals` and releases it again). This is most of the delay between
/// Ctrl-C and the KeyboardInterrupt; a visit is cheap unless another thread holds the GIL.
pub const VISIT_EVERY: Duration = Duration::from_millis(20);

/// What the poll hook answers when a Python exception is waiting (KeyboardInterrupt, or
/// whatever a signal handler raised): stop. It carries no Python object, so it can travel
/// through the arithmetic while the GIL is released; the exception itself is handed out by
/// [`allow_threads`] once the GIL is held again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted;

impl Interrupted {
    /// The error for a result that reports the stop. [`allow_threads`] returns the waiting
    /// exception itself whenever the hook answered [`Interrupted`], so this is never what a
    /// caller sees; it exists so that such a result converts without a panic.
    #[cold]
    pub fn into_err(self) -> PyErr {
        PyErr::new(ExcType::SystemError, "lucas stopped for a signal without an exception set")
    }
}

/// The hook the arithmetic calls between steps (the core crate's `check`/`poll`
/// parameters).
pub type Poll<'a> = dyn FnMut() -> Result<(), Interrupted> + 'a;

// ANCHOR: detached
/// This thread's state while it is detached from the interpreter: made by
/// `PyEval_SaveThread`, handed back to `PyEval_RestoreThread` when dropped (also while a
/// panic unwinds, so the boundary guard always runs with the GIL held).
struct Detached(*mut ffi::PyThreadState);

impl Drop for Detached {
    /// `Py_END_ALLOW_THREADS`.
    fn drop(&mut self) {
        // SAFETY: `self.0` is this thread's state, saved by PyEval_SaveThread on this thread
        // (a `Detached` is never sent elsewhere: it holds a raw pointer, so it is not Send),
        // and the thread is detached until this call.
        unsafe { ffi::PyEval_RestoreThread(self.0) }
    }
}

/// Whether this thread holds the GIL, in a call that may let it go: attached (no saved
/// state) or detached. It starts attached, made by a thread that holds the GIL (every caller
/// runs inside an entry point), and dropping it attaches again.
struct Attachment(Option<Detached>);

impl Attachment {
    fn attached() -> Attachment {
        Attachment(None)
    }

    fn is_detached(&self) -> bool {
        self.0.is_some()
    }

    /// `Py_BEGIN_ALLOW_THREADS` (or `Py_UNBLOCK_THREADS`) if attached.
    fn detach(&mut self) {
        if self.0.is_none() {
            // SAFETY: no saved state means this thread is attached: an `Attachment` starts so,
            // and only `attach` drops the saved state, whose drop re-attaches.
            self.0 = Some(Detached(unsafe { ffi::PyEval_SaveThread() }));
        }
    }

    /// `Py_BLOCK_THREADS`: takes the GIL back if detached.
    fn attach(&mut self) {
        self.0 = None;
    }

    /// Takes the GIL back, runs pending signal handlers, and releases the GIL again:
    /// `Py_BLOCK_THREADS; PyErr_CheckSignals(); Py_UNBLOCK_THREADS`. The exception a handler
    /// raised, if any, comes back (it is not touched again until the GIL is held).
    fn visit(&mut self) -> Option<PyErr> {
        self.attach();
        let err = check_signals().err();
        self.detach();
        err
    }
}
// ANCHOR_END: detached

// ANCHOR: allow_threads
/// Runs `f`, handing it the poll hook to call between steps, and releases the GIL once the
/// work has proved long: at a poll, once [`RELEASE_AFTER`] has passed since the first
/// polls. Until then the hook is plain `PyErr_CheckSignals` (the GIL is held); afterwards,
/// the clock read and occasional visit described in the module documentation. The result
/// is `f`'s, or the exception a signal handler raised (the hook then answered
/// [`Interrupted`], and `f`'s own result, which reports the stop, is dropped).
///
/// Deciding by the clock rather than by an estimate of the work keeps the rule the same for
/// every kind of arithmetic: a short call (most calls) never pays for releasing, nor for
/// waiting to get the GIL back from a busy thread, and a long one lets other threads run
/// almost at once.
///
/// The calling thread must hold the GIL: every caller runs inside an entry point.
pub fn allow_threads<T: Send>(f: impl FnOnce(&mut Poll) -> T + Send) -> PyResult<T> {
    let mut polling = Polling { pending: None, gil: Attachment::attached(), polls: 0, clock: None };
    let value = f(&mut || polling.poll());
    // Re-attach (if detached) before anything else touches the exception.
    polling.gil.attach();
    match polling.pending {
        Some(err) => Err(err),
        None => Ok(value),
    }
}

/// After this long, measured from the first [`CLOCK_AFTER_POLLS`] polls, a computation
/// releases the GIL (at its next poll).
pub const RELEASE_AFTER: Duration = Duration::from_micros(100);

/// The clock is read only from this many polls on, so that a call that polls once or twice
/// (a probable-prime test of a two-word n) pays for no clock read at all.
const CLOCK_AFTER_POLLS: u32 = 4;

/// The state behind the hook [`allow_threads`] hands out.
struct Polling {
    /// The exception a signal handler raised: once set, every poll answers `Interrupted`.
    pending: Option<PyErr>,
    /// Detached once the GIL is released.
    gil: Attachment,
    polls: u32,
    /// Held: when the GIL is to be released ([`RELEASE_AFTER`] past the first clock read).
    /// Released: when the next visit is due. A deadline rather than a start time, so that
    /// each poll compares two instants instead of subtracting them.
    clock: Option<Instant>,
}

impl Polling {
    fn poll(&mut self) -> Result<(), Interrupted> {
        if self.pending.is_some() {
            return Err(Interrupted);
        }
        if self.gil.is_detached() {
            let now = Instant::now();
            if self.clock.is_some_and(|due| now < due) {
                return Ok(());
            }
            self.clock = Some(now + VISIT_EVERY);
            self.pending = self.gil.visit();
            return self.pending.as_ref().map_or(Ok(()), |_| Err(Interrupted));
        }
        if let Err(err) = check_signals() {
            self.pending = Some(err);
            return Err(Interrupted);
        }
        self.polls = self.polls.saturating_add(1);
        if self.polls >= CLOCK_AFTER_POLLS {
            let now = Instant::now();
            let due = *self.clock.get_or_insert(now + RELEASE_AFTER);
            if now >= due {
                self.gil.detach();
                self.clock = Some(now + VISIT_EVERY);
            }
        }
        Ok(())
    }
}
// ANCHOR_END: allow_threads

// ANCHOR: mover
/// The mark of an object that a thread is changing in a call that may release the GIL
/// (`LucasIter.advance`): which thread, so that others can tell "busy in another thread,
/// wait" from "re-entered from this thread's own signal handler, refuse".
///
/// The object's state stays borrowed (its `RefCell`) for the whole change, as without
/// threads; the mark only tells a thread that finds it borrowed what to do.
pub struct Mover(AtomicU64);

impl Mover {
    pub const fn new() -> Mover {
        Mover(AtomicU64::new(0))
    }

    /// Marks the object as changed by this thread until the guard is dropped (which wakes
    /// the threads waiting for it). Called with the state already borrowed.
    pub fn start(&self) -> MoveGuard<'_> {
        self.0.store(TOKEN.with(|t| *t), Ordering::Release);
        MOVES.with(|m| m.set(m.get() + 1));
        MoveGuard(self)
    }

    /// For a thread that found the state borrowed: if another thread is changing it, waits
    /// (GIL released, Ctrl-C still seen) until it is done and answers true, so the caller
    /// looks again; false if no other thread is, or if this thread is itself in the middle
    /// of a move (it must not wait for a thread that may be waiting for it): then the
    /// borrow is a re-entrant call, which the caller refuses.
    #[cold]
    pub fn wait_for_other_thread(&self) -> PyResult<bool> {
        let me = TOKEN.with(|t| *t);
        let owner = self.0.load(Ordering::Acquire);
        if owner == 0 || owner == me || MOVES.with(Cell::get) > 0 {
            return Ok(false);
        }
        wait_released(|| self.0.load(Ordering::Acquire) != owner)?;
        Ok(true)
    }
}

// ANCHOR_END: mover

// A token per thread, never 0 (0 is "no mover"), and how many moves the thread has under
// way (they nest when a signal handler, run at a visit, moves another object). Only read on
// the slow paths: starting a move, and finding an object busy.
thread_local! {
    static TOKEN: u64 = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    static MOVES: Cell<u32> = const { Cell::new(0) };
}
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// Where threads wait for a move to end; notified whenever one does. One pair for all
/// objects: such moves are rare, and a waiter woken for another object just looks again.
static MOVE_ENDED: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

/// Ends a move when dropped (also on an error or a panic).
pub struct MoveGuard<'a>(&'a Mover);

impl Drop for MoveGuard<'_> {
    fn drop(&mut self) {
        MOVES.with(|m| m.set(m.get() - 1));
        self.0 .0.store(0, Ordering::Release);
        let (lock, ended) = &MOVE_ENDED;
        let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        ended.notify_all();
    }
}

/// Blocks, with the GIL released, until `done()` is true (it reads only atomics: the GIL is
/// not held while it runs), checking for signals every [`VISIT_EVERY`] meanwhile, so that a
/// waiting main thread still sees Ctrl-C. `done` becomes true through a [`MoveGuard`]'s
/// drop, which notifies.
fn wait_released(done: impl Fn() -> bool) -> PyResult<()> {
    let (lock, ended) = &MOVE_ENDED;
    // Callers are slots, which hold the GIL; `gil` takes it back when dropped, on every way
    // out of this function.
    let mut gil = Attachment::attached();
    gil.detach();
    loop {
        // A panic while the lock was held elsewhere cannot leave `()` inconsistent.
        let guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if done() {
            return Ok(());
        }
        // `done` is asked under the lock, and the mover notifies under it: a notification
        // cannot fall between the question and the wait.
        drop(ended.wait_timeout(guard, VISIT_EVERY).unwrap_or_else(|poisoned| poisoned.into_inner()));
        if let Some(err) = gil.visit() {
            return Err(err);
        }
    }
}

/// Releases the GIL for good: the test harness's interpreter is initialised on one thread,
/// and every test takes the GIL on its own thread.
#[cfg(test)]
pub(crate) fn release_for_good() {
    let mut gil = Attachment::attached();
    gil.detach();
    std::mem::forget(gil);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::testing::{pending_exception, with_python};

    // Assertions run outside `with_python`: a panic inside it would leave the GIL held by a
    // finished thread and hang every other test.

    use crate::capi::boundary::holds_gil;

    #[test]
    fn short_work_keeps_the_gil_and_long_work_releases_it() {
        let (short, long, after) = with_python(|| {
            let short = allow_threads(|poll| poll().map(|()| holds_gil()));
            // Counted in polls, not in time: a sleep lasts at least what it asks for, so the
            // poll after the first clock read plus a sleep of twice the delay must release,
            // however loaded the machine (a time budget could run out first).
            let long = allow_threads(|poll| {
                let mut released = false;
                for _ in 0..CLOCK_AFTER_POLLS + 3 {
                    poll()?;
                    released |= !holds_gil();
                    std::thread::sleep(RELEASE_AFTER * 2);
                }
                Ok::<bool, Interrupted>(released)
            });
            (short.ok(), long.ok(), holds_gil())
        });
        assert_eq!(short, Some(Ok(true)), "one poll: the GIL stays held");
        assert_eq!(long, Some(Ok(true)), "released during long work");
        assert!(after, "held again afterwards");
    }

    #[test]
    fn visits_take_the_gil_back_and_release_it_again() {
        // Signals are handled only on the interpreter's main thread, which a test thread is
        // not: the interrupt itself is tested from Python (tests/test_cooperation.py). This
        // checks that visits happen and leave the thread detached again.
        let (detached_polls, pending) = with_python(|| {
            let r = allow_threads(|poll| {
                let mut detached = 0;
                for _ in 0..CLOCK_AFTER_POLLS + 6 {
                    poll()?;
                    detached += usize::from(!holds_gil());
                    std::thread::sleep(VISIT_EVERY + RELEASE_AFTER);
                }
                Ok::<usize, Interrupted>(detached)
            });
            (r.ok(), pending_exception())
        });
        // The first polls hold the GIL; from the first clock read on, every later poll
        // comes after a full visit period, so each visits and releases again.
        assert_eq!(detached_polls, Some(Ok(6)));
        assert_eq!(pending, None);
    }

    #[test]
    fn a_waiter_wakes_when_the_move_ends() {
        use std::sync::atomic::AtomicBool;
        static OBJECT: Mover = Mover::new();
        static WAITING: AtomicBool = AtomicBool::new(false);
        let (marked_tx, marked_rx) = std::sync::mpsc::channel();
        let mover = std::thread::spawn(move || {
            let guard = OBJECT.start();
            marked_tx.send(()).unwrap();
            while !WAITING.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(20));
            drop(guard);
        });
        marked_rx.recv().unwrap();
        let waited = with_python(|| {
            WAITING.store(true, Ordering::Release);
            OBJECT.wait_for_other_thread().ok()
        });
        // Waited for the mover (unless this thread was descheduled for the mover's whole
        // 20 ms: then there was nothing left to wait for).
        assert!(waited.is_some());
        assert_eq!(OBJECT.0.load(Ordering::Acquire), 0, "returns only once the move ended");
        mover.join().unwrap();
        // Nobody's move, or this thread's own: nothing to wait for.
        let idle = with_python(|| OBJECT.wait_for_other_thread().ok());
        let own = OBJECT.start();
        let re_entered = with_python(|| OBJECT.wait_for_other_thread().ok());
        drop(own);
        assert_eq!((idle, re_entered), (Some(false), Some(false)));
    }
}
