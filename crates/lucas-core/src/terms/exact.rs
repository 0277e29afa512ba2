//! The n-th terms without a modulus, on native big integers (pure Rust, no FFI).
//!
//! The extension (`src/functions/terms.rs`) parses the arguments and converts; this file decides what an exact result
//! is and how large it will be, then runs the doubling ladders of [`crate::terms::ladder`] on
//! [`Big`] (or on checked machine words while they do not overflow). The sizes matter
//! because a term of a sequence that grows like r^n has about n·log2(r) bits: such a result
//! is refused before any allocation when it exceeds [`MAX_RESULT_BITS`], but a result that is
//! exactly 0 for any n (the degenerate parameters below) is returned, whatever n is.

#![forbid(unsafe_code)]

use crate::bigint::Big;
use crate::modular::limbs::{shr, trailing_zeros};
use crate::terms::ladder::{
    fib_or_lucas, lucas_uv_halving, lucas_uv_halving_with, CheckedI128, CheckedI64, Halve, Param, Ring, Which,
};

/// The largest result accepted without `mod`, in bits: a fixed limit, so that a call costs
/// its arithmetic and nothing else (no probe of the system's memory per call). A result of
/// 2**30 bits is a 128 MiB int; the ladder holds a few values of that size at once. The
/// limit is also what keeps Ctrl-C prompt: the arithmetic checks for signals even inside
/// its largest products, but building the result's Python int is one call into CPython
/// that nothing interrupts, and this size keeps it within the interruption bound
/// (`make bench`, the Cooperation table of bench/RESULTS.md).
pub const MAX_RESULT_BITS: f64 = 1_073_741_824.0;

/// log2 of the golden ratio: the bits F_n and L_n gain per step.
const LOG2_PHI: f64 = 0.694_241_913_630_617_3;

/// An index n as |n| in little-endian 64-bit limbs, and its sign; the limbs are borrowed,
/// so a small n lives on the caller's stack.
#[derive(Clone, Copy, Debug)]
pub struct Index<'a> {
    pub limbs: &'a [u64],
    pub negative: bool,
}

