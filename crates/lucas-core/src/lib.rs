//! `lucas-core`: the arithmetic behind the `lucas` extension module, with no FFI.
//!
//! Nothing here names the C API or holds a Python object: the crate does not depend on
//! pyo3-ffi, and `unsafe` is forbidden, so the compiler keeps the layer apart from the
//! extension above it (the repository's root crate, which converts Python ints to the types
//! here once and the results back once). Its tests run with `cargo test -p lucas-core` on a
//! machine without Python. One folder per concept; docs/architecture.md lists every file.

#![forbid(unsafe_code)]

pub mod bigint;
pub mod find;
pub mod iterate;
pub mod jump;
pub mod modular;
pub mod primality;
pub mod terms;
