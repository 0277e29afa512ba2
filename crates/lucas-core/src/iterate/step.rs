//! Machine-word arithmetic for recurrences (pure Rust, no FFI; tested by `cargo test`).
//!
//! Two fast paths of `LucasIter` live here:
//! * exact `i64` steps that report overflow instead of wrapping (the caller then promotes the
//!   state to Python ints, the way `itertools.count` leaves its C `long` fast path), and
//! * steps modulo a word-sized modulus `m` (1 <= m < 2**64), with values kept in `0..m`.

#![forbid(unsafe_code)]

use crate::modular::word::Montgomery;

/// `sum(c_i * x_i)` exactly, or `None` if the result does not fit in an i64.
///
/// Each product of two i64 fits in an i128 (|product| <= 2**126); the running sum is checked,
/// so even a long recurrence of extreme values is never wrapped.
#[inline]
pub fn dot_i64(coef: &[i64], window: &[i64]) -> Option<i64> {
    let mut acc: i128 = 0;
    for (&c, &x) in coef.iter().zip(window) {
        acc = acc.checked_add(i128::from(c) * i128::from(x))?;
    }
    i64::try_from(acc).ok()
}

/// `c_0·x_0 + c_1·x_1` exactly, or `None` beyond i64: [`dot_i64`] for order 2, where the
/// loop and its bookkeeping would cost more than the arithmetic.
#[inline]
pub fn dot2_i64(c: [i64; 2], x: [i64; 2]) -> Option<i64> {
    let sum = (i128::from(c[0]) * i128::from(x[0])).checked_add(i128::from(c[1]) * i128::from(x[1]))?;
    i64::try_from(sum).ok()
}

/// `sum(c_i * x_i) mod m` for a fixed modulus and coefficients, prepared once per iterator.
///
/// For odd m with k·m <= 2**64 (every order-k recurrence with m below 2**64 / k, e.g.
/// 2**61 - 1 or 10**9 + 7) the coefficients are stored in Montgomery form c·2^64 mod m:
/// then the plain sum S = sum(c_i·2^64 · x_i) is below k·m² <= m·2^64 and one Montgomery
/// reduction (two multiplications, no division) turns it into sum(c_i·x_i) mod m. Other
/// moduli take [`dot_mod`], which divides.
pub struct ModDot {
    coef: Box<[u64]>,
    reduction: Reduction,
}

/// How [`ModDot`] reduces its sum. The modulus is in either variant, so the iterator's
/// state stays small enough to be moved without a `memcpy` call.
enum Reduction {
    /// Once, in Montgomery form: the single-reduction form applies.
    Mont(Montgomery),
    /// By division ([`dot_mod`]), modulo this m.
    Divide(u64),
}

impl ModDot {
    /// `coef` must already be reduced into `0..m`.
    pub fn new(coef: &[u64], m: u64) -> ModDot {
        let fits = u64::try_from(coef.len()).ok().and_then(|k| k.checked_mul(m)).is_some();
        match (m % 2 == 1 && m > 1 && fits).then(|| Montgomery::new(m)) {
            Some(mont) => {
                ModDot { coef: coef.iter().map(|&c| mont.enter(c)).collect(), reduction: Reduction::Mont(mont) }
            }
            None => ModDot { coef: coef.into(), reduction: Reduction::Divide(m) },
        }
    }

    // ANCHOR: mod_dot
    /// `sum(c_i * x_i) mod m` for a window of values in `0..m`. Always inlined: it is the
    /// body of `next()` for every modulus below 2**64 but order 2's, and as a call it costs
    /// that step a prologue and the window's bounds checks again.
    #[inline(always)]
    pub fn dot(&self, window: &[u64]) -> u64 {
        match &self.reduction {
            Reduction::Mont(mont) => {
                let window = &window[..self.coef.len()];
                let mut acc: u128 = 0;
                for (&c, &x) in self.coef.iter().zip(window) {
                    // No overflow: the sum stays below k·m² <= m·2^64 (see `new`).
                    acc += u128::from(c) * u128::from(x);
                }
                mont.reduce(acc)
            }
            Reduction::Divide(m) => dot_mod(&self.coef, window, *m),
        }
    }
    // ANCHOR_END: mod_dot

    /// The coefficients' memory, for `__sizeof__`.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.coef)
    }
}

