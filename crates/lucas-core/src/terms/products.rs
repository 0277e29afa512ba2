//! Products and squares of limb slices for the exact ladder of [`super::small`] (pure Rust, no
//! FFI): the schoolbook kernels of [`crate::modular::limbs`] on short operands, Karatsuba
//! above [`MUL_KARATSUBA_MIN`] and [`SQR_KARATSUBA_MIN`] limbs, every intermediate value in a
//! scratch area the caller provides, so that a ladder of many products allocates nothing.
//!
//! Karatsuba splits a = a0 + a1·X, b = b0 + b1·X at X = 2^(64·h) and gets the middle term
//! a0·b1 + a1·b0 from one product of the halves' sums, (a0 + a1)(b0 + b1) − a0·b0 − a1·b1:
//! three half-size products instead of four. A square takes the difference instead,
//! a0² + a1² − (a0 − a1)², whose operand has no carry limb and whose sign does not matter.
//! The thresholds come from timing each kernel on both sides of them (bench/NOTES.md).

#![forbid(unsafe_code)]

use crate::modular::limbs::{adc, add_in_place, addmul_2, mac, mul_into, sub_in_place, trimmed};
use std::cmp::Ordering;

/// The shorter operand's size, in limbs, from which a product splits.
pub const MUL_KARATSUBA_MIN: usize = 36;
/// The operand's size, in limbs, from which a square splits.
pub const SQR_KARATSUBA_MIN: usize = 44;

const fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// The scratch limbs [`mul`] and [`sqr`] need for operands of at most `n` limbs.
pub const fn scratch_len(n: usize) -> usize {
    if n < min(MUL_KARATSUBA_MIN, SQR_KARATSUBA_MIN) {
        0
    } else {
        // A level takes at most 5·⌈n/2⌉ + 4 limbs and hands the rest to the next, of at
        // most ⌈n/2⌉ + 1 limbs: 5n plus a few limbs per level.
        5 * n + 128
    }
}

/// x += y at the bottom of x (y no longer than x); the carry out of x's top must be zero.
fn add_to(x: &mut [u64], y: &[u64]) {
    let carry = add_in_place(x, trimmed(y));
    debug_assert!(!carry, "the sum fits");
}

/// x −= y (y no larger than x as a value, but maybe longer with high zero limbs).
fn sub_from(x: &mut [u64], y: &[u64]) {
    let borrow = sub_in_place(x, trimmed(y));
    debug_assert!(!borrow, "the difference is not negative");
}

/// out = a + b (padded to out's length: out.len() > max(a.len(), b.len())).
fn sum_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    out.fill(0);
    out[..a.len()].copy_from_slice(a);
    add_to(out, b);
}

/// out = a·b, `out.len() == a.len() + b.len()`; `scratch` at least [`scratch_len`] of the
/// longer operand's length.
pub fn mul(out: &mut [u64], a: &[u64], b: &[u64], scratch: &mut [u64]) {
    debug_assert_eq!(out.len(), a.len() + b.len());
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if fixed_size(out, a, b) {
        return;
    }
    let h = a.len().div_ceil(2);
    // Karatsuba needs both operands split: b longer than the half.
    if b.len() < MUL_KARATSUBA_MIN || b.len() <= h {
        mul_into(out, a, b);
        return;
    }
    let ((a0, a1), (b0, b1)) = (a.split_at(h), b.split_at(h));
    let (sa, rest) = scratch.split_at_mut(h + 1);
    let (sb, rest) = rest.split_at_mut(h + 1);
    let (mid, rest) = rest.split_at_mut(2 * h + 2);
    sum_into(sa, a0, a1);
    sum_into(sb, b0, b1);
    mul(mid, sa, sb, rest);
    let (low, high) = out.split_at_mut(2 * h);
    mul(low, a0, b0, rest);
    mul(high, a1, b1, rest);
    sub_from(mid, low);
    sub_from(mid, high);
    add_to(&mut out[h..], trimmed(mid));
}

/// out = a², `out.len() == 2·a.len()`; `scratch` at least [`scratch_len`] of a's length.
pub fn sqr(out: &mut [u64], a: &[u64], scratch: &mut [u64]) {
    debug_assert_eq!(out.len(), 2 * a.len());
    if fixed_size(out, a, a) {
        return;
    }
    if a.len() < SQR_KARATSUBA_MIN {
        sqr_basecase(out, a);
        return;
    }
    let h = a.len().div_ceil(2);
    let (a0, a1) = a.split_at(h);
    let (d, rest) = scratch.split_at_mut(h);
    let (dd, rest) = rest.split_at_mut(2 * h);
    let (mid, rest) = rest.split_at_mut(2 * h + 1);
    // d = |a0 − a1|, a1 zero-extended to h limbs.
    d.fill(0);
    d[..a1.len()].copy_from_slice(a1);
    if compare(a0, d) == Ordering::Less {
        sub_from(d, a0);
    } else {
        d.copy_from_slice(a0);
        sub_from(d, a1);
    }
    sqr(dd, d, rest);
    let (low, high) = out.split_at_mut(2 * h);
    sqr(low, a0, rest);
    sqr(high, a1, rest);
    // The middle term a0² + a1² − (a0 − a1)² = 2·a0·a1, added at h.
    sum_into(mid, low, high);
    sub_from(mid, dd);
    add_to(&mut out[h..], trimmed(mid));
}

