//! The module's functions: each converts its arguments once, calls the arithmetic of
//! `lucas_core` and turns the result into a Python object once.
//!
//! | file | functions |
//! |---|---|
//! | `terms.rs` | `fibonacci`, `lucas`, `lucas_u`, `lucas_v`, `lucas_uv` (the module's own method table) |
//! | `nth_term.rs` | `nth_term`, and the jump behind `LucasIter.advance` |
//! | `find.rs` | `find_recurrence`: from terms to their shortest recurrence |
//! | `primality.rs` | the probable-prime tests `is_strong_prp` ... `is_strong_bpsw_prp` |
//! | `selftest.rs` | deliberate faults for the checks' self-tests (`--features selftest` only) |

pub(crate) mod find;
pub(crate) mod nth_term;
pub(crate) mod primality;
#[cfg(feature = "selftest")]
pub(crate) mod selftest;
pub(crate) mod terms;
