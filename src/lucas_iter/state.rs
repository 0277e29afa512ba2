//! What a `LucasIter` instance holds ([`IterState`]) and what its slots do with it, on
//! converted values: building it, one step, the window, a jump.
//!
//! The state machine itself (which representation the window is kept in, one step, when it
//! leaves machine words) is the core's [`State`], here over Python ints ([`Int`]): a value
//! that outgrows the words continues as a Python int, and the promoted iterator runs on
//! CPython's own int arithmetic.

#![forbid(unsafe_code)]

use crate::capi::args::Ints;
use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
use crate::capi::gil::{allow_threads, Mover};
use crate::capi::pyclass::PyClass;
use crate::capi::pyint;
use crate::capi::static_cell::StaticCell;
use crate::functions::nth_term::refused;
use lucas_core::iterate::state::State;
use lucas_core::jump::fiduccia::Output;
use lucas_core::terms::exact::Index;
use pyo3_ffi as ffi;
use std::cell::RefCell;

pub(crate) const NAME: &str = "LucasIter";

// ANCHOR: iter_state
/// Everything an instance owns, as one Rust value.
pub(crate) struct IterState {
    /// The coefficients as given (exact ints), two of them inline. The attribute builds a
    /// tuple from them when asked: most iterators are never asked, and construction is on
    /// the hot path.
    pub(crate) coefficients: Ints,
    /// The modulus as given, or None.
    pub(crate) modulus: Option<Int>,
    /// The window and the arithmetic; mutated by `tp_iternext`.
    state: RefCell<State<Int>>,
    /// Which thread is changing the state in `advance`, whose jump may release the GIL:
    /// another thread that finds the state borrowed then waits instead of failing.
    mover: Mover,
}
// ANCHOR_END: iter_state

impl PyClass for IterState {
    fn static_type() -> &'static StaticCell<ffi::PyTypeObject> {
        &super::slots::LUCAS_ITER_TYPE
    }
}

// ANCHOR: state_next
/// Every access to the state machine goes through these methods: a `RefCell` borrow for as
/// long as it is read or stepped, and never while Python code could run, except during
/// `advance`'s jump (see [`IterState::wait`]).
impl IterState {
    /// The state for converted arguments (`args::recurrence` checked their shape).
    pub(crate) fn new(coefficients: Ints, initial: &[Int], modulus: Option<Int>) -> PyResult<IterState> {
        let state = State::new(&coefficients, initial, modulus.as_ref())?;
        Ok(IterState { coefficients, modulus, state: RefCell::new(state), mover: Mover::new() })
    }

    /// Yields the current value and advances (the body of `tp_iternext`).
    #[inline(always)]
    pub(crate) fn next(&self) -> PyResult<Int> {
        match self.state.try_borrow_mut() {
            Ok(mut state) => state.next(&self.modulus),
            Err(_) => self.next_after_wait(),
        }
    }

    #[cold]
    #[inline(never)]
    fn next_after_wait(&self) -> PyResult<Int> {
        loop {
            self.wait()?;
            if let Ok(mut state) = self.state.try_borrow_mut() {
                return state.next(&self.modulus);
            }
        }
    }

    /// The current window x_n .. x_{n+k-1}, oldest first.
    pub(crate) fn window(&self) -> PyResult<Vec<Int>> {
        loop {
            match self.state.try_borrow() {
                Ok(state) => return state.window(),
                Err(_) => self.wait()?,
            }
        }
    }

    /// Bytes of heap memory the instance owns: the coefficients array (unless inline) and the
    /// state's buffers.
    pub(crate) fn heap_bytes(&self) -> PyResult<usize> {
        let coefficients = match &self.coefficients {
            Ints::Pair(_) => 0,
            Ints::Heap(items) => std::mem::size_of_val(items.as_slice()),
        };
        loop {
            match self.state.try_borrow() {
                Ok(state) => return Ok(coefficients + state.heap_bytes()),
                Err(_) => self.wait()?,
            }
        }
    }

    /// The state is borrowed. Either another thread is in `advance` with the GIL released
    /// (then this waits for it to finish, and the caller looks again), or this thread
    /// re-entered: a signal handler or a finaliser that runs while `advance` checks for
    /// signals calls into the iterator. That would see a half-changed state, so it fails.
    #[cold]
    fn wait(&self) -> PyResult<()> {
        if self.mover.wait_for_other_thread()? {
            Ok(())
        } else {
            Err(already_running())
        }
    }
}
// ANCHOR_END: state_next

// ANCHOR: advance_state
impl IterState {
    /// Moves the window n terms on (back for a negative n) by the core's jump, then rebuilds
    /// the state machine from the new window. On error nothing changes: the state is replaced
    /// only after everything else succeeded.
    ///
    /// The state stays borrowed for the whole jump, which releases the GIL when it is long.
    /// Other threads that use the iterator meanwhile wait for the jump to end ([`Mover`]): to
    /// them the jump happens at one instant, before or after their own call. Releasing the
    /// GIL without that would let a `next()` from another thread fail with "already
    /// running"; copying the state out and committing it afterwards would let the jump undo
    /// that thread's step. Only a call from this very thread (a signal handler, while the
    /// jump checks for signals) gets "already running" instead of a torn state.
    pub(crate) fn advance(&self, n: &Int) -> PyResult<()> {
        let mut state = loop {
            match self.state.try_borrow_mut() {
                Ok(state) => break state,
                Err(_) => self.wait()?,
            }
        };
        let convert = |v: &[Int]| v.iter().map(|x| pyint::to_integer(x.borrow())).collect::<PyResult<Vec<_>>>();
        let (coef, window) = (convert(&self.coefficients)?, convert(&state.window()?)?);
        let modulus = self.modulus.as_ref().map(|m| pyint::to_modulus(m.borrow())).transpose()?;
        let (limbs, negative) = pyint::signed_limbs(n.borrow())?;
        let index = Index::new(&limbs, negative);
        let _moving = self.mover.start();
        let moved = allow_threads(|poll| {
            lucas_core::jump::nth_term(&coef, &window, &index, modulus.as_ref(), Output::Window, poll)
        })?
        .map_err(|r| refused("advance", r, modulus.is_some()))?;
        let moved = moved.into_iter().map(pyint::term_to_int).collect::<PyResult<Vec<_>>>()?;
        *state = State::new(&self.coefficients, &moved, self.modulus.as_ref())?;
        Ok(())
    }
}
// ANCHOR_END: advance_state

#[cold]
fn already_running() -> PyErr {
    PyErr::new(ExcType::RuntimeError, format!("{NAME} is already running"))
}