impl<'a> Index<'a> {
    pub fn new(limbs: &'a [u64], negative: bool) -> Index<'a> {
        Index { limbs, negative }
    }

    /// |n| if it fits a u64.
    pub fn abs_word(&self) -> Option<u64> {
        match self.limbs.iter().rposition(|&l| l != 0) {
            None => Some(0),
            Some(0) => Some(self.limbs[0]),
            Some(_) => None,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    pub fn is_odd(&self) -> bool {
        self.limbs.first().is_some_and(|l| l & 1 == 1)
    }

    /// |n| if it fits an i64.
    pub fn small(&self) -> Option<i64> {
        match self.limbs.iter().rposition(|&l| l != 0) {
            None => Some(0),
            Some(0) => i64::try_from(self.limbs[0]).ok(),
            Some(_) => None,
        }
    }

    /// |n| mod m, for the periods of the degenerate sequences.
    fn rem(&self, m: u64) -> u64 {
        let m = u128::from(m);
        self.limbs.iter().rev().fold(0u128, |acc, &l| ((acc << 64) | u128::from(l)) % m) as u64
    }

    /// The number of bits of |n|.
    fn bit_length(&self) -> u64 {
        match self.limbs.iter().rposition(|&l| l != 0) {
            Some(top) => top as u64 * 64 + u64::from(64 - self.limbs[top].leading_zeros()),
            None => 0,
        }
    }

    /// |n| as a float (infinite beyond f64's range), for size estimates.
    fn approx(&self) -> f64 {
        self.limbs.iter().rev().fold(0.0, |acc, &l| acc * 2f64.powi(64) + l as f64)
    }
}

/// A result over [`MAX_RESULT_BITS`]: its estimated size, for the error message.
#[derive(Debug, PartialEq)]
pub struct TooLarge {
    /// "1.234e+20" or, beyond a float's range, "2**4000".
    pub bits: String,
}

impl TooLarge {
    /// The message of the OverflowError every n-th-term function raises for it.
    pub fn message(&self, func: &str) -> String {
        format!(
            "{func}() result would have about {} bits, more than the limit of 2**30; \
             pass mod= to compute it modulo a number",
            self.bits
        )
    }
}

/// Refuses a result of about |n|·growth_log2 bits if that exceeds [`MAX_RESULT_BITS`].
fn check_size(n: &Index, growth_log2: f64) -> Result<(), TooLarge> {
    result_bits(n, growth_log2, 0.0).map(drop)
}

/// The estimated size in bits of a term that gains `growth_log2` bits per step, |n| steps
/// from values of `base_bits` bits, or [`TooLarge`] above [`MAX_RESULT_BITS`].
pub fn result_bits(n: &Index, growth_log2: f64, base_bits: f64) -> Result<f64, TooLarge> {
    // |roots| <= 1: the terms grow at most polynomially in n.
    let grown = if growth_log2 <= 1e-9 { 0.0 } else { n.approx() * growth_log2 };
    let bits = grown + base_bits;
    if bits <= MAX_RESULT_BITS {
        return Ok(bits);
    }
    let bits = if bits.is_finite() {
        format!("{bits:.3e}")
    } else {
        format!("2**{:.0}", n.bit_length() as f64 + growth_log2.log2())
    };
    Err(TooLarge { bits })
}

/// log2 of the largest |root| of x² − P·x + Q: how many bits U_n and V_n gain per step.
fn growth_log2(p: &Big, q: &Big) -> f64 {
    // Scale p by 2^-s and q by 2^-2s so that both fit a float with room for p²: the roots
    // scale by 2^-s, so log2 of the largest root is s + log2 of the scaled one.
    let s = p.bit_length().max(q.bit_length() / 2).saturating_sub(500);
    let (p, q) = (p.to_f64_scaled(s), q.to_f64_scaled(2 * s));
    let d = p * p - 4.0 * q;
    let r = if d >= 0.0 { (p.abs() + d.sqrt()) / 2.0 } else { q.sqrt() };
    (s as f64 + r.log2()).max(0.0)
}

/// log2 |x| (−∞ for 0), good to a few bits for any size.
fn log2_abs(x: &Big) -> f64 {
    match x.to_i64() {
        Some(0) => f64::NEG_INFINITY,
        Some(v) => (v.unsigned_abs() as f64).log2(),
        None => x.bit_length() as f64,
    }
}

/// Graeffe steps of [`recurrence_growth_log2`]: each squares the roots.
const GRAEFFE_STEPS: i32 = 20;

/// An estimate (from above, up to `(1 + log2 k) / 2^GRAEFFE_STEPS`) of log2 of the largest
/// |root| of x^k − c_{k−1}·x^{k−1} − ... − c_0, i.e. how many bits a term of the recurrence
/// with coefficients `coef` gains per step.
///
/// A root bound straight from the coefficients (Cauchy's) can be far off: c = (−1, 2), an
/// arithmetic progression, has both roots at 1 but bound 1 + √2. Graeffe's root squaring
/// replaces the roots by their squares, so after s steps the bound on the 2^s-th powers,
/// taken to the power 2^−s, is within a factor (2k)^(2^−s) of the truth. The polynomial is
/// rescaled after every step (coefficients stay in a float's range) and the scale is kept
/// in log2.
pub fn recurrence_growth_log2(coef: &[Big]) -> f64 {
    let k = coef.len();
    let logs: Vec<f64> = coef.iter().map(log2_abs).collect();
    // Scale the roots by 2^−s0 with s0 = max log2|c_j| / (k − j), so every |a_j| <= 1.
    let s0 = (0..k).map(|j| logs[j] / (k - j) as f64).fold(f64::NEG_INFINITY, f64::max);
    if s0 == f64::NEG_INFINITY {
        return 0.0; // all coefficients zero: the sequence is zero after k terms
    }
    // a[j]: coefficient of x^j of the monic polynomial, a[k] = 1 implied.
    let mut a: Vec<f64> = (0..k)
        .map(|j| {
            let sign = if coef[j].is_negative() { 1.0 } else { -1.0 };
            sign * (logs[j] - (k - j) as f64 * s0).exp2()
        })
        .collect();
    let mut log_scale = s0;
    for _ in 0..GRAEFFE_STEPS {
        // q(x²) = (−1)^k p(x)·p(−x): the coefficient of x^{2t} is Σ a_i a_{2t−i} (−1)^i.
        let coeff = |i: usize, a: &[f64]| if i == k { 1.0 } else { a[i] };
        let sgn = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        let mut q = vec![0.0; k];
        for (t, slot) in q.iter_mut().enumerate() {
            let mut s = 0.0;
            for i in (2 * t).saturating_sub(k)..=(2 * t).min(k) {
                let term = coeff(i, &a) * coeff(2 * t - i, &a);
                s += if i % 2 == 0 { term } else { -term };
            }
            *slot = sgn * s;
        }
        log_scale *= 2.0;
        let sigma = (0..k)
            .filter(|&t| q[t] != 0.0)
            .map(|t| q[t].abs().log2() / (k - t) as f64)
            .fold(f64::NEG_INFINITY, f64::max);
        if sigma == f64::NEG_INFINITY {
            return 0.0;
        }
        for (t, v) in q.iter_mut().enumerate() {
            *v /= ((k - t) as f64 * sigma).exp2();
        }
        log_scale += sigma;
        a = q;
    }
    // Now every |root| of the normalised polynomial is at most 2 (Fujiwara's bound).
    let steps = 2f64.powi(GRAEFFE_STEPS);
    let estimate = (log_scale + 1.0) / steps;
    // Growth within the bound's own uncertainty cannot be told from none.
    let slack = (1.0 + (k as f64).log2()) / steps;
    if estimate <= slack {
        0.0
    } else {
        estimate
    }
}

/// The estimated size in bits of term n of the recurrence (`coef`, `init`), or
/// [`TooLarge`]: its terms grow like ρ^n, about n·log2 ρ bits on top of the initial values'.
pub fn recurrence_result_bits(n: &Index, coef: &[Big], init: &[Big]) -> Result<f64, TooLarge> {
    let init_bits = init.iter().map(log2_abs).fold(0.0, f64::max);
    result_bits(n, recurrence_growth_log2(coef), init_bits)
}

/// Which results a Lucas-sequence function returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Parts {
    U,
    V,
    UV,
}

/// When the roots α, β of x² − Px + Q differ but α/β is a root of unity of order k, U_n is 0
/// for every n ≡ 0 (mod k) and V_n is 0 for every n ≡ k/2 (mod k) (k even). For integers P,
/// Q that happens exactly when P² ∈ {0, Q, 2Q, 3Q} (k = 2, 3, 4, 6). Returns
/// (U_n == 0, V_n == 0) from those identities, for n >= 2; (false, false) otherwise.
fn known_zeros(n: &Index, p: &Big, q: &Big) -> (bool, bool) {
    if q.is_zero() {
        return (false, false); // roots P and 0: U_n = P^(n-1), V_n = P^n
    }
    let order = match (p.to_i64(), q.to_i64()) {
        // Word-sized P and Q (most calls) are compared in i128, without a big integer's
        // allocations: P² < 2**126 and 3Q < 2**66.
        (Some(p), Some(q)) => {
            let pp = i128::from(p) * i128::from(p);
            zero_order(p == 0, |k| pp == i128::from(k) * i128::from(q))
        }
        _ => {
            let pp = p.mul(p);
            zero_order(p.is_zero(), |k| pp == Big::from_i64(k).mul(q))
        }
    };
    let Some(order) = order else {
        return (false, false);
    };
    let r = n.rem(order);
    (r == 0, order % 2 == 0 && r == order / 2)
}

/// The order k of the root of unity α/β for [`known_zeros`], from whether P = 0 and a test
/// of P² = k·Q for k = 1, 2, 3.
fn zero_order(p_is_zero: bool, pp_is: impl Fn(i64) -> bool) -> Option<u64> {
    if p_is_zero {
        Some(2)
    } else {
        [(1, 3), (2, 4), (3, 6)].into_iter().find(|&(k, _)| pp_is(k)).map(|(_, order)| order)
    }
}

// ANCHOR: big_ints
/// The ladders on [`Big`], calling `check` between steps and during the largest products
/// (where Ctrl-C is noticed).
pub struct BigInts<'a, E> {
    check: &'a mut dyn FnMut() -> Result<(), E>,
}

impl<'a, E> BigInts<'a, E> {
    pub fn new(check: &'a mut dyn FnMut() -> Result<(), E>) -> Self {
        BigInts { check }
    }
}

impl<E> Ring for BigInts<'_, E> {
    type E = Big;
    type Err = E;
    fn mul(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        a.mul_polled(b, self.check)
    }
    fn add(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        Ok(a.add(b))
    }
    fn sub(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        Ok(a.sub(b))
    }
    fn small(&mut self, v: i64) -> Result<Big, E> {
        Ok(Big::from_i64(v))
    }
    fn bit_done(&mut self) -> Result<(), E> {
        (self.check)()
    }
}

