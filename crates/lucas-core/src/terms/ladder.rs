//! The n-th term in O(log n) ring operations: doubling ladders (pure Rust, no FFI).
//!
//! Both ladders walk the bits of n from the most significant one down, like binary
//! exponentiation, and are generic over a [`Ring`], so one implementation serves machine
//! words (checked `i64`), residues modulo a word ([`crate::modular::word`]), big integers
//! ([`crate::terms::exact`]) and residues modulo any m of 2**64 or more ([`crate::modular::big`]).
//!
//! * [`lucas_u_pair`]: (U_n, U_{n-1}) for any P, Q using only +, -, × (no division), so it
//!   is valid modulo any m, even ones. From U_k and U_{k-1}:
//!   V_k = P·U_k − 2Q·U_{k−1}, U_{2k} = U_k·V_k, U_{2k−1} = U_k² − Q·U_{k−1}²,
//!   U_{2k+1} = P·U_{2k} − Q·U_{2k−1}.
//! * [`lucas_uv_halving`]: (U_n, V_n) through (U_k, V_k, Q^k): U_{2k} = U_k·V_k,
//!   V_{2k} = V_k² − 2Q^k, Q^{2k} = (Q^k)², three products that do not depend on each other
//!   (so the CPU overlaps them), and for a one bit U_{2k+1} = (P·U_{2k} + V_{2k})/2,
//!   V_{2k+1} = (D·U_{2k} + P·V_{2k})/2 with D = P² − 4Q.
//! * [`lucas_uv_chain`]: (U_n, V_n) through (V_k, V_{k+1}, Q^k), a Lucas chain on V:
//!   V_{2k} = V_k² − 2Q^k, V_{2k+1} = V_k·V_{k+1} − P·Q^k, then D·U_n = 2V_{n+1} − P·V_n,
//!   for a ring where D is invertible.
//! * [`fib_or_lucas`]: F_n or L_n through the pair (F_k, L_k), one multiplication and one
//!   squaring per bit: F_{2k} = F_k·L_k, L_{2k} = L_k² − 2(−1)^k, and for a one bit
//!   F_{2k+1} = (F_{2k} + L_{2k})/2, L_{2k+1} = (5F_{2k} + L_{2k})/2. The last bit needs only
//!   one product: F_{2k+1} = F_{k+1}·L_k − (−1)^k and L_{2k+1} = L_{k+1}·L_k − (−1)^k.
//!
//! The last two halve, which is exact division for integers and multiplication by 2⁻¹ modulo
//! an odd m: they need a [`Halve`] ring. Modulo an even m only [`lucas_u_pair`] applies.

#![forbid(unsafe_code)]

use std::borrow::Cow;

// ANCHOR: ring_trait
/// The operations a ladder needs. `Err` is `Infallible` for modular arithmetic, "overflow"
/// for checked machine words, and the caller's interrupt (in the extension a Python
/// exception, KeyboardInterrupt) for the rings that poll.
pub trait Ring {
    type E: Clone;
    type Err;
    fn mul(&mut self, a: &Self::E, b: &Self::E) -> Result<Self::E, Self::Err>;
    fn add(&mut self, a: &Self::E, b: &Self::E) -> Result<Self::E, Self::Err>;
    fn sub(&mut self, a: &Self::E, b: &Self::E) -> Result<Self::E, Self::Err>;
    /// The ring element for a small integer.
    fn small(&mut self, v: i64) -> Result<Self::E, Self::Err>;
    /// a·v for a small integer v: a ring of many limbs multiplies by one limb and reduces
    /// in linear time instead of multiplying two elements.
    fn mul_small(&mut self, a: &Self::E, v: i64) -> Result<Self::E, Self::Err> {
        let s = self.small(v)?;
        self.mul(a, &s)
    }
    /// Called once per bit: where a long computation can notice Ctrl-C.
    fn bit_done(&mut self) -> Result<(), Self::Err> {
        Ok(())
    }
}
// ANCHOR_END: ring_trait

/// A ring where halving is defined wherever the ladders use it: the integers (the ladders
/// only halve even values) and Z/mZ for odd m (multiplication by 2⁻¹).
pub trait Halve: Ring {
    fn half(&mut self, a: &Self::E) -> Result<Self::E, Self::Err>;
}

