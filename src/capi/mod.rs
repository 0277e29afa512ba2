//! The C-API wrappers and plumbing: where raw pointers become typed values.
//!
//! | file | concept |
//! |---|---|
//! | `refs.rs` | RAII owners of new and borrowed references |
//! | `error.rs` | the error indicator as a Rust `Result` (sits on `refs.rs`) |
//! | `objects.rs` | tuples, interned names, method calls: services that can fail |
//! | `exact_int.rs` | a borrowed exact int: the operations that run no Python code |
//! | `pyint.rs` | Python int arithmetic through the number protocol |
//! | `args.rs` | parsing and converting arguments by hand |
//! | `method_def.rs` | a module function's `PyMethodDef` entry and its entry point's common body |
//! | `boundary.rs` | the panic guard every `extern "C"` entry point runs through |
//! | `cstatic.rs` | static C structures that CPython writes into |
//! | `critical_section.rs` | the per-object lock of free-threaded CPython (PEP 703) |
//! | `gil.rs` | releasing the GIL around pure-Rust work, and polling for signals meanwhile |
//! | `layout.rs` | the check that Rust's struct layouts match the C headers (tests only) |
//! | `testing.rs` | an embedded interpreter for `cargo test` (tests only) |

pub(crate) mod args;
pub(crate) mod boundary;
pub(crate) mod critical_section;
pub(crate) mod cstatic;
pub(crate) mod error;
pub(crate) mod exact_int;
pub(crate) mod gil;
pub(crate) mod method_def;
pub(crate) mod objects;
pub(crate) mod pyint;
pub(crate) mod refs;

#[cfg(test)]
mod layout;
#[cfg(test)]
pub(crate) mod testing;
