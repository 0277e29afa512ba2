//! (U_n, V_n) of the Lucas sequences for word-sized P and Q and results of up to
//! [`MAX_BITS`] bits, on limb buffers (pure Rust, no FFI).
//!
//! The general ladder ([`crate::terms::ladder::lucas_uv_halving_with`] on [`crate::bigint::Big`])
//! allocates a vector for each of the dozen values a step makes; at these sizes that is
//! most of a call. Here every value lives in one of six areas of a work buffer taken once
//! per call (on the stack for the smaller results), and products and squares are
//! [`super::products`]'. The steps are those of the halving ladder, on (U_k, V_k, Q^k):
//!
//! * U_{2k} = U_k·V_k, V_{2k} = V_k² − 2Q^k and Q^{2k} = (Q^k)²: one product, two squares
//!   (the square of Q^k is not taken at the last step, and is of one limb when |Q| <= 1);
//! * for a one bit, U_{2k+1} = (P·U_{2k} + V_{2k})/2 and V_{2k+1} = (D·U_{2k} + P·V_{2k})/2
//!   with D = P² − 4Q, each one pass over the limbs, since P and D are single words.
//!
//! Values are signed (P or Q negative make them so) and kept as sign and magnitude: the
//! products take the magnitudes as they are, and a sum of two terms of opposite signs is a
//! subtraction followed, when it borrows, by a negation (no comparison first).
//!
//! A result that fits an i128 is computed on checked i128 alone; otherwise the top bits of
//! n run first on checked i64, while the values fit one.
//! Every value of the ladder is bounded from the roots α, β of x² − Px + Q: with
//! r = max(|α|, |β|), |V_k| <= 2r^k, |U_k| <= k·r^(k−1) and |Q|^k <= r^(2k), which sizes the
//! areas; the one-bit step's |D·U_{2k}| <= 4r²·2k·r^(2k−1) is the largest of them.

#![forbid(unsafe_code)]

use super::ladder::{lucas_uv_halving, CheckedI128, CheckedI64, SMALL_PARAM};
use super::products::{self, scratch_len};
use crate::modular::limbs::{adc, mac, sbb, shr_in_place, trimmed, Signed};

/// The largest result computed here, in bits (as estimated from the roots); larger ones go
/// to [`crate::bigint`], whose ladder is about as fast from there on and, unlike this one,
/// polls for Ctrl-C and lets other threads run (bench/NOTES.md).
pub const MAX_BITS: f64 = 32768.0;

/// log2 of max(|α|, |β|) for the roots α, β of x² − Px + Q, from above: a little is
/// added for the rounding of the float operations, and 0 is returned for roots on or inside
/// the unit circle (their powers do not grow).
fn root_log2(p: i64, q: i64) -> f64 {
    let (p, q) = (p as f64, q as f64);
    let d = p * p - 4.0 * q;
    let r = if d >= 0.0 { (p.abs() + d.sqrt()) / 2.0 } else { q.abs().sqrt() };
    if r <= 1.0 {
        0.0
    } else {
        r.log2() * (1.0 + 1e-12) + 1e-12
    }
}

/// An upper bound on the bits of every value the ladder makes up to index n, from the
/// bounds of the module documentation: |D·U_{2k}| <= 8k·r^(2k+1), and 3 + bit_length(n) + 2
/// (above log2(8n) + 2) covers the factors and the rounding of the estimate.
fn value_bits(n: u64, growth: f64) -> f64 {
    (n as f64 + 1.0) * growth + f64::from(64 - n.leading_zeros()) + 5.0
}

/// A signed number in a borrowed area: sign and magnitude `area[..len]`, no leading zero
/// limb; zero has length 0 and is never negative.
struct Val<'a> {
    area: &'a mut [u64],
    len: usize,
    negative: bool,
}

impl<'a> Val<'a> {
    fn new(area: &'a mut [u64]) -> Val<'a> {
        Val { area, len: 0, negative: false }
    }

    fn limbs(&self) -> &[u64] {
        &self.area[..self.len]
    }

    fn signed(&self) -> Signed<'_> {
        Signed { negative: self.negative, magnitude: self.limbs() }
    }

    fn set_i64(&mut self, v: i64) {
        self.area[0] = v.unsigned_abs();
        self.len = usize::from(v != 0);
        self.negative = v < 0;
    }

    /// Drops high zero limbs; a zero is not negative.
    fn trim(&mut self, len: usize) {
        self.len = trimmed(&self.area[..len]).len();
        self.negative &= self.len > 0;
    }