/// The bits of a non-negative integer given as little-endian 64-bit limbs, most significant
/// first, starting *below* the leading one. Empty for n = 1; `None` for n = 0.
pub fn bits_below_top(limbs: &[u64]) -> Option<BitsBelowTop<'_>> {
    let top = limbs.iter().rposition(|&l| l != 0)?;
    let left = 63 - limbs[top].leading_zeros();
    // The bit below the leading one moves to bit 63 (none is left when the limb is 1).
    let word = limbs[top].checked_shl(64 - left).unwrap_or(0);
    Some(BitsBelowTop { word, left, lower: &limbs[..top] })
}

/// The iterator of [`bits_below_top`]: the current limb shifted so that its next bit is the
/// top one, so a ladder's step reads a bit with a shift instead of indexing the limbs.
#[derive(Clone, Debug)]
pub struct BitsBelowTop<'a> {
    /// The bits still to come of the current limb, from bit 63 down.
    word: u64,
    /// How many of them there are.
    left: u32,
    /// The limbs below the current one.
    lower: &'a [u64],
}

impl Iterator for BitsBelowTop<'_> {
    type Item = bool;

    #[inline]
    fn next(&mut self) -> Option<bool> {
        if self.left == 0 {
            let (&next, lower) = self.lower.split_last()?;
            (self.word, self.left, self.lower) = (next, 64, lower);
        }
        let bit = self.word >> 63 == 1;
        self.word <<= 1;
        self.left -= 1;
        Some(bit)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.left as usize + 64 * self.lower.len();
        (n, Some(n))
    }
}

/// A parameter of a ladder (P, Q, D): a ring element, or a small integer that the ring
/// multiplies by in linear time ([`Ring::mul_small`]).
#[derive(Clone, Debug)]
pub enum Param<E> {
    Small(i64),
    Element(E),
}

impl<E: Clone> Param<E> {
    /// The parameter as a ring element.
    pub fn element<R: Ring<E = E>>(&self, r: &mut R) -> Result<E, R::Err> {
        match self {
            Param::Small(v) => r.small(*v),
            Param::Element(e) => Ok(e.clone()),
        }
    }

    /// The parameter as a ring element, borrowed when it is one: a big-integer element is
    /// not copied just to be read.
    pub fn borrowed<R: Ring<E = E>>(&self, r: &mut R) -> Result<Cow<'_, E>, R::Err> {
        match self {
            Param::Small(v) => r.small(*v).map(Cow::Owned),
            Param::Element(e) => Ok(Cow::Borrowed(e)),
        }
    }

    /// self·x.
    #[inline]
    pub fn times<R: Ring<E = E>>(&self, r: &mut R, x: &E) -> Result<E, R::Err> {
        match self {
            Param::Small(1) => Ok(x.clone()),
            Param::Small(-1) => {
                let zero = r.small(0)?;
                r.sub(&zero, x)
            }
            Param::Small(v) => r.mul_small(x, *v),
            Param::Element(e) => r.mul(e, x),
        }
    }
}

/// Parameters whose |value| is at most this are [`Param::Small`]: then D = P² − 4Q fits an i64.
pub const SMALL_PARAM: u64 = 1 << 30;

/// (U_n, U_{n-1}) of the Lucas sequence U(P, Q), for n >= 1 given as limbs.
pub fn lucas_u_pair<R: Ring>(r: &mut R, p: &R::E, q: &R::E, n: &[u64]) -> Result<(R::E, R::E), R::Err> {
    lucas_u_pair_with(r, &Param::Element(p.clone()), &Param::Element(q.clone()), n)
}

