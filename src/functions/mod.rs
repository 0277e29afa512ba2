//! The module's functions: each converts its arguments once, calls the arithmetic of
//! `lucas_core` and turns the result into a Python object once.

pub(crate) mod find;
pub(crate) mod nth_term;
pub(crate) mod primality;
#[cfg(feature = "selftest")]
pub(crate) mod selftest;
pub(crate) mod terms;