impl<E> Halve for BigInts<'_, E> {
    fn half(&mut self, a: &Big) -> Result<Big, E> {
        Ok(a.half())
    }
}
// ANCHOR_END: big_ints

/// Why an n-th term was not computed: too large, undefined, or `check` failed (an interrupt).
#[derive(Debug, PartialEq)]
pub enum Refused<E> {
    TooLarge(TooLarge),
    /// n is negative and the sequence does not run backwards with these parameters: the
    /// coefficient that would be divided by (Q, or c_0) is not invertible.
    NotInvertible,
    Stopped(E),
}

impl<E> From<TooLarge> for Refused<E> {
    fn from(t: TooLarge) -> Self {
        Refused::TooLarge(t)
    }
}

// ANCHOR: fib_or_lucas_exact
/// F_n or L_n for any integer n (F_{-n} = (-1)^(n+1) F_n, L_{-n} = (-1)^n L_n).
pub fn fib_or_lucas_exact<E>(
    n: &Index,
    which: Which,
    check: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Big, Refused<E>> {
    let value = if n.is_zero() {
        Big::from_i64(if which == Which::Fibonacci { 0 } else { 2 })
    } else {
        check_size(n, LOG2_PHI)?;
        match n.small().and_then(|_| fib_or_lucas(&mut CheckedI64, n.limbs, which).ok()) {
            Some(v) => Big::from_i64(v),
            None if which == Which::Lucas => lucas_by_squares(n.limbs, check).map_err(Refused::Stopped)?,
            None => fib_or_lucas(&mut BigInts { check }, n.limbs, which).map_err(Refused::Stopped)?,
        }
    };
    Ok(if sign_flips(n.negative, n.is_odd(), which) { Big::zero().sub(&value) } else { value })
}
// ANCHOR_END: fib_or_lucas_exact

/// L_n for n >= 1: the ladder up to n's odd part m, then L_{2j} = L_j² − 2(−1)^j once per
/// trailing zero bit of n (j = m odd the first time, even afterwards). A square costs less
/// than the product and square of a ladder step, and every step but the first is a square.
fn lucas_by_squares<E>(n: &[u64], check: &mut dyn FnMut() -> Result<(), E>) -> Result<Big, E> {
    let zeros = trailing_zeros(n);
    let mut l = fib_or_lucas(&mut BigInts { check: &mut *check }, &shr(n, zeros), Which::Lucas)?;
    for step in 0..zeros {
        check()?;
        l = l.mul_polled(&l, check)?.add(&Big::from_i64(if step == 0 { 2 } else { -2 }));
    }
    Ok(l)
}

/// (U_{-n}, V_{-n}) from (U_n, V_n) for Q = ±1: U_{-n} = −U_n / Q^n and V_{-n} = V_n / Q^n,
/// where Q^n = ±1 (−1 exactly when Q = −1 and n is odd).
pub fn at_negative_index(u: Big, v: Big, q_is_minus_one: bool, n_odd: bool) -> (Big, Big) {
    if q_is_minus_one && n_odd {
        (u, Big::zero().sub(&v))
    } else {
        (Big::zero().sub(&u), v)
    }
}

/// Whether F_n or L_n is minus the term at |n|: F_{-n} = (-1)^(n+1) F_n, L_{-n} = (-1)^n L_n.
pub fn sign_flips(negative: bool, odd: bool, which: Which) -> bool {
    negative && (odd == (which == Which::Lucas))
}

/// (U_n, V_n) for n >= 0 (the caller applies the rule for negative n), computing only what
/// `want` asks for where that matters: a zero U_n is returned even when V_n would be too
/// large, and the other one is then [`Big::zero`] (not the true value).
pub fn lucas_uv_exact<E>(
    n: &Index,
    p: Big,
    q: Big,
    want: Parts,
    check: &mut dyn FnMut() -> Result<(), E>,
) -> Result<(Big, Big), Refused<E>> {
    if n.is_zero() {
        return Ok((Big::zero(), Big::from_i64(2)));
    }
    if n.small() == Some(1) {
        return Ok((Big::from_i64(1), p));
    }
    let (u_zero, v_zero) = known_zeros(n, &p, &q);
    match want {
        Parts::U if u_zero => return Ok((Big::zero(), Big::zero())),
        Parts::V if v_zero => return Ok((Big::zero(), Big::zero())),
        _ => {}
    }
    let bits = result_bits(n, growth_log2(&p, &q), 0.0)?;
    if let (Some(pw), Some(qw), Some(_)) = (p.to_i64(), q.to_i64(), n.small()) {
        // The machine-word ladders where the estimate says the result fits them (the checked
        // arithmetic still decides, the estimate being approximate): a ladder that overflows
        // is work thrown away before the big one starts.
        if bits < WORD_LADDER_BITS {
            if let Ok((u, v)) = lucas_uv_halving(&mut CheckedI64, &pw, &qw, n.limbs) {
                return Ok((Big::from_i64(u), Big::from_i64(v)));
            }
        }
        if bits < DOUBLE_WORD_LADDER_BITS {
            let (pw, qw) = (i128::from(pw), i128::from(qw));
            if let Ok((u, v)) = lucas_uv_halving(&mut CheckedI128, &pw, &qw, n.limbs) {
                return Ok((Big::from_i128(u), Big::from_i128(v)));
            }
        }
    }
    // P and Q move into the ladder (no copies); Q = ±1 goes in as a small integer, so that
    // the ladder tracks the sign of Q^k instead of squaring it.
    let q = match q.to_i64() {
        Some(unit @ (1 | -1)) => Param::Small(unit),
        _ => Param::Element(q),
    };
    lucas_uv_halving_with(&mut BigInts { check }, &Param::Element(p), &q, n.limbs).map_err(Refused::Stopped)
}

/// Estimated result sizes, in bits, below which [`lucas_uv_exact`] tries the checked i64
/// and i128 ladders first: a few bits under the types' widths, for the estimate's error.
const WORD_LADDER_BITS: f64 = 60.0;
const DOUBLE_WORD_LADDER_BITS: f64 = 124.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn index(v: i128) -> Index<'static> {
        let m = v.unsigned_abs();
        Index::new(Box::leak(Box::new([m as u64, (m >> 64) as u64])), v < 0)
    }

    fn never() -> Result<(), ()> {
        Ok(())
    }

    /// (U_n, V_n) by the recurrence, on Big itself (checked against i128 in bigint/mod.rs).
    fn reference(n: u64, p: i64, q: i64) -> (Big, Big) {
        let (p, q) = (Big::from_i64(p), Big::from_i64(q));
        let (mut u, mut u1, mut v, mut v1) = (Big::zero(), Big::from_i64(1), Big::from_i64(2), p.clone());
        for _ in 0..n {
            (u, u1) = (u1.clone(), p.mul(&u1).sub(&q.mul(&u)));
            (v, v1) = (v1.clone(), p.mul(&v1).sub(&q.mul(&v)));
        }
        (u, v)
    }

    #[test]
    fn lucas_uv_matches_the_recurrence_across_word_and_limb_sizes() {
        for (p, q) in
            [(1, -1), (3, -5), (-7, 3), (2, 1), (0, 2), (1, 1), (2, 2), (3, 3), (5, 0), (-1, 0), (6, -(1 << 40))]
        {
            for n in (0..140).chain([200, 301, 1000]) {
                let got = lucas_uv_exact(&index(n.into()), Big::from_i64(p), Big::from_i64(q), Parts::UV, &mut never);
                assert_eq!(got.unwrap(), reference(n, p, q), "n={n} p={p} q={q}");
            }
        }
    }

    #[test]
    fn fibonacci_and_lucas_match_the_recurrence_with_signs() {
        for n in (0..400i64).chain([1000, 4000, 4096, 5000, 6144, 8193]) {
            let (f, l) = reference(n as u64, 1, -1);
            let fib = |n| fib_or_lucas_exact(&index(n), Which::Fibonacci, &mut never).unwrap();
            let luc = |n| fib_or_lucas_exact(&index(n), Which::Lucas, &mut never).unwrap();
            assert_eq!(fib(n.into()), f, "F_{n}");
            assert_eq!(luc(n.into()), l, "L_{n}");
            let neg = |x: &Big| Big::zero().sub(x);
            assert_eq!(fib((-n).into()), if n % 2 == 0 { neg(&f) } else { f.clone() }, "F_-{n}");
            assert_eq!(luc((-n).into()), if n % 2 == 0 { l.clone() } else { neg(&l) }, "L_-{n}");
        }
    }

    /// The recurrence run backwards, U_{k-2} = (P U_{k-1} − U_k) / Q, against the rule.
    #[test]
    fn negative_indices_for_unit_q_match_the_recurrence_backwards() {
        for (p, q) in [(3, 1), (3, -1), (-2, -1), (1, 1), (0, -1)] {
            let (pb, qb) = (Big::from_i64(p), Big::from_i64(q));
            let (mut u1, mut u0) = (Big::from_i64(1), Big::zero()); // U_1, U_0
            let (mut v1, mut v0) = (pb.clone(), Big::from_i64(2));
            for n in 1..60u64 {
                // one step back: U_{-n} from U_{-n+1}, U_{-n+2}; dividing by Q = ±1 is multiplying.
                (u1, u0) = (u0.clone(), pb.mul(&u0).sub(&u1).mul(&qb));
                (v1, v0) = (v0.clone(), pb.mul(&v0).sub(&v1).mul(&qb));
                let (u, v) = reference(n, p, q);
                assert_eq!(
                    at_negative_index(u, v, q == -1, n % 2 == 1),
                    (u0.clone(), v0.clone()),
                    "n=-{n} p={p} q={q}"
                );
            }
        }
    }

    #[test]
    fn degenerate_parameters_give_zero_at_any_n_and_refuse_only_real_growth() {
        let huge = index(1 << 100);
        let (p, q) = (Big::from_i64(0), Big::from_i64(2));
        let zero = (Big::zero(), Big::zero());
        assert_eq!(lucas_uv_exact(&huge, p.clone(), q.clone(), Parts::U, &mut never), Ok(zero.clone()));
        assert!(matches!(lucas_uv_exact(&huge, p.clone(), q.clone(), Parts::V, &mut never), Err(Refused::TooLarge(_))));
        assert!(matches!(
            lucas_uv_exact(&huge, p.clone(), q.clone(), Parts::UV, &mut never),
            Err(Refused::TooLarge(_))
        ));
        // P² = Q, 2Q, 3Q: U_n = 0 for n divisible by 3, 4, 6; V_n = 0 for n ≡ 2 mod 4, 3 mod 6.
        for (p, q, n, want) in [
            (3, 9, 3 << 80, Parts::U),
            (4, 8, 1 << 90, Parts::U),
            (4, 8, (1 << 90) + 2, Parts::V),
            (6, 12, 6 << 80, Parts::U),
            (6, 12, (6 << 80) + 3, Parts::V),
            (0, 5, 1 << 99, Parts::U),
            (0, -5, (1 << 99) + 1, Parts::V),
        ] {
            let got = lucas_uv_exact(&index(n), Big::from_i64(p), Big::from_i64(q), want, &mut never);
            assert_eq!(got, Ok(zero.clone()), "p={p} q={q} n={n} {want:?}");
        }
        // The identities themselves, at small n, against the recurrence.
        for (p, q) in [(0, 2), (0, -3), (3, 9), (4, 8), (6, 12), (-6, 12), (5, 7)] {
            for n in 2..40u64 {
                let (u, v) = reference(n, p, q);
                let (uz, vz) = known_zeros(&index(n.into()), &Big::from_i64(p), &Big::from_i64(q));
                assert_eq!((uz, vz), (u.is_zero(), v.is_zero()), "p={p} q={q} n={n}");
            }
        }
    }

    /// Scaling P by s and Q by s² scales the roots by s and keeps their ratio, so the zeros
    /// stay where they are: with s = 2**64 the big-integer comparisons must agree with the
    /// word-sized ones.
    #[test]
    fn known_zeros_of_big_parameters_match_the_word_sized_ones() {
        let s = Big::from_limbs(false, &[0, 1]);
        for (p, q) in [(0, 2), (0, -3), (3, 9), (4, 8), (6, 12), (-6, 12), (5, 7), (1, -1)] {
            let (pb, qb) = (Big::from_i64(p).mul(&s), Big::from_i64(q).mul(&s).mul(&s));
            for n in 2..40 {
                let n = index(n);
                assert_eq!(
                    known_zeros(&n, &pb, &qb),
                    known_zeros(&n, &Big::from_i64(p), &Big::from_i64(q)),
                    "p={p} q={q}"
                );
            }
        }
    }

    #[test]
    fn sizes_are_refused_above_the_limit_only() {
        let limit_n = (MAX_RESULT_BITS / LOG2_PHI) as i128;
        let stop = |n: i128| fib_or_lucas_exact(&index(n), Which::Fibonacci, &mut never);
        assert!(matches!(stop(limit_n + 1000), Err(Refused::TooLarge(_))));
        assert!(check_size(&index(limit_n - 1000), LOG2_PHI).is_ok());
        let limbs: Vec<u64> = vec![0; 70].into_iter().chain([1]).collect();
        let huge = Index::new(&limbs, false);
        assert_eq!(check_size(&huge, LOG2_PHI), Err(TooLarge { bits: "2**4480".into() }));
    }

    #[test]
    fn the_check_runs_between_steps_and_stops_the_ladder() {
        let mut calls = 0;
        let mut stop_at_3 = || {
            calls += 1;
            if calls == 3 {
                Err("stop")
            } else {
                Ok(())
            }
        };
        assert_eq!(fib_or_lucas_exact(&index(1 << 20), Which::Lucas, &mut stop_at_3), Err(Refused::Stopped("stop")));
    }
}