    /// `self = a·b`.
    fn set_mul(&mut self, a: &Val, b: &Val, scratch: &mut [u64]) {
        if a.len == 0 || b.len == 0 {
            self.set_i64(0);
            return;
        }
        let n = a.len + b.len;
        products::mul(&mut self.area[..n], a.limbs(), b.limbs(), scratch);
        self.negative = a.negative != b.negative;
        self.trim(n);
    }

    /// `self = a²`.
    fn set_sqr(&mut self, a: &Val, scratch: &mut [u64]) {
        if a.len == 0 {
            self.set_i64(0);
            return;
        }
        let n = 2 * a.len;
        products::sqr(&mut self.area[..n], a.limbs(), scratch);
        self.negative = false;
        self.trim(n);
    }

    /// `self = (s·a + t·b) / 2^H` for single-word s, t and H = 0 or 1 (the sum is then even):
    /// one pass over the limbs with the two products' carries in flight, a subtraction
    /// where the terms' signs differ, negated if it borrows.
    fn set_lin<const H: u32>(&mut self, a: &Val, s: i64, b: &Val, t: i64) {
        let (a_negative, b_negative) = (a.negative != (s < 0), b.negative != (t < 0));
        let (s, t) = (s.unsigned_abs(), t.unsigned_abs());
        let subtract = a_negative != b_negative;
        // s·a and t·b fit one limb more than the longer operand, their sum one more.
        let n = a.len.max(b.len) + 2;
        let out = &mut self.area[..n];
        let (mut carry_a, mut carry_b, mut carry) = (0, 0, false);
        let mut limb = |o: &mut u64, x: u64, y: u64| {
            let (sx, ty);
            (sx, carry_a) = mac(0, x, s, carry_a);
            (ty, carry_b) = mac(0, y, t, carry_b);
            (*o, carry) = if subtract { sbb(sx, ty, carry) } else { adc(sx, ty, carry) };
        };
        // The limbs both operands have, then the longer one's, then the carries' two.
        let (a, b) = (a.limbs(), b.limbs());
        let both = a.len().min(b.len());
        let (low, high) = out.split_at_mut(both);
        for ((o, &x), &y) in low.iter_mut().zip(a).zip(b) {
            limb(o, x, y);
        }
        let (mid, top) = high.split_at_mut(a.len().max(b.len()) - both);
        let (longer, a_longer) = if a.len() > both { (&a[both..], true) } else { (&b[both..], false) };
        for (o, &x) in mid.iter_mut().zip(longer) {
            if a_longer {
                limb(o, x, 0);
            } else {
                limb(o, 0, x);
            }
        }
        for o in top {
            limb(o, 0, 0);
        }
        debug_assert!(carry_a == 0 && carry_b == 0 && (subtract || !carry), "the sum fits n limbs");
        // A borrow out of the top means t·|b| > s·|a|: the limbs hold 2^(64n) − (t·|b| − s·|a|).
        self.negative = if subtract && carry {
            negate(out);
            b_negative
        } else {
            a_negative
        };
        if H > 0 {
            debug_assert!(out[0] & 1 == 0, "halving is exact");
            shr_in_place(out, H);
        }
        self.trim(n);
    }
}

/// x = 2^(64·len) − x: two's complement negation of the limbs.
fn negate(x: &mut [u64]) {
    let mut borrow = false;
    for l in x.iter_mut() {
        (*l, borrow) = sbb(0, *l, borrow);
    }
}