/// An order-2 recurrence modulo an odd m < 2**63, run one step ahead.
///
/// `x` holds x_n, x_{n+1} and already x_{n+2}; the coefficients are the *two-step* ones,
/// x_{n+3} = c_0·c_1·x_n + (c_0 + c_1²)·x_{n+1}, in Montgomery form. Each new value thus
/// depends on one computed two steps earlier, not on the previous step's result, so the
/// multiply-and-reduce latency of one `next()` overlaps the next call instead of adding to
/// it. Order 2 (Fibonacci, Lucas, every U and V) is common enough for its own type: the
/// window and coefficients sit inline, with no loop and no bounds to check.
pub struct ModPair {
    mont: Montgomery,
    /// (c_0·c_1, c_0 + c_1²)·2^64 mod m.
    c: [u64; 2],
    x: [u64; 3],
}

impl ModPair {
    /// For coefficients and initial values already reduced into `0..m`; `None` where the
    /// single Montgomery reduction does not apply (m even, m = 1, or 2m > 2**64).
    pub fn new(c: [u64; 2], x: [u64; 2], m: u64) -> Option<ModPair> {
        if m.is_multiple_of(2) || m == 1 || m.checked_mul(2).is_none() {
            return None;
        }
        let mul = |a: u64, b: u64| (u128::from(a) * u128::from(b) % u128::from(m)) as u64;
        let add = |a: u64, b: u64| ((u128::from(a) + u128::from(b)) % u128::from(m)) as u64;
        let mont = Montgomery::new(m);
        let two_step = [mont.enter(mul(c[0], c[1])), mont.enter(add(c[0], mul(c[1], c[1])))];
        let x2 = add(mul(c[0], x[0]), mul(c[1], x[1]));
        Some(ModPair { mont, c: two_step, x: [x[0], x[1], x2] })
    }

    /// x_n, the value the next step yields.
    #[inline]
    pub fn oldest(&self) -> u64 {
        self.x[0]
    }

    /// Moves the window on by one: x_{n+1}, x_{n+2}, x_{n+3}.
    #[inline]
    pub fn advance(&mut self) {
        let [x0, x1, x2] = self.x;
        // Below 2·m² <= m·2^64, so one reduction suffices (see `ModDot`).
        let s = u128::from(self.c[0]) * u128::from(x0) + u128::from(self.c[1]) * u128::from(x1);
        self.x = [x1, x2, self.mont.reduce(s)];
    }

    /// The window x_n, x_{n+1} (the value computed ahead is not part of the state).
    pub fn window(&self) -> [u64; 2] {
        [self.x[0], self.x[1]]
    }
}

