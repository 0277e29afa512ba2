//! Arithmetic modulo m without division: m of one machine word, and odd m of several.

pub mod limbs;
pub mod word;