/// (U_n, V_n) for n >= 2, |P|, |Q| <= [`SMALL_PARAM`] and results estimated at up to
/// [`MAX_BITS`] bits, handed to `finish` as sign and magnitude borrowed from the work buffer
/// (never copied out); `None` for other arguments.
pub fn lucas_uv_small<T>(n: u64, p: i64, q: i64, finish: impl FnOnce(Signed, Signed) -> T) -> Option<T> {
    if n < 2 || p.unsigned_abs() > SMALL_PARAM || q.unsigned_abs() > SMALL_PARAM {
        return None;
    }
    let growth = root_log2(p, q);
    if n as f64 * growth > MAX_BITS {
        return None;
    }
    // What the ladder up to index k makes fits a type of `bits` bits with room: its values,
    // and Q^k, of k·log2|Q| bits (none for Q = 0, ±1; the float's rounding covered). The checked
    // arithmetic still decides; an overflow there is a bound gone wrong, and the caller's
    // ladder runs instead.
    let q_bits = if q.unsigned_abs() <= 1 { 0.0 } else { (q.unsigned_abs() as f64).log2() * (1.0 + 1e-12) + 1e-12 };
    let fits = |k: u64, bits: f64| value_bits(k, growth).max(k as f64 * q_bits) < bits;
    if fits(n, 126.0) {
        let (u, v) = lucas_uv_halving(&mut CheckedI128, &p.into(), &q.into(), &[n]).ok()?;
        let (mut u_limbs, mut v_limbs) = ([0; 2], [0; 2]);
        return Some(finish(signed_i128(u, &mut u_limbs), signed_i128(v, &mut v_limbs)));
    }
    // Otherwise the top bits of n, k0 = n >> shift, on machine words: the longest prefix
    // that fits an i64.
    let mut shift = 63 - n.leading_zeros();
    while shift > 0 && fits(n >> (shift - 1), 62.0) {
        shift -= 1;
    }
    let k0 = n >> shift;
    let (u0, v0) = lucas_uv_halving(&mut CheckedI64, &p, &q, &[k0]).ok()?;
    // Q^k0 (k0 >= 1): a prefix of a long n with Q = 0 or ±1 may not fit a u32 exponent.
    let q0 = match q {
        -1 if k0.is_multiple_of(2) => 1,
        -1..=1 => q,
        _ => q.checked_pow(u32::try_from(k0).ok()?)?,
    };
    let cap = (value_bits(n, growth) / 64.0) as usize + 4;
    let need = 6 * cap + scratch_len(cap);
    let start = Start { n, shift, p, q, u0, v0, q0, cap };
    // The work area: zeroing a stack array of a fixed size costs less than an allocation
    // at the smaller sizes.
    Some(if need <= 64 {
        start.run(&mut [0; 64], finish)
    } else if need <= 256 {
        start.run(&mut [0; 256], finish)
    } else if need <= 1024 {
        start.run(&mut [0; 1024], finish)
    } else {
        start.run(&mut vec![0; need], finish)
    })
}

/// v as sign and magnitude, the magnitude written to `limbs`.
fn signed_i128(v: i128, limbs: &mut [u64; 2]) -> Signed<'_> {
    let m = v.unsigned_abs();
    *limbs = [m as u64, (m >> 64) as u64];
    Signed { negative: v < 0, magnitude: trimmed(limbs) }
}

/// Where the limb ladder starts: (U, V, Q^k) at k = n >> shift, and the areas' size.
struct Start {
    n: u64,
    shift: u32,
    p: i64,
    q: i64,
    u0: i64,
    v0: i64,
    q0: i64,
    cap: usize,
}