/// [`lucas_u_pair`] with parameters that may be small integers.
pub fn lucas_u_pair_with<R: Ring>(
    r: &mut R,
    p: &Param<R::E>,
    q: &Param<R::E>,
    n: &[u64],
) -> Result<(R::E, R::E), R::Err> {
    let bits = bits_below_top(n).expect("n >= 1");
    let (mut a, mut b) = (r.small(1)?, r.small(0)?); // (U_1, U_0)
    for bit in bits {
        // Doubling k -> 2k.
        let pa = p.times(r, &a)?;
        let qb = q.times(r, &b)?;
        let two_qb = r.add(&qb, &qb)?;
        let v = r.sub(&pa, &two_qb)?;
        let u2k = r.mul(&a, &v)?;
        let aa = r.mul(&a, &a)?;
        let qbb = r.mul(&qb, &b)?;
        let u2k_1 = r.sub(&aa, &qbb)?;
        (a, b) = (u2k, u2k_1);
        if bit {
            // k -> k + 1.
            let pa = p.times(r, &a)?;
            let qb = q.times(r, &b)?;
            let next = r.sub(&pa, &qb)?;
            (a, b) = (next, a);
        }
        r.bit_done()?;
    }
    Ok((a, b))
}

/// V_n from (U_n, U_{n-1}): V_n = P·U_n − 2Q·U_{n−1}.
pub fn lucas_v_from_pair<R: Ring>(r: &mut R, p: &R::E, q: &R::E, u: &R::E, u_prev: &R::E) -> Result<R::E, R::Err> {
    lucas_v_from_pair_with(r, &Param::Element(p.clone()), &Param::Element(q.clone()), u, u_prev)
}

/// [`lucas_v_from_pair`] with parameters that may be small integers.
pub fn lucas_v_from_pair_with<R: Ring>(
    r: &mut R,
    p: &Param<R::E>,
    q: &Param<R::E>,
    u: &R::E,
    u_prev: &R::E,
) -> Result<R::E, R::Err> {
    let pu = p.times(r, u)?;
    let qu = q.times(r, u_prev)?;
    let two_qu = r.add(&qu, &qu)?;
    r.sub(&pu, &two_qu)
}

/// (U_n, V_n) of the Lucas sequences U(P, Q), V(P, Q), for n >= 1 given as limbs.
#[inline(always)]
pub fn lucas_uv_halving<R: Halve>(r: &mut R, p: &R::E, q: &R::E, n: &[u64]) -> Result<(R::E, R::E), R::Err> {
    lucas_uv_halving_with(r, &Param::Element(p.clone()), &Param::Element(q.clone()), n)
}

/// [`lucas_uv_halving`] with parameters that may be small integers. With small P and Q the
/// products by P, D and Q are linear-time; with Q = ±1, Q^k is a sign and its square is
/// not computed: two products per bit instead of three, on a one bit too.
///
/// Always inlined, as is [`lucas_uv_halving`]: in its caller the kind of each parameter is
/// known and the ring's operations inline into the loop; a copy that LLVM keeps out of line
/// once two callers share a ring type is markedly slower (bench/NOTES.md).
#[inline(always)]
pub fn lucas_uv_halving_with<R: Halve>(
    r: &mut R,
    p: &Param<R::E>,
    q: &Param<R::E>,
    n: &[u64],
) -> Result<(R::E, R::E), R::Err> {
    let bits = bits_below_top(n).expect("n >= 1");
    let d = match (p, q) {
        (Param::Small(p), Param::Small(q)) if p.unsigned_abs() <= SMALL_PARAM && q.unsigned_abs() <= SMALL_PARAM => {
            Param::Small(p * p - 4 * q)
        }
        _ => {
            let pe = p.borrowed(r)?;
            let pp = r.mul(&pe, &pe)?;
            let qe = q.borrowed(r)?;
            let q2 = r.add(&qe, &qe)?;
            let q4 = r.add(&q2, &q2)?;
            Param::Element(r.sub(&pp, &q4)?)
        }
    };
    // Q^k, or its sign when Q = ±1 (then Q^k = −1 exactly when Q = −1 and k is odd).
    let q_unit = match q {
        Param::Small(v @ (1 | -1)) => Some(*v),
        _ => None,
    };
    let mut qk = if q_unit.is_some() { None } else { Some(q.element(r)?) };
    let mut qk_negative = q_unit == Some(-1);
    let two = r.small(2)?;
    let (mut u, mut v) = (r.small(1)?, p.element(r)?); // k = 1
    for bit in bits {
        let u2 = r.mul(&u, &v)?;
        let vv = r.mul(&v, &v)?;
        v = match &qk {
            Some(qk_value) => {
                let two_qk = r.add(qk_value, qk_value)?;
                let q2k = r.mul(qk_value, qk_value)?;
                qk = Some(q2k);
                r.sub(&vv, &two_qk)?
            }
            None if qk_negative => r.add(&vv, &two)?,
            None => r.sub(&vv, &two)?,
        };
        qk_negative = false;
        u = u2;
        if bit {
            let pu = p.times(r, &u)?;
            let du = d.times(r, &u)?;
            let pv = p.times(r, &v)?;
            let u1 = r.add(&pu, &v)?;
            let v1 = r.add(&du, &pv)?;
            (u, v) = (r.half(&u1)?, r.half(&v1)?);
            match &qk {
                Some(qk_value) => qk = Some(q.times(r, qk_value)?),
                None => qk_negative = q_unit == Some(-1),
            }
        }
        r.bit_done()?;
    }
    Ok((u, v))
}

