//! What a `LucasIter` instance holds ([`IterState`]) and what its slots do with it, on
//! converted values: building it, one step, the window, a jump.
//!
//! The state machine itself (which representation the window is kept in, one step, when it
//! leaves machine words) is the core's [`State`], here over Python ints ([`Int`]): a value
//! that outgrows the words continues as a Python int, and the promoted iterator runs on
//! CPython's own int arithmetic.

#![forbid(unsafe_code)]

use crate::capi::error::{check_signals, ExcType, PyErr, PyResult};
use crate::capi::exact_int::Int;
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
    /// The coefficients as given (exact ints). The attribute builds a tuple from them when
    /// asked: most iterators are never asked, and construction is on the hot path.
    pub(crate) coefficients: Box<[Int]>,
    /// The modulus as given, or None.
    pub(crate) modulus: Option<Int>,
    /// The window and the arithmetic; mutated by `tp_iternext`.
    state: RefCell<State<Int>>,
}
// ANCHOR_END: iter_state

impl PyClass for IterState {
    fn static_type() -> &'static StaticCell<ffi::PyTypeObject> {
        &super::slots::LUCAS_ITER_TYPE
    }
}

// ANCHOR: state_next
/// The slots' access to the state machine, `advance` aside: each a `RefCell` borrow for as
/// long as it is read or stepped, during which no Python code runs. (`advance` keeps its
/// borrow across the signal checks of its jump; see there.)
impl IterState {
    /// The state for converted arguments (`args::recurrence` checked their shape).
    pub(crate) fn new(coefficients: Vec<Int>, initial: &[Int], modulus: Option<Int>) -> PyResult<IterState> {
        let state = State::new(&coefficients, initial, modulus.as_ref())?;
        Ok(IterState { coefficients: coefficients.into_boxed_slice(), modulus, state: RefCell::new(state) })
    }

    /// Yields the current value and advances (the body of `tp_iternext`).
    #[inline(always)]
    pub(crate) fn next(&self) -> PyResult<Int> {
        let mut state = self.state.try_borrow_mut().map_err(|_| already_running())?;
        state.next(self.modulus.as_ref())
    }

    /// The current window x_n .. x_{n+k-1}, oldest first.
    pub(crate) fn window(&self) -> PyResult<Vec<Int>> {
        self.state.try_borrow().map_err(|_| already_running())?.window()
    }

    /// Bytes of heap memory the instance owns: the coefficients array and the state's buffers.
    pub(crate) fn heap_bytes(&self) -> PyResult<usize> {
        let state = self.state.try_borrow().map_err(|_| already_running())?.heap_bytes();
        Ok(std::mem::size_of_val(&*self.coefficients) + state)
    }
}
// ANCHOR_END: state_next

// ANCHOR: advance_state
impl IterState {
    /// Moves the window n terms on (back for a negative n) by the core's jump, then rebuilds
    /// the state machine from the new window. On error nothing changes: the state is replaced
    /// only after everything else succeeded. It stays borrowed while the jump polls for
    /// signals, so a signal handler that calls `next()` on this iterator gets "already
    /// running" instead of a torn state.
    pub(crate) fn advance(&self, n: &Int) -> PyResult<()> {
        let mut state = self.state.try_borrow_mut().map_err(|_| already_running())?;
        let convert = |v: &[Int]| v.iter().map(|x| pyint::to_integer(x.borrow())).collect::<PyResult<Vec<_>>>();
        let (coef, window) = (convert(&self.coefficients)?, convert(&state.window()?)?);
        let modulus = self.modulus.as_ref().map(|m| pyint::to_modulus(m.borrow())).transpose()?;
        let (limbs, negative) = pyint::signed_limbs(n.borrow())?;
        let index = Index::new(&limbs, negative);
        let moved =
            lucas_core::jump::nth_term(&coef, &window, &index, modulus.as_ref(), Output::Window, &mut check_signals)
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