/// `sum(c_i * x_i) mod m` for values already reduced into `0..m`.
///
/// A product of two values below m < 2**64 is below 2**128, so it fits a u128; the sum is
/// reduced only when adding the next product would overflow, so an order-2 recurrence with
/// m < 2**63 does a single division per step.
#[inline]
pub fn dot_mod(coef: &[u64], window: &[u64], m: u64) -> u64 {
    let m128 = u128::from(m);
    let mut acc: u128 = 0;
    for (&c, &x) in coef.iter().zip(window) {
        let p = u128::from(c) * u128::from(x);
        acc = match acc.checked_add(p) {
            Some(s) => s,
            // acc % m < m and p <= (m-1)**2, so their sum is below m**2 < 2**128.
            None => acc % m128 + p,
        };
    }
    (acc % m128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod_dot_agrees_with_dot_mod_on_both_paths() {
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Odd moduli small enough for one reduction, odd ones too large, even ones, 1.
        for m in [3u64, 7, 1_000_000_007, (1 << 61) - 1, (1 << 62) + 1, (1 << 63) + 3, u64::MAX, 10, 1 << 40, 1] {
            for k in 1..=8usize {
                let coef: Vec<u64> = (0..k).map(|_| rnd() % m).collect();
                let md = ModDot::new(&coef, m);
                for _ in 0..20 {
                    let win: Vec<u64> = (0..k).map(|_| rnd() % m).collect();
                    assert_eq!(md.dot(&win), dot_mod(&coef, &win, m), "m={m} k={k}");
                }
                let top: Vec<u64> = vec![m - 1; k];
                assert_eq!(md.dot(&top), dot_mod(&coef, &top, m), "m={m} k={k} extreme");
            }
        }
        let montgomery = |d: ModDot| matches!(d.reduction, Reduction::Mont(_));
        assert!(montgomery(ModDot::new(&[1, 1], (1 << 61) - 1)));
        assert!(montgomery(ModDot::new(&[1, 1, 1, 1, 1], 1_000_000_007)));
        assert!(!montgomery(ModDot::new(&[1, 1], u64::MAX)));
    }

    #[test]
    fn mod_pair_matches_the_plain_recurrence() {
        for m in [3u64, 7, 1_000_000_007, (1 << 61) - 1, (1 << 63) - 25] {
            for (c, x) in [([1, 1], [0, 1]), ([m - 1, 3], [2, m - 1]), ([m / 2, m / 3], [m - 2, 5])] {
                let mut pair = ModPair::new(c, x, m).expect("odd m below 2**63");
                let (mut a, mut b) = (x[0], x[1]);
                for step in 0..200 {
                    assert_eq!(pair.window(), [a, b], "m={m} step={step}");
                    assert_eq!(pair.oldest(), a);
                    pair.advance();
                    (a, b) = (b, dot_mod(&c, &[a, b], m));
                }
            }
        }
        assert!(ModPair::new([1, 1], [0, 1], 10).is_none());
        assert!(ModPair::new([1, 1], [0, 1], 1).is_none());
        assert!(ModPair::new([1, 1], [0, 1], u64::MAX).is_none());
    }

    #[test]
    fn dot2_i64_agrees_with_dot_i64() {
        let vals = [0, 1, -1, 2, i64::MAX, i64::MIN, i64::MAX / 2, i64::MIN / 2 - 1, 1 << 32];
        for &c0 in &vals {
            for &c1 in &vals {
                for &x0 in &vals {
                    for &x1 in &vals {
                        assert_eq!(dot2_i64([c0, c1], [x0, x1]), dot_i64(&[c0, c1], &[x0, x1]));
                    }
                }
            }
        }
    }

    #[test]
    fn dot_i64_exact_and_overflow() {
        assert_eq!(dot_i64(&[1, 1], &[3, 5]), Some(8));
        assert_eq!(dot_i64(&[-1], &[i64::MIN]), None); // -i64::MIN = 2**63
        assert_eq!(dot_i64(&[1], &[i64::MIN]), Some(i64::MIN));
        assert_eq!(dot_i64(&[2], &[-(1 << 62)]), Some(i64::MIN));
        assert_eq!(dot_i64(&[1, 1], &[i64::MAX, 1]), None);
        // An intermediate sum beyond i64 that comes back into range is still exact.
        assert_eq!(dot_i64(&[1, 1, -1], &[i64::MAX, i64::MAX, i64::MAX]), Some(i64::MAX));
        // Products at the extremes: i64::MIN * i64::MIN = 2**126 twice overflows no i128.
        assert_eq!(dot_i64(&[i64::MIN, i64::MIN, i64::MAX], &[i64::MIN, i64::MIN, 1]), None);
        // Fibonacci 92 fits, 93 does not.
        let (mut a, mut b) = (0i64, 1i64);
        for _ in 0..91 {
            let c = dot_i64(&[1, 1], &[a, b]).unwrap();
            a = b;
            b = c;
        }
        assert_eq!(b, 7540113804746346429);
        assert_eq!(dot_i64(&[1, 1], &[a, b]), None);
    }

    #[test]
    fn dot_mod_matches_u128_reference() {
        let ms = [1u64, 2, 7, (1 << 61) - 1, (1 << 63) - 25, u64::MAX - 58, u64::MAX];
        let mut seed = 0x9E3779B97F4A7C15u64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for &m in &ms {
            for k in 1..=8 {
                let coef: Vec<u64> = (0..k).map(|_| rnd() % m).collect();
                let win: Vec<u64> = (0..k).map(|_| rnd() % m).collect();
                let expect = coef
                    .iter()
                    .zip(&win)
                    .fold(0u128, |acc, (&c, &x)| (acc + u128::from(c) * u128::from(x) % u128::from(m)) % u128::from(m));
                assert_eq!(u128::from(dot_mod(&coef, &win, m)), expect, "m={m} k={k}");
            }
        }
        // All maximal values: the overflow branch must reduce correctly.
        let m = u64::MAX;
        let v = vec![m - 1; 8];
        let expect = (u128::from(m - 1) * u128::from(m - 1) % u128::from(m) * 8) % u128::from(m);
        assert_eq!(u128::from(dot_mod(&v, &v, m)), expect);
    }
}
