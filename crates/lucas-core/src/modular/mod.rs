//! Arithmetic modulo m without division: m of one machine word, and odd m of several.

pub mod limbs;
pub mod word;

use crate::bigint::Big;

/// The modulus of a call (a positive integer), in the form its arithmetic runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modulus {
    /// 1 <= m < 2**64: residues are machine words.
    Word(u64),
    /// m >= 2**64.
    Big(Big),
}