/// out = a², schoolbook: the cross products a_i·a_j (i < j) once, two rows per pass as
/// [`mul_into`] does, then doubled, then the squares a_i² added on the diagonal.
fn sqr_basecase(out: &mut [u64], a: &[u64]) {
    let n = a.len();
    out.fill(0);
    let mut i = 0;
    while i + 1 < n {
        // Rows i and i + 1: a_i·a_{i+1} at 2i + 1, then (a_i + a_{i+1}·2^64)·a[i+2..] at 2i + 2.
        let (lo, hi) = wide(a[i], a[i + 1]);
        let carried = add_in_place(&mut out[2 * i + 1..], &[lo, hi]);
        debug_assert!(!carried);
        if i + 2 < n {
            addmul_2(&mut out[2 * i + 2..], a[i], a[i + 1], &a[i + 2..]);
        }
        i += 2;
    }
    let mut top = 0;
    for l in out.iter_mut() {
        let next = *l >> 63;
        *l = (*l << 1) | top;
        top = next;
    }
    let mut carry = false;
    for (pair, &x) in out.chunks_exact_mut(2).zip(a) {
        let (lo, hi) = wide(x, x);
        let c;
        (pair[0], c) = adc(pair[0], lo, carry);
        (pair[1], carry) = adc(pair[1], hi, c);
    }
}

/// out = a·b on fixed arrays when a, the longer operand, has at most eight limbs; false
/// (nothing written) otherwise.
#[inline(always)]
fn fixed_size(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    match a.len() {
        1 => (out[0], out[1]) = wide(a[0], b[0]),
        2 => fixed::<2>(out, a, b),
        3 => fixed::<3>(out, a, b),
        4 => fixed::<4>(out, a, b),
        5 => fixed::<5>(out, a, b),
        6 => fixed::<6>(out, a, b),
        7 => fixed::<7>(out, a, b),
        8 => fixed::<8>(out, a, b),
        _ => return false,
    }
    true
}

/// out = a·b for operands of at most N <= 8 limbs, on arrays of a size known at compile time:
/// the loops unroll, where the slice kernels' bookkeeping would cost more than the few limb
/// products of the first steps of a ladder.
#[inline(always)]
fn fixed<const N: usize>(out: &mut [u64], a: &[u64], b: &[u64]) {
    let (mut x, mut y, mut t) = ([0u64; N], [0u64; N], [0u64; 16]);
    for (d, &s) in x.iter_mut().zip(a) {
        *d = s;
    }
    for (d, &s) in y.iter_mut().zip(b) {
        *d = s;
    }
    for i in 0..N {
        let mut carry = 0;
        for j in 0..N {
            (t[i + j], carry) = mac(t[i + j], x[i], y[j], carry);
        }
        t[i + N] = carry;
    }
    // The limbs above a.len() + b.len() are zero.
    for (d, &s) in out.iter_mut().zip(&t) {
        *d = s;
    }
}

/// x·y as (low, high) limbs.
fn wide(x: u64, y: u64) -> (u64, u64) {
    let p = u128::from(x) * u128::from(y);
    (p as u64, (p >> 64) as u64)
}

/// Compares two numbers of the same length.
fn compare(a: &[u64], b: &[u64]) -> Ordering {
    a.iter().rev().cmp(b.iter().rev())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random limbs, some all ones (the carries' worst case).
    fn limbs(n: usize, seed: u64) -> Vec<u64> {
        let mut s = seed | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                if i % 5 == 3 {
                    u64::MAX
                } else {
                    s
                }
            })
            .collect()
    }

    #[test]
    fn products_and_squares_match_schoolbook_across_the_thresholds() {
        let sizes = (1..=70).chain([95, 96, 97, 130]);
        for n in sizes {
            for (a, b) in [(limbs(n, 7), limbs(n, 11)), (vec![u64::MAX; n], vec![u64::MAX; n])] {
                for m in [n, n.saturating_sub(1).max(1), (n / 2).max(1)] {
                    let b = &b[..m];
                    let mut want = vec![0; n + m];
                    mul_into(&mut want, &a, b);
                    let (mut got, mut scratch) = (vec![0; n + m], vec![0; scratch_len(n)]);
                    mul(&mut got, &a, b, &mut scratch);
                    assert_eq!(got, want, "{n} x {m}");
                    mul(&mut got, b, &a, &mut scratch);
                    assert_eq!(got, want, "{m} x {n}");
                }
                let mut want = vec![0; 2 * n];
                mul_into(&mut want, &a, &a);
                let (mut got, mut scratch) = (vec![0; 2 * n], vec![0; scratch_len(n)]);
                sqr(&mut got, &a, &mut scratch);
                assert_eq!(got, want, "{n}²");
            }
        }
    }
}
