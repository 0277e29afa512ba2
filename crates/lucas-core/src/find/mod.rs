//! Finding the shortest linear recurrence that generates given terms: Berlekamp–Massey
//! (pure Rust, no FFI).
//!
//! | file | what |
//! |---|---|
//! | `bm.rs` | the algorithm, generic over a ring with units |
//! | `rings.rs` | the rings it runs on: odd words (Montgomery), powers of two, big integers |
//! | `modular.rs` | modulo any m: the run modulo m, split at a revealed factor, CRT |
//! | `reeds_sloane.rs` | modulo a prime power where Berlekamp–Massey would divide by a multiple of p |
//! | `rational.rs` | over Q, exactly: runs modulo word primes, reconstruction, proof |
//!
//! Every result is in `LucasIter`'s convention: coefficients c_0 .. c_{k-1} with
//! x_{t+k} = c_0·x_t + ... + c_{k-1}·x_{t+k-1}, their number k being the order.

#![forbid(unsafe_code)]

mod bm;
mod modular;
mod rational;
mod reeds_sloane;
mod rings;

pub use modular::{find_mod_big, find_mod_word, Found, Refusal};
pub use rational::{find_exact, Fractions};
