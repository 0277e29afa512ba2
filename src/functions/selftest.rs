//! Deliberate faults, compiled only with `--features selftest`, so that the checks that
//! guard lucas can prove they are able to fail: the panic guard (a panic must become a
//! SystemError), valgrind's leak check (memory that is never freed) and the debug
//! interpreter's reference totals (a count that is never given back). The shipped module
//! never contains them.

use crate::capi::error::PyResult;
use crate::capi::method_def::{method, method_table, Function};
use crate::capi::refs::{none, Borrowed, Owned};
use crate::capi::static_cell::StaticCell;
use pyo3_ffi as ffi;
use std::ffi::CStr;

/// `_selftest_panic()`: panics inside the boundary guard.
struct SelftestPanic;

impl Function<0> for SelftestPanic {
    const NAME: &'static CStr = c"_selftest_panic";
    const DOC: &'static CStr = c"_selftest_panic()\n--\n\nPanic inside the boundary guard (selftest builds only).";
    const PARAMS: [&'static str; 0] = [];
    const TAKES_MOD: bool = false;

    fn call(_: [Borrowed; 0], _: Option<Borrowed>) -> PyResult<Owned> {
        panic!("selftest panic")
    }
}

/// `_selftest_leak_memory()`: 4 KiB of Rust heap that is never freed ("definitely lost").
struct SelftestLeakMemory;

impl Function<0> for SelftestLeakMemory {
    const NAME: &'static CStr = c"_selftest_leak_memory";
    const DOC: &'static CStr = c"_selftest_leak_memory()\n--\n\nLeak 4 KiB of heap (selftest builds only).";
    const PARAMS: [&'static str; 0] = [];
    const TAKES_MOD: bool = false;

    fn call(_: [Borrowed; 0], _: Option<Borrowed>) -> PyResult<Owned> {
        selftest_leak_memory();
        Ok(none())
    }
}

/// The leak itself, a function of its own: valgrind_check.py finds the selftest build by this
/// symbol.
#[inline(never)]
fn selftest_leak_memory() {
    let lost: Box<[u8]> = vec![0x5a; 4096].into_boxed_slice();
    // black_box: the optimiser may otherwise drop an allocation nobody reads.
    std::hint::black_box(Box::leak(lost));
}

// ANCHOR: selftest_leak_ref
/// `_selftest_leak_ref(obj)`: takes a reference to `obj` and never releases it.
struct SelftestLeakRef;

impl Function<1> for SelftestLeakRef {
    const NAME: &'static CStr = c"_selftest_leak_ref";
    const DOC: &'static CStr =
        c"_selftest_leak_ref(obj, /)\n--\n\nLeak one reference to the argument (selftest builds only).";
    const PARAMS: [&'static str; 1] = ["obj"];
    const TAKES_MOD: bool = false;

    fn call([obj]: [Borrowed; 1], _: Option<Borrowed>) -> PyResult<Owned> {
        std::mem::forget(obj.new_ref());
        Ok(none())
    }
}
// ANCHOR_END: selftest_leak_ref

pub static SELFTEST_METHODS: StaticCell<[ffi::PyMethodDef; 4]> = StaticCell::new(method_table([
    method::<SelftestPanic, 0>(),
    method::<SelftestLeakMemory, 0>(),
    method::<SelftestLeakRef, 1>(),
    ffi::PyMethodDef::zeroed(),
]));
