//! Arithmetic modulo m without division: m of one machine word, odd m of several in
//! Montgomery form or of the form 2^k − c, powers of two, and [`big::BigModulus`], which picks
//! among them for any m of 2**64 or more and joins an even m's parts by the CRT.

pub mod big;
pub mod limbs;
pub mod mont;
pub mod pow2;
pub mod special;
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
