//! `lucas-core`: the arithmetic behind the `lucas` extension module, with no FFI.
//!
//! Nothing here names the C API or holds a Python object: the crate does not depend on
//! pyo3-ffi, and `unsafe` is forbidden, so the compiler keeps the layer apart from the
//! extension above it (the repository's root crate, which converts Python ints to the types
//! here once and the results back once). Its tests run with `cargo test -p lucas-core` on a
//! machine without Python. The folders, one concept each (docs/architecture.md has the
//! picture of the whole):
//!
//! | module | what it holds |
//! |---|---|
//! | [`bigint`] | `Big`, signed big integers on the one big-integer backend |
//! | [`modular`] | arithmetic modulo a word (Montgomery form, 2^s, CRT) and modulo a multi-word odd n |
//! | [`terms`] | n-th terms: the doubling ladders, exact terms and their sizes, F and L on stack buffers |
//! | [`iterate`] | one step of a recurrence on machine words, and the window of the last k values |
//! | [`jump`] | jump-ahead: x^n modulo the characteristic polynomial, transforms, big-integer rings |
//! | [`primality`] | Miller–Rabin, Lucas and Baillie–PSW probable-prime tests |
//! | [`find`] | from terms to their shortest recurrence: Berlekamp–Massey, exactly and modulo any m |

#![forbid(unsafe_code)]

pub mod bigint;
pub mod find;
pub mod iterate;
pub mod jump;
pub mod modular;
pub mod primality;
pub mod terms;
