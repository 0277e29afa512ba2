//! `lucas`: Lucas sequences and linear recurrences for Python, written over the raw C API.
//!
//! This crate is the extension module: everything that touches CPython, the things that
//! macro layers such as PyO3's `#[pymodule]`/`#[pyclass]` normally generate. The arithmetic
//! is the `lucas_core` crate (crates/lucas-core), which cannot name the C API. `module.rs`
//! sits on top; `functions/` holds the module functions, `lucas_iter/` the `LucasIter` type,
//! `capi/` the wrappers both stand on. docs/architecture.md lists every file and draws the
//! path of one call.

mod capi;
mod functions;
mod lucas_iter;
mod module;
