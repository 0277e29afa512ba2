//! `lucas`: Lucas sequences and linear recurrences for Python, written over the raw C API.
//!
//! Each file holds one concept of a CPython extension module, the things that macro
//! layers such as pyo3's `#[pymodule]`/`#[pyclass]` normally generate:
//!
//! | file | concept |
//! |---|---|
//! | `module.rs` | `PyInit_lucas`, the static `PyModuleDef` |
//! | `lucas_iter.rs` | the `LucasIter` type: a static `PyTypeObject` and its slots |
//! | `functions.rs` | the module's functions (`METH_FASTCALL`), n-th terms |
//! | `args.rs` | parsing and converting arguments by hand |
//! | `boundary.rs` | the panic guard every `extern "C"` entry point runs through |
//! | `refs.rs` | RAII owners of new and borrowed references |
//! | `error.rs` | the error indicator as a Rust `Result` |
//! | `pyint.rs` | Python int arithmetic through the number protocol |
//! | `cstatic.rs` | static C structures that CPython writes into |
//! | `arith.rs`, `ring.rs` | one step of a recurrence on machine words, and its window (no FFI) |
//! | `ladder.rs` | n-th terms by doubling, generic over the number type (no FFI) |
//! | `modword.rs` | arithmetic modulo a word: Montgomery form, 2^s, CRT (no FFI) |
//! | `modlimbs.rs` | arithmetic modulo a multi-word odd n: Montgomery form, CIOS (no FFI) |
//! | `primality.rs` | Miller–Rabin, Lucas and Baillie–PSW probable-prime tests (no FFI) |
//! | `prime_tests.rs` | the probable-prime tests as module functions (their own method table) |
//! | `layout.rs` | the check that Rust's struct layouts match the C headers |
//! | `selftest.rs` | deliberate faults for the checks' self-tests (`--features selftest` only) |

pub mod args;
pub mod arith;
pub mod boundary;
pub mod cstatic;
pub mod error;
pub mod functions;
pub mod ladder;
pub mod lucas_iter;
pub mod modlimbs;
pub mod module;
pub mod modword;
pub mod primality;
pub mod prime_tests;
pub mod pyint;
pub mod refs;
pub mod ring;
#[cfg(feature = "selftest")]
mod selftest;

#[cfg(test)]
mod layout;
#[cfg(test)]
mod testing;