/// (U_n, V_n) by a Lucas chain on V alone, for n >= 1 given as limbs, where D = P² − 4Q is
/// invertible and `d_inv` is D⁻¹. The chain carries (V_k, V_(k+1), Q^k):
/// V_2k = V_k² − 2Q^k and V_(2k+1) = V_k·V_(k+1) − P·Q^k, so a bit costs four products
/// (V_k·V_(k+1), P·Q^k, a square of V and of Q^k), and a one bit a fifth (Q·Q^k), against
/// three and seven for [`lucas_uv_halving`]; each new V is one product deep, where the
/// halving ladder's one bit is two. U_n comes last from D·U_n = 2·V_(n+1) − P·V_n.
///
/// Always inlined, for the reason [`lucas_uv_halving_with`] is.
#[inline(always)]
pub fn lucas_uv_chain<R: Ring>(r: &mut R, p: &R::E, q: &R::E, d_inv: &R::E, n: &[u64]) -> Result<(R::E, R::E), R::Err> {
    let bits = bits_below_top(n).expect("n >= 1");
    // k = 1: V_1 = P, V_2 = P² − 2Q.
    let pp = r.mul(p, p)?;
    let two_q = r.add(q, q)?;
    let (mut v, mut v1, mut qk) = (p.clone(), r.sub(&pp, &two_q)?, q.clone());
    for bit in bits {
        let cross = r.mul(&v, &v1)?;
        let pqk = r.mul(p, &qk)?;
        let odd = r.sub(&cross, &pqk)?; // V_(2k+1)
        if bit {
            // k -> 2k + 1: V_(2k+2) = V_(k+1)² − 2Q^(k+1), Q^(2k+1) = Q^k·Q^(k+1).
            let qk1 = r.mul(q, &qk)?;
            let sq = r.mul(&v1, &v1)?;
            let two_qk1 = r.add(&qk1, &qk1)?;
            (v, v1) = (odd, r.sub(&sq, &two_qk1)?);
            qk = r.mul(&qk, &qk1)?;
        } else {
            // k -> 2k: V_2k = V_k² − 2Q^k, Q^2k = (Q^k)².
            let sq = r.mul(&v, &v)?;
            let two_qk = r.add(&qk, &qk)?;
            (v, v1) = (r.sub(&sq, &two_qk)?, odd);
            qk = r.mul(&qk, &qk)?;
        }
        r.bit_done()?;
    }
    let two_v1 = r.add(&v1, &v1)?;
    let pv = r.mul(p, &v)?;
    let du = r.sub(&two_v1, &pv)?;
    Ok((r.mul(&du, d_inv)?, v))
}

/// Which of the two companion sequences [`fib_or_lucas`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Fibonacci,
    Lucas,
}

