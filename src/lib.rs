//! `lucas`: Lucas sequences and linear recurrences for Python, written over the raw C API.
//!
//! Each file holds one concept of a CPython extension module, the things that macro
//! layers such as pyo3's `#[pymodule]`/`#[pyclass]` normally generate. How these files
//! form layers, where `unsafe` may appear and the call path of `next(it)`:
//! docs/architecture.md.
//!
//! | file | concept |
//! |---|---|
//! | `module.rs` | `PyInit_lucas`, the static `PyModuleDef`, `__all__` |
//! | `lucas_iter.rs` | the `LucasIter` type: a static `PyTypeObject` and its slots |
//! | `iter_engine.rs` | `LucasIter`'s state: word or Python-int window, one step, promotion |
//! | `functions.rs` | the module's functions (`METH_FASTCALL`): parsing and conversion |
//! | `methods.rs` | a module function's `PyMethodDef` entry and its entry point's common body |
//! | `args.rs` | parsing and converting arguments by hand |
//! | `boundary.rs` | the panic guard every `extern "C"` entry point runs through |
//! | `refs.rs` | RAII owners of new and borrowed references |
//! | `error.rs` | the error indicator as a Rust `Result` (sits on `refs.rs`) |
//! | `objects.rs` | tuples, interned names, method calls: services that can fail |
//! | `exact_int.rs` | a borrowed exact int: the operations that run no Python code |
//! | `pyint.rs` | Python int arithmetic through the number protocol |
//! | `cstatic.rs` | static C structures that CPython writes into |
//! | `critical_section.rs` | the per-object lock of free-threaded CPython (PEP 703) |
//! | `arith.rs`, `ring.rs` | one step of a recurrence on machine words, and its window (no FFI) |
//! | `ladder.rs` | n-th terms by doubling, generic over the number type (no FFI) |
//! | `exact_terms.rs` | n-th terms without mod: sizes, degenerate cases, the ladders on big integers (no FFI) |
//! | `fib_small.rs` | F_n and L_n just past the word, on stack buffers without allocation (no FFI) |
//! | `bigint.rs` | the big-integer backend behind one small type, `Big` (no FFI) |
//! | `modword.rs` | arithmetic modulo a word: Montgomery form, 2^s, CRT (no FFI) |
//! | `modlimbs.rs` | arithmetic modulo a multi-word odd n: Montgomery form, CIOS (no FFI) |
//! | `primality.rs` | Miller–Rabin, Lucas and Baillie–PSW probable-prime tests (no FFI) |
//! | `prime_tests.rs` | the probable-prime tests as module functions (their own method table) |
//! | `linrec.rs` | jump-ahead: x^n modulo the characteristic polynomial, any order (no FFI) |
//! | `ntt.rs` | polynomial products modulo any word by number-theoretic transforms and the CRT (no FFI) |
//! | `jump_rings.rs` | the big-integer rings jump-ahead runs on: exact, and modulo m >= 2**64 (no FFI) |
//! | `nth_term.rs` | `nth_term` and the jump behind `LucasIter.advance` (entry point) |
//! | `layout.rs` | the check that Rust's struct layouts match the C headers |
//! | `selftest.rs` | deliberate faults for the checks' self-tests (`--features selftest` only) |
//! | `testing.rs` | an embedded interpreter for `cargo test` (tests only) |

mod args;
mod arith;
mod bigint;
mod boundary;
mod critical_section;
mod cstatic;
mod error;
mod exact_int;
mod exact_terms;
mod fib_small;
mod functions;
mod iter_engine;
mod jump_rings;
mod ladder;
mod linrec;
mod lucas_iter;
mod methods;
mod modlimbs;
mod module;
mod modword;
mod nth_term;
mod ntt;
mod objects;
mod primality;
mod prime_tests;
mod pyint;
mod refs;
mod ring;
#[cfg(feature = "selftest")]
mod selftest;

#[cfg(test)]
mod layout;
#[cfg(test)]
mod testing;
