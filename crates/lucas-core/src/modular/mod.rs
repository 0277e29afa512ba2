//! Arithmetic modulo m without division: m of one machine word, odd m of several in
//! Montgomery form or of the form 2^k − c, powers of two, and [`big::BigModulus`], which picks
//! among them for any m of 2**64 or more and joins an even m's parts by the CRT.

pub mod big;
pub mod limbs;
pub mod mont;
pub mod pow2;
pub mod special;
pub mod word;

use big::BigModulus;

/// The largest modulus the extension accepts, in bits, and the largest n of its
/// probable-prime tests (the same arithmetic). The work between two polls is bounded there:
/// a Montgomery product is a few of the backend's products, which no poll can split, and an
/// iterator's step by a coefficient of 2**64 or more is a product and a division of the
/// modulus's size, which run with the GIL held.
pub const MAX_MODULUS_BITS: u64 = 1 << 19;

/// The message for an argument `name` of `bits` bits, above [`MAX_MODULUS_BITS`].
pub fn too_large_message(func: &str, name: &str, bits: u64) -> String {
    format!("{func}() argument '{name}' has {bits} bits, more than the limit of 2**{}", MAX_MODULUS_BITS.ilog2())
}

/// The modulus of a call (a positive integer), in the form its arithmetic runs on.
#[derive(Clone, Debug)]
pub enum Modulus {
    /// 1 <= m < 2**64: residues are machine words.
    Word(u64),
    /// m >= 2**64: residues are limbs, on the rings [`BigModulus`] chose for m.
    Big(Box<BigModulus>),
}

impl Modulus {
    /// The modulus given as little-endian limbs (m >= 1).
    pub fn from_limbs(m: &[u64]) -> Modulus {
        match limbs::trimmed(m) {
            [] => panic!("a modulus is positive"),
            [w] => Modulus::Word(*w),
            _ => Modulus::Big(Box::new(BigModulus::new(m))),
        }
    }
}