impl Start {
    fn run<T>(self, work: &mut [u64], finish: impl FnOnce(Signed, Signed) -> T) -> T {
        let Start { n, mut shift, p, q, u0, v0, q0, cap } = self;
        let d = p * p - 4 * q;
        let (areas, scratch) = work.split_at_mut(6 * cap);
        let mut chunks = areas.chunks_exact_mut(cap);
        let mut next = || Val::new(chunks.next().expect("six areas"));
        let (mut u, mut v, mut qk, mut x, mut y, mut z) = (next(), next(), next(), next(), next(), next());
        u.set_i64(u0);
        v.set_i64(v0);
        qk.set_i64(q0);
        while shift > 0 {
            shift -= 1;
            // Q^k is not needed after the last step.
            let last = shift == 0;
            x.set_mul(&u, &v, scratch); // U_2k
            y.set_sqr(&v, scratch);
            v.set_lin::<0>(&y, 1, &qk, -2); // V_2k
            std::mem::swap(&mut u, &mut x);
            if !last {
                z.set_sqr(&qk, scratch); // Q^2k
                std::mem::swap(&mut qk, &mut z);
            }
            if n >> shift & 1 == 1 {
                x.set_lin::<1>(&u, p, &v, 1); // U_2k+1
                y.set_lin::<1>(&u, d, &v, p); // V_2k+1
                std::mem::swap(&mut u, &mut x);
                std::mem::swap(&mut v, &mut y);
                if !last {
                    z.set_lin::<0>(&qk, q, &qk, 0); // Q^2k+1
                    std::mem::swap(&mut qk, &mut z);
                }
            }
        }
        finish(u.signed(), v.signed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::Big;

    /// (U_k, V_k) for k = 0..=max by the recurrence, on big integers.
    fn reference(max: u64, p: i64, q: i64) -> Vec<(Big, Big)> {
        let (pb, qb) = (Big::from_i64(p), Big::from_i64(q));
        let (mut u, mut u1, mut v, mut v1) = (Big::zero(), Big::from_i64(1), Big::from_i64(2), pb.clone());
        let mut out = Vec::new();
        for _ in 0..=max {
            out.push((u.clone(), v.clone()));
            (u, u1) = (u1.clone(), pb.mul(&u1).sub(&qb.mul(&u)));
            (v, v1) = (v1.clone(), pb.mul(&v1).sub(&qb.mul(&v)));
        }
        out
    }

    fn big(x: Signed) -> Big {
        Big::from_limbs(x.negative, x.magnitude)
    }

    #[test]
    fn matches_the_recurrence_for_every_sign_and_degenerate_parameter() {
        let edge = SMALL_PARAM as i64;
        // Signs of P and Q, D = 0 (U_k = k·(P/2)^(k−1)), roots on the unit circle, Q = 0,
        // Q = ±1, and the largest parameters taken.
        let params = [
            (3, -5),
            (-3, -5),
            (3, 5),
            (-3, 5),
            (1, -1),
            (-1, 1),
            (2, 1),
            (-2, 1),
            (4, 4),
            (-6, 9),
            (0, 0),
            (5, 0),
            (0, 7),
            (0, -7),
            (1, 1),
            (2, 2),
            (3, 1),
            (7, -1),
            (edge, edge),
            (-edge, -edge),
            (edge, -edge),
            (-edge, 1),
            (1, edge),
            (1 << 15, 1 << 28),
        ];
        for (p, q) in params {
            let max = if p.unsigned_abs() > 1 << 12 { 400 } else { 1100 };
            let want = reference(max, p, q);
            for n in 0..=max {
                let got = lucas_uv_small(n, p, q, |u, v| (big(u), big(v)));
                match got {
                    Some(got) => assert_eq!(got, want[n as usize], "n={n} p={p} q={q}"),
                    None => assert!(n < 2, "n={n} p={p} q={q} was refused"),
                }
            }
        }
    }

    #[test]
    fn refuses_outside_its_regime_only() {
        let limit = SMALL_PARAM as i64;
        assert!(lucas_uv_small(10, limit + 1, 1, |_, _| ()).is_none());
        assert!(lucas_uv_small(10, 1, -limit - 1, |_, _| ()).is_none());
        // F_n (growth log2 φ) up to the size limit and just past it.
        let last = (MAX_BITS / 0.694_241_913_630_617_3) as u64;
        let fib = |n| lucas_uv_small(n, 1, -1, |u, _| big(u));
        assert!(fib(last + 2).is_none());
        let want = reference(last, 1, -1).pop().unwrap().0;
        assert_eq!(fib(last), Some(want));
        // Bounded sequences at any n: roots on the unit circle (period 6) and a double root 1.
        let period = reference(6, 1, 1);
        let got = lucas_uv_small(u64::MAX, 1, 1, |u, v| (big(u), big(v)));
        assert_eq!(got.as_ref(), Some(&period[(u64::MAX % 6) as usize]));
        let n = u64::MAX - 1;
        let n_big = Big::from_limbs(false, &[n]);
        assert_eq!(lucas_uv_small(n, 2, 1, |u, v| (big(u), big(v))), Some((n_big, Big::from_i64(2))));
    }

    #[test]
    fn every_work_area_size_and_its_edges() {
        // The stack tiers and the heap, by the size of the result: n just below and above
        // each tier's edge for P = 3, Q = −5.
        let need = |n: u64| {
            let cap = (value_bits(n, root_log2(3, -5)) / 64.0) as usize + 4;
            6 * cap + scratch_len(cap)
        };
        let max = (MAX_BITS / root_log2(3, -5)) as u64;
        let want = reference(max, 3, -5);
        for size in [64, 256, 1024] {
            let edge = (2..=max).filter(|&n| need(n) <= size).max().unwrap();
            for n in [edge, edge + 1] {
                let got = lucas_uv_small(n, 3, -5, |u, v| (big(u), big(v))).unwrap();
                assert_eq!(got, want[n as usize], "n={n}");
            }
        }
        let got = lucas_uv_small(max, 3, -5, |u, v| (big(u), big(v))).unwrap();
        assert_eq!(got, want[max as usize]);
    }
}
