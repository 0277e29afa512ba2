//! The backend's products and inverse on plain limb slices, for the modular rings of many
//! limbs ([`crate::modular`]): above a measured size their products are the backend's
//! sub-quadratic ones (Karatsuba, Toom, NTT) rather than schoolbook. Like the rest of this
//! folder, this file names the library; the callers see slices.

#![forbid(unsafe_code)]

use puremp::nat::Nat;
use puremp::Int;

/// Copies a natural number's limbs into `out`, zero above.
fn store(x: &Nat, out: &mut [u64]) {
    let limbs = x.as_limbs();
    out[..limbs.len()].copy_from_slice(limbs);
    out[limbs.len()..].fill(0);
}

/// out = a·b, `out.len() == a.len() + b.len()`.
pub fn mul(out: &mut [u64], a: &[u64], b: &[u64]) {
    debug_assert_eq!(out.len(), a.len() + b.len());
    store(&Nat::from_limbs(a).mul(&Nat::from_limbs(b)), out);
}

/// out = a², `out.len() == 2·a.len()`.
pub fn sqr(out: &mut [u64], a: &[u64]) {
    debug_assert_eq!(out.len(), 2 * a.len());
    store(&Nat::from_limbs(a).square(), out);
}

/// a^(−1) mod m (m > 1) as limbs of m's length, or None when gcd(a, m) > 1.
pub fn mod_inverse(a: &[u64], m: &[u64]) -> Option<Vec<u64>> {
    let mi = Int::from(Nat::from_limbs(m));
    let inv = Int::from(Nat::from_limbs(a)).modinv(&mi)?;
    let mut out = vec![0u64; m.len()];
    store(&inv.magnitude(), &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_match_a_closed_form_across_thresholds() {
        for k in [1usize, 31, 32, 33, 127, 128, 129, 700] {
            let a = vec![u64::MAX; k];
            let (mut p, mut s) = (vec![0; 2 * k], vec![0; 2 * k]);
            mul(&mut p, &a, &a);
            sqr(&mut s, &a);
            // (R − 1)² = R² − 2R + 1
            let mut want = vec![u64::MAX; 2 * k];
            want[..k].fill(0);
            want[0] = 1;
            want[k] = u64::MAX - 1;
            assert_eq!(p, want, "k={k}");
            assert_eq!(s, want, "k={k}");
        }
    }

    #[test]
    fn inverses() {
        assert_eq!(mod_inverse(&[3], &[7]), Some(vec![5]));
        assert_eq!(mod_inverse(&[6], &[9]), None);
        // 2·(2^64 + 1)/2 ... the inverse of 2 modulo 2^64 + 1 is 2^63 + 1.
        assert_eq!(mod_inverse(&[2], &[1, 1]), Some(vec![(1 << 63) + 1, 0]));
    }
}