/// F_n or L_n for n >= 1 given as limbs.
pub fn fib_or_lucas<R: Halve>(r: &mut R, n: &[u64], which: Which) -> Result<R::E, R::Err> {
    let mut bits = bits_below_top(n).expect("n >= 1").peekable();
    let (mut f, mut l) = (r.small(1)?, r.small(1)?); // (F_1, L_1)
    let (two, minus_two) = (r.small(2)?, r.small(-2)?);
    let mut k_odd = true;
    while let Some(bit) = bits.next() {
        if bits.peek().is_none() {
            return last_step(r, &f, &l, k_odd, bit, which);
        }
        let f2 = r.mul(&f, &l)?;
        let ll = r.mul(&l, &l)?;
        let l2 = r.sub(&ll, if k_odd { &minus_two } else { &two })?;
        (f, l, k_odd) = (f2, l2, false);
        if bit {
            let s = r.add(&f, &l)?;
            let f4 = r.add(&f, &f)?;
            let f4 = r.add(&f4, &f4)?;
            let t = r.add(&f4, &s)?; // 5F + L
            (f, l, k_odd) = (r.half(&s)?, r.half(&t)?, true);
        }
        r.bit_done()?;
    }
    Ok(f) // n = 1: F_1 = L_1 = 1
}

/// The last bit of [`fib_or_lucas`], n = 2k + bit, from (F_k, L_k): one product.
/// (−1)^k is the sign `k_odd` tracks.
fn last_step<R: Halve>(r: &mut R, f: &R::E, l: &R::E, k_odd: bool, bit: bool, which: Which) -> Result<R::E, R::Err> {
    let sign = r.small(if k_odd { -1 } else { 1 })?;
    match (which, bit) {
        (Which::Fibonacci, false) => r.mul(f, l),
        (Which::Lucas, false) => {
            let ll = r.mul(l, l)?;
            let two_sign = r.add(&sign, &sign)?;
            r.sub(&ll, &two_sign)
        }
        (which, true) => {
            let next = match which {
                Which::Fibonacci => r.add(f, l)?, // 2·F_{k+1}
                Which::Lucas => {
                    let f4 = r.add(f, f)?;
                    let f4 = r.add(&f4, &f4)?;
                    let t = r.add(&f4, f)?;
                    r.add(&t, l)? // 2·L_{k+1}
                }
            };
            let next = r.half(&next)?;
            let prod = r.mul(&next, l)?;
            r.sub(&prod, &sign)
        }
    }
}

/// Exact i64 arithmetic that reports overflow: the machine-word attempt of the no-mod path.
pub struct CheckedI64;

/// The value left the i64 range; the caller retries with Python ints.
#[derive(Debug, PartialEq, Eq)]
pub struct Overflow;

impl Ring for CheckedI64 {
    type E = i64;
    type Err = Overflow;
    fn mul(&mut self, a: &i64, b: &i64) -> Result<i64, Overflow> {
        a.checked_mul(*b).ok_or(Overflow)
    }
    fn add(&mut self, a: &i64, b: &i64) -> Result<i64, Overflow> {
        a.checked_add(*b).ok_or(Overflow)
    }
    fn sub(&mut self, a: &i64, b: &i64) -> Result<i64, Overflow> {
        a.checked_sub(*b).ok_or(Overflow)
    }
    fn small(&mut self, v: i64) -> Result<i64, Overflow> {
        Ok(v)
    }
}

impl Halve for CheckedI64 {
    fn half(&mut self, a: &i64) -> Result<i64, Overflow> {
        debug_assert!(a % 2 == 0, "the ladder only halves even values");
        Ok(a >> 1)
    }
}

/// Exact i128 arithmetic that reports overflow: results of up to 127 bits without a big
/// integer's allocations.
pub struct CheckedI128;

impl Ring for CheckedI128 {
    type E = i128;
    type Err = Overflow;
    fn mul(&mut self, a: &i128, b: &i128) -> Result<i128, Overflow> {
        a.checked_mul(*b).ok_or(Overflow)
    }
    fn add(&mut self, a: &i128, b: &i128) -> Result<i128, Overflow> {
        a.checked_add(*b).ok_or(Overflow)
    }
    fn sub(&mut self, a: &i128, b: &i128) -> Result<i128, Overflow> {
        a.checked_sub(*b).ok_or(Overflow)
    }
    fn small(&mut self, v: i64) -> Result<i128, Overflow> {
        Ok(v.into())
    }
}

