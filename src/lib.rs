//! `lucas`: Lucas sequences and linear recurrences for Python, written over the raw C API.
//!
//! This crate is the extension module: everything that touches CPython, the things that
//! macro layers such as pyo3's `#[pymodule]`/`#[pyclass]` normally generate. The arithmetic
//! is the `lucas_core` crate (crates/lucas-core), which cannot name the C API. How the
//! folders form layers, where `unsafe` may appear and the path of one call:
//! docs/architecture.md.
//!
//! | folder | what it holds |
//! |---|---|
//! | `module.rs` | `PyInit_lucas`, the static `PyModuleDef`, `__all__` |
//! | `functions/` | the module's functions (`METH_FASTCALL`): their tables, conversions, results |
//! | `lucas_iter/` | the `LucasIter` type: its static `PyTypeObject`, slots and state |
//! | `capi/` | the wrappers every entry point stands on: references, errors, objects, ints, argument binding, the panic guard, statics, critical sections |

mod capi;
mod functions;
mod lucas_iter;
mod module;
