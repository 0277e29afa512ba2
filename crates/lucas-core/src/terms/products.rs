//! Products and squares of limb slices for the exact ladder of [`super::small`] (pure Rust, no
//! FFI): the schoolbook kernels of [`crate::modular::limbs`] on short operands, Karatsuba
//! above [`MUL_KARATSUBA_MIN`] and [`SQR_KARATSUBA_MIN`] limbs, every intermediate value in a
//! scratch area the caller provides, so that a ladder of many products allocates nothing.
//!
//! Karatsuba splits a = a0 + a1·X, b = b0 + b1·X at X = 2^(64·h) and gets the middle term
//! a0·b1 + a1·b0 from one product of the halves' differences,
//! a0·b0 + a1·b1 − (a0 − a1)(b0 − b1): three half-size products instead of four. The
//! differences, unlike sums, have no carry limb, so the third product is h by h limbs like
//! the other two; their signs decide whether it is added or subtracted. A square is the case
//! a = b: a0² + a1² − (a0 − a1)², whose sign does not matter. The thresholds come from timing
//! each kernel on both sides of them (bench/NOTES.md).

#![forbid(unsafe_code)]

use crate::modular::limbs::{adc, addmul_2, mac, mul_into, sbb, sqr_into};
use std::cmp::Ordering;

/// The shorter operand's size, in limbs, from which a product splits.
pub const MUL_KARATSUBA_MIN: usize = 20;
/// The operand's size, in limbs, from which a square splits.
pub const SQR_KARATSUBA_MIN: usize = 48;

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
        // A level takes at most 6·⌈n/2⌉ + 1 limbs and hands the rest to the next, of at
        // most ⌈n/2⌉ limbs: 6n plus a few limbs per level.
        6 * n + 128
    }
}

/// x += y (y no longer than x), the carry run through x's upper limbs; returns the carry
/// out of x's top. A tight loop over y, then the carry alone: these passes are what a
/// Karatsuba level costs beyond its three products.
#[inline]
fn add_assign(x: &mut [u64], y: &[u64]) -> bool {
    let (low, high) = x.split_at_mut(y.len());
    let mut carry = false;
    for (a, &b) in low.iter_mut().zip(y) {
        (*a, carry) = adc(*a, b, carry);
    }
    for a in high {
        if !carry {
            break;
        }
        (*a, carry) = a.overflowing_add(1);
    }
    carry
}

/// x −= y (y no longer than x), the borrow run through x's upper limbs; returns the borrow
/// out of x's top.
#[inline]
fn sub_assign(x: &mut [u64], y: &[u64]) -> bool {
    let (low, high) = x.split_at_mut(y.len());
    let mut borrow = false;
    for (a, &b) in low.iter_mut().zip(y) {
        (*a, borrow) = sbb(*a, b, borrow);
    }
    for a in high {
        if !borrow {
            break;
        }
        (*a, borrow) = a.overflowing_sub(1);
    }
    borrow
}

/// out = |x − y| for x of out's length and y no longer (the halves of a Karatsuba split);
/// whether x < y.
fn abs_diff(out: &mut [u64], x: &[u64], y: &[u64]) -> bool {
    let n = y.len();
    let x_less = x[n..].iter().all(|&l| l == 0) && compare(&x[..n], y) == Ordering::Less;
    if x_less {
        out[n..].fill(0);
        out[..n].copy_from_slice(y);
        sub_assign(&mut out[..n], &x[..n]);
    } else {
        out.copy_from_slice(x);
        sub_assign(out, y);
    }
    x_less
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
    let (da, rest) = scratch.split_at_mut(h);
    let (db, rest) = rest.split_at_mut(h);
    let (mid, rest) = rest.split_at_mut(2 * h + 1);
    // The middle term a0·b1 + a1·b0 = a0·b0 + a1·b1 − (a0 − a1)(b0 − b1): the differences
    // have h limbs, where sums would carry into one more.
    let negative = abs_diff(da, a0, a1) != abs_diff(db, b0, b1);
    let (low, high) = out.split_at_mut(2 * h);
    mul(low, a0, b0, rest);
    mul(high, a1, b1, rest);
    let (product, rest) = rest.split_at_mut(2 * h);
    mul(product, da, db, rest);
    mid[..2 * h].copy_from_slice(low);
    mid[2 * h] = 0;
    let carried = add_assign(mid, high);
    debug_assert!(!carried);
    let wrapped = if negative { add_assign(mid, product) } else { sub_assign(mid, product) };
    debug_assert!(!wrapped, "the middle term is a non-negative value of 2h + 1 limbs");
    let top = out.len() - h;
    let carried = add_assign(&mut out[h..], &mid[..(2 * h + 1).min(top)]);
    debug_assert!(!carried && mid[(2 * h + 1).min(top)..].iter().all(|&l| l == 0), "the product fits");
}

/// out = a², `out.len() == 2·a.len()`; `scratch` at least [`scratch_len`] of a's length.
pub fn sqr(out: &mut [u64], a: &[u64], scratch: &mut [u64]) {
    debug_assert_eq!(out.len(), 2 * a.len());
    if fixed_size_sqr(out, a) {
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
    abs_diff(d, a0, a1);
    sqr(dd, d, rest);
    let (low, high) = out.split_at_mut(2 * h);
    sqr(low, a0, rest);
    sqr(high, a1, rest);
    // The middle term a0² + a1² − (a0 − a1)² = 2·a0·a1, added at h.
    mid[..2 * h].copy_from_slice(low);
    mid[2 * h] = 0;
    let carried = add_assign(mid, high);
    debug_assert!(!carried);
    let borrowed = sub_assign(mid, dd);
    debug_assert!(!borrowed);
    let top = out.len() - h;
    let carried = add_assign(&mut out[h..], &mid[..(2 * h + 1).min(top)]);
    debug_assert!(!carried && mid[(2 * h + 1).min(top)..].iter().all(|&l| l == 0), "the square fits");
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
        let carried = add_assign(&mut out[2 * i + 1..], &[lo, hi]);
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

/// out = a² on fixed arrays when a has at most eight limbs; false (nothing written)
/// otherwise.
#[inline(always)]
fn fixed_size_sqr(out: &mut [u64], a: &[u64]) -> bool {
    match a.len() {
        1 => (out[0], out[1]) = wide(a[0], a[0]),
        2 => fixed_sqr::<2>(out, a),
        3 => fixed_sqr::<3>(out, a),
        4 => fixed_sqr::<4>(out, a),
        5 => fixed_sqr::<5>(out, a),
        6 => fixed_sqr::<6>(out, a),
        7 => fixed_sqr::<7>(out, a),
        8 => fixed_sqr::<8>(out, a),
        _ => return false,
    }
    true
}

/// out = a² for a of N <= 8 limbs: [`sqr_into`] (each cross product once, doubled, then
/// the squares on the diagonal) on arrays of a size known at compile time, so its loops
/// unroll.
#[inline(always)]
fn fixed_sqr<const N: usize>(out: &mut [u64], a: &[u64]) {
    let (mut x, mut t) = ([0u64; N], [0u64; 16]);
    x.copy_from_slice(a);
    sqr_into(&mut t[..2 * N], &x);
    out.copy_from_slice(&t[..2 * N]);
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