impl Halve for CheckedI128 {
    fn half(&mut self, a: &i128) -> Result<i128, Overflow> {
        debug_assert!(a % 2 == 0, "the ladder only halves even values");
        Ok(a >> 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// U_n and V_n by the definition, in i128.
    fn reference(n: usize, p: i128, q: i128) -> (i128, i128) {
        let (mut u, mut u1, mut v, mut v1) = (0i128, 1i128, 2i128, p);
        for _ in 0..n {
            (u, u1) = (u1, p * u1 - q * u);
            (v, v1) = (v1, p * v1 - q * v);
        }
        (u, v)
    }

    #[test]
    fn bits_below_top_walks_msb_first() {
        assert!(bits_below_top(&[0]).is_none());
        assert_eq!(bits_below_top(&[1]).unwrap().count(), 0);
        assert_eq!(bits_below_top(&[0b1011]).unwrap().collect::<Vec<_>>(), vec![false, true, true]);
        let two_pow_64_plus_1: Vec<bool> = bits_below_top(&[1, 1]).unwrap().collect();
        assert_eq!(two_pow_64_plus_1.len(), 64);
        assert!(two_pow_64_plus_1[..63].iter().all(|b| !b) && two_pow_64_plus_1[63]);
    }

    #[test]
    fn lucas_u_pair_matches_the_definition() {
        for p in -4..=4 {
            for q in -4..=4 {
                for n in 1..=25usize {
                    let (u, u_prev) = lucas_u_pair(&mut CheckedI64, &p, &q, &[n as u64]).unwrap();
                    let v = lucas_v_from_pair(&mut CheckedI64, &p, &q, &u, &u_prev).unwrap();
                    let (ru, rv) = reference(n, p.into(), q.into());
                    let (ru_prev, _) = reference(n - 1, p.into(), q.into());
                    assert_eq!(
                        (i128::from(u), i128::from(u_prev), i128::from(v)),
                        (ru, ru_prev, rv),
                        "n={n} p={p} q={q}"
                    );
                }
            }
        }
    }

    #[test]
    fn lucas_uv_halving_matches_the_definition() {
        for p in -4..=4 {
            for q in -4..=4 {
                for n in 1..=22usize {
                    let (u, v) = lucas_uv_halving(&mut CheckedI64, &p, &q, &[n as u64]).unwrap();
                    assert_eq!((i128::from(u), i128::from(v)), reference(n, p.into(), q.into()), "n={n} p={p} q={q}");
                }
            }
        }
    }

    #[test]
    fn fib_or_lucas_matches_the_definition_up_to_i64_limit() {
        for n in 1..=90u64 {
            let (f, l) = reference(n as usize, 1, -1);
            assert_eq!(i128::from(fib_or_lucas(&mut CheckedI64, &[n], Which::Fibonacci).unwrap()), f, "F_{n}");
            assert_eq!(i128::from(fib_or_lucas(&mut CheckedI64, &[n], Which::Lucas).unwrap()), l, "L_{n}");
        }
        assert_eq!(fib_or_lucas(&mut CheckedI64, &[92], Which::Fibonacci), Ok(7540113804746346429));
    }

    #[test]
    fn checked_i128_matches_the_definition_up_to_its_limit() {
        let (mut f, mut f1) = (0i128, 1i128);
        for n in 0..=184u64 {
            if n > 0 {
                assert_eq!(fib_or_lucas(&mut CheckedI128, &[n], Which::Fibonacci), Ok(f), "F_{n}");
            }
            (f, f1) = (f1, f.saturating_add(f1));
        }
        assert_eq!(fib_or_lucas(&mut CheckedI128, &[186], Which::Fibonacci), Err(Overflow));
        for n in 1..=45usize {
            let (u, v) = lucas_uv_halving(&mut CheckedI128, &3, &-5, &[n as u64]).unwrap();
            assert_eq!((u, v), reference(n, 3, -5), "n={n}");
        }
    }

    #[test]
    fn checked_words_report_overflow_instead_of_wrapping() {
        assert_eq!(fib_or_lucas(&mut CheckedI64, &[200], Which::Fibonacci), Err(Overflow));
        assert!(lucas_u_pair(&mut CheckedI64, &3, &-5, &[100]).is_err());
    }
}
