//! Polynomial products over Z/mZ for any word modulus m by number-theoretic transforms
//! (pure Rust, no FFI).
//!
//! Z/mZ for an arbitrary m has no roots of unity to transform with, so the product is
//! computed over the integers: the inputs are residues below 2^64, so every coefficient of
//! a product of length N is below N·2^128. Three primes p_i just below 2^62 of the form
//! c·2^24 + 1 have roots of unity of every order up to 2^24, and their product (about
//! 2^186) exceeds N·2^128 for every transform size used here, so the coefficient is
//! recovered exactly from its three residues (Garner's form of the Chinese remainder
//! theorem: X = t_0 + p_0·t_1 + p_0·p_1·t_2 with t_i < p_i) and only then reduced modulo m
//! by a [`Fold`]. Within each prime, products are Montgomery products (no division).
//!
//! Transforms are decimation in frequency forwards (natural order in, bit-reversed out)
//! and in time backwards (bit-reversed in, natural out), so no bit reversal is ever done:
//! pointwise products do not care about the order.

#![forbid(unsafe_code)]

use crate::modular::word::{inverse_mod_2_64, Montgomery};
use std::hint::select_unpredictable;

/// The three primes, each c·2^24 + 1 < 2^62, with a generator of each one's group.
pub const PRIMES: [u64; 3] = [0x3fff_ffff_f900_0001, 0x3fff_ffff_e500_0001, 0x3fff_ffff_d900_0001];
const GENERATORS: [u64; 3] = [5, 3, 3];
/// The largest transform the primes allow (2^24 divides p_i − 1).
pub const MAX_SIZE: usize = 1 << 24;

/// Z/pZ for one of the primes, in Montgomery form (x·2^64 mod p).
#[derive(Clone, Copy)]
struct Field {
    p: u64,
    p_inv: u64,
    /// 2^128 mod p.
    r2: u64,
}

impl Field {
    fn new(p: u64) -> Field {
        let r2 = (u128::MAX % u128::from(p) + 1) % u128::from(p);
        Field { p, p_inv: inverse_mod_2_64(p), r2: r2 as u64 }
    }

    /// t·2^(−64) mod p for t < p·2^64, in 0..p.
    #[inline(always)]
    fn redc(&self, t: u128) -> u64 {
        let (lo, hi) = (t as u64, (t >> 64) as u64);
        let q = lo.wrapping_mul(self.p_inv);
        let qp_hi = ((u128::from(q) * u128::from(self.p)) >> 64) as u64;
        let (r, borrow) = hi.overflowing_sub(qp_hi);
        r.wrapping_add(select_unpredictable(borrow, self.p, 0))
    }
    #[inline(always)]
    fn mul(&self, a: u64, b: u64) -> u64 {
        self.redc(u128::from(a) * u128::from(b))
    }
    #[inline(always)]
    fn add(&self, a: u64, b: u64) -> u64 {
        // a, b < p < 2^62: no overflow. Whether p comes back depends on the data: a branch
        // would be mispredicted about half the time, so all three corrections are selects.
        let (d, borrow) = (a + b).overflowing_sub(self.p);
        d.wrapping_add(select_unpredictable(borrow, self.p, 0))
    }
    #[inline(always)]
    fn sub(&self, a: u64, b: u64) -> u64 {
        let (d, borrow) = a.overflowing_sub(b);
        d.wrapping_add(select_unpredictable(borrow, self.p, 0))
    }
    /// Any u64 (below 4p since p > 2^61.9) into 0..p.
    #[inline(always)]
    fn reduce_word(&self, x: u64) -> u64 {
        // x − (x >> 62)·p < 2^62 + 3·(2^62 − p) < 2p: one more subtraction at most.
        let r = x - (x >> 62) * self.p;
        if r >= self.p {
            r - self.p
        } else {
            r
        }
    }
    /// x·2^64 mod p (Montgomery form) for x < p.
    fn enter(&self, x: u64) -> u64 {
        self.mul(x, self.r2)
    }
    /// b^e for b in Montgomery form.
    fn pow(&self, b: u64, mut e: u64) -> u64 {
        let (mut base, mut acc) = (b, self.enter(1));
        while e > 0 {
            if e & 1 == 1 {
                acc = self.mul(acc, base);
            }
            base = self.mul(base, base);
            e >>= 1;
        }
        acc
    }
}

/// Reduction of a coefficient X = t_0 + p_0·t_1 + p_0·p_1·t_2 (given as the t_i) into the
/// ring the caller computes in.
pub trait Fold {
    fn fold(&self, t: [u64; 3]) -> u64;
}

/// Into Z/2^64Z: wrapping arithmetic is exact modulo 2^64.
pub struct ToWrapping;

impl Fold for ToWrapping {
    #[inline]
    fn fold(&self, t: [u64; 3]) -> u64 {
        let p01 = PRIMES[0].wrapping_mul(PRIMES[1]);
        t[0].wrapping_add(PRIMES[0].wrapping_mul(t[1])).wrapping_add(p01.wrapping_mul(t[2]))
    }
}

/// Into Z/mZ for odd m > 1 whose elements are in Montgomery form: the inputs were
/// a·2^64 and b·2^64, so the integer X is a sum of a·b·2^128 and X·2^(−64) mod m (one
/// REDC) is the Montgomery form of the product.
pub struct ToMontgomery {
    mont: Montgomery,
    /// p_0 mod m and p_0·p_1 mod m.
    p0: u64,
    p01: u64,
}

impl ToMontgomery {
    pub fn new(m: u64) -> ToMontgomery {
        let m128 = u128::from(m);
        let p0 = (u128::from(PRIMES[0]) % m128) as u64;
        let p01 = (u128::from(PRIMES[0]) * u128::from(PRIMES[1]) % m128) as u64;
        ToMontgomery { mont: Montgomery::new(m), p0, p01 }
    }
}

impl Fold for ToMontgomery {
    #[inline]
    fn fold(&self, t: [u64; 3]) -> u64 {
        // t_0 < 2^62, the two products below m·2^62 each: the sum is below m·2^64, the
        // bound REDC needs (m >= 3).
        let s = u128::from(t[0]) + u128::from(self.p0) * u128::from(t[1]) + u128::from(self.p01) * u128::from(t[2]);
        self.mont.reduce(s)
    }
}

/// A polynomial transformed modulo each prime (bit-reversed order), of one size.
pub struct Spectrum {
    v: [Vec<u64>; 3],
}

/// Root tables for transforms up to a fixed size, and the constants of the CRT.
pub struct Ntt {
    fields: [Field; 3],
    /// Per prime, `roots[len + j]` = w_{2·len}^j (Montgomery form) for every power of two
    /// len < size: each level's twiddles contiguous, shared by all smaller sizes.
    roots: [Vec<u64>; 3],
    iroots: [Vec<u64>; 3],
    size: usize,
    /// p_0^(−1) mod p_1 and (p_0·p_1)^(−1) mod p_2, p_0 mod p_2, in Montgomery form.
    inv01: u64,
    inv012: u64,
    p0_mod2: u64,
}

impl Ntt {
    /// Tables for transforms of every power-of-two size up to `size` (a power of two,
    /// at most [`MAX_SIZE`]).
    pub fn new(size: usize) -> Ntt {
        assert!(size.is_power_of_two() && (2..=MAX_SIZE).contains(&size));
        let fields = PRIMES.map(Field::new);
        let mut roots: [Vec<u64>; 3] = Default::default();
        let mut iroots: [Vec<u64>; 3] = Default::default();
        for i in 0..3 {
            let f = fields[i];
            let g = f.enter(GENERATORS[i]);
            let (r, ir) = (&mut roots[i], &mut iroots[i]);
            r.resize(size, 0);
            ir.resize(size, 0);
            let mut len = 1;
            while len < size {
                let w = f.pow(g, (f.p - 1) / (2 * len as u64));
                let wi = f.pow(w, f.p - 2);
                let (mut x, mut xi) = (f.enter(1), f.enter(1));
                for j in 0..len {
                    r[len + j] = x;
                    ir[len + j] = xi;
                    x = f.mul(x, w);
                    xi = f.mul(xi, wi);
                }
                len *= 2;
            }
        }
        let [f0, f1, f2] = fields;
        // Montgomery forms of the constants, so one Montgomery product multiplies by them.
        let inv01 = f1.pow(f1.enter(f1.reduce_word(f0.p)), f1.p - 2);
        let p01_mod2 = f2.mul(f2.enter(f2.reduce_word(f0.p)), f2.reduce_word(f1.p)); // plain
        let inv012 = f2.pow(f2.enter(p01_mod2), f2.p - 2);
        Ntt { fields, roots, iroots, size, inv01, inv012, p0_mod2: f2.enter(f2.reduce_word(f0.p)) }
    }

    /// The transforms of `a` (coefficients below 2^64) padded with zeros to length `n`.
    pub fn forward(&self, a: &[u64], n: usize) -> Spectrum {
        assert!(n.is_power_of_two() && n <= self.size && a.len() <= n);
        let v = std::array::from_fn(|i| {
            let f = &self.fields[i];
            let mut x: Vec<u64> = a.iter().map(|&c| f.reduce_word(c)).collect();
            x.resize(n, 0);
            dif(f, &self.roots[i], &mut x);
            x
        });
        Spectrum { v }
    }

    /// `a` times `b` pointwise, into `a`.
    pub fn mul_into(&self, a: &mut Spectrum, b: &Spectrum) {
        for i in 0..3 {
            let f = &self.fields[i];
            for (x, &y) in a.v[i].iter_mut().zip(&b.v[i]) {
                *x = f.mul(*x, y);
            }
        }
    }

    /// `a` squared pointwise.
    pub fn square(&self, a: &mut Spectrum) {
        for i in 0..3 {
            let f = &self.fields[i];
            for x in a.v[i].iter_mut() {
                *x = f.mul(*x, *x);
            }
        }
    }

    /// The cyclic convolution whose (pointwise product of) transforms `a` holds, folded
    /// into the caller's ring; `a` must be one pointwise product of two forward transforms
    /// (which leaves a factor 2^(−64) that the scaling takes back). Coefficients
    /// `range` only.
    pub fn inverse<F: Fold>(&self, mut a: Spectrum, range: std::ops::Range<usize>, fold: &F) -> Vec<u64> {
        let n = a.v[0].len();
        assert!(range.end <= n);
        let scale: [u64; 3] = std::array::from_fn(|i| {
            let f = &self.fields[i];
            dit(f, &self.iroots[i], &mut a.v[i]);
            // The result is n·X·2^(−64): multiplying by n^(−1)·2^128 (a Montgomery product
            // with its Montgomery form) leaves X.
            let n_inv = f.pow(f.enter(n as u64), f.p - 2); // Montgomery form of 1/n
            f.enter(n_inv)
        });
        let [f0, f1, f2] = &self.fields;
        range
            .map(|j| {
                let c0 = f0.mul(a.v[0][j], scale[0]);
                let c1 = f1.mul(a.v[1][j], scale[1]);
                let c2 = f2.mul(a.v[2][j], scale[2]);
                // Garner: t_1 = (c_1 − t_0)/p_0 mod p_1, t_2 = (c_2 − t_0 − p_0·t_1)/(p_0·p_1) mod p_2.
                let t0 = c0;
                let t1 = f1.mul(f1.sub(c1, f1.reduce_word(t0)), self.inv01);
                let x = f2.sub(f2.sub(c2, f2.reduce_word(t0)), f2.mul(f2.reduce_word(t1), self.p0_mod2));
                let t2 = f2.mul(x, self.inv012);
                fold.fold([t0, t1, t2])
            })
            .collect()
    }
}

/// Forward transform in place (Gentleman–Sande): natural order in, bit-reversed out.
fn dif(f: &Field, roots: &[u64], a: &mut [u64]) {
    let mut len = a.len() / 2;
    while len >= 1 {
        let w = &roots[len..2 * len];
        for chunk in a.chunks_exact_mut(2 * len) {
            let (lo, hi) = chunk.split_at_mut(len);
            for ((x, y), &wj) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
                let (u, v) = (*x, *y);
                *x = f.add(u, v);
                *y = f.mul(f.sub(u, v), wj);
            }
        }
        len /= 2;
    }
}

/// Inverse transform in place (Cooley–Tukey with inverse roots): bit-reversed in,
/// natural order out, times the length.
fn dit(f: &Field, iroots: &[u64], a: &mut [u64]) {
    let mut len = 1;
    while len < a.len() {
        let w = &iroots[len..2 * len];
        for chunk in a.chunks_exact_mut(2 * len) {
            let (lo, hi) = chunk.split_at_mut(len);
            for ((x, y), &wj) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
                let (u, v) = (*x, f.mul(*y, wj));
                *x = f.add(u, v);
                *y = f.sub(u, v);
            }
        }
        len *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn is_prime(n: u64) -> bool {
        // Deterministic Miller–Rabin for 64-bit n.
        let mulm = |a: u64, b: u64| (u128::from(a) * u128::from(b) % u128::from(n)) as u64;
        let powm = |mut b: u64, mut e: u64| {
            let mut acc = 1u64;
            while e > 0 {
                if e & 1 == 1 {
                    acc = mulm(acc, b);
                }
                b = mulm(b, b);
                e >>= 1;
            }
            acc
        };
        let s = (n - 1).trailing_zeros();
        let d = (n - 1) >> s;
        [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37].iter().all(|&a| {
            let mut x = powm(a, d);
            if x == 1 || x == n - 1 {
                return true;
            }
            (1..s).any(|_| {
                x = mulm(x, x);
                x == n - 1
            })
        })
    }

    #[test]
    fn primes_and_roots() {
        for (i, &p) in PRIMES.iter().enumerate() {
            assert!(is_prime(p) && p < 1 << 62 && (p - 1) % MAX_SIZE as u64 == 0);
            let f = Field::new(p);
            let w = f.pow(f.enter(GENERATORS[i]), (p - 1) / MAX_SIZE as u64);
            // w has order exactly MAX_SIZE.
            assert_eq!(f.pow(w, MAX_SIZE as u64), f.enter(1));
            assert_eq!(f.pow(w, MAX_SIZE as u64 / 2), f.enter(p - 1));
        }
        assert!(is_prime(1_000_000_007) && !is_prime(1_000_000_007 * 3));
    }

    /// The full product modulo m (m = 0: modulo 2^64) by the schoolbook method in u128.
    fn schoolbook(a: &[u64], b: &[u64], m: u64) -> Vec<u64> {
        let mut out = vec![0u64; a.len() + b.len() - 1];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                out[i + j] = if m == 0 {
                    out[i + j].wrapping_add(x.wrapping_mul(y))
                } else {
                    ((u128::from(out[i + j]) + u128::from(x) * u128::from(y) % u128::from(m)) % u128::from(m)) as u64
                };
            }
        }
        out
    }

    fn product<F: Fold>(ntt: &Ntt, a: &[u64], b: &[u64], fold: &F) -> Vec<u64> {
        let len = a.len() + b.len() - 1;
        let n = len.next_power_of_two();
        let mut fa = ntt.forward(a, n);
        if std::ptr::eq(a, b) {
            ntt.square(&mut fa);
        } else {
            ntt.mul_into(&mut fa, &ntt.forward(b, n));
        }
        ntt.inverse(fa, 0..len, fold)
    }

    #[test]
    fn products_match_schoolbook() {
        let ntt = Ntt::new(1 << 11);
        let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
        for m in [0u64, 3, 1_000_000_007, (1 << 61) - 1, u64::MAX, u64::MAX - 58] {
            for (la, lb) in [(1, 1), (1, 7), (2, 2), (3, 5), (17, 16), (64, 64), (100, 3), (513, 511), (1000, 1024)] {
                for extreme in [false, true] {
                    let top = if m == 0 { u64::MAX } else { m - 1 };
                    let pick = |rng: &mut Rng| {
                        if extreme {
                            top
                        } else if m == 0 {
                            rng.next()
                        } else {
                            rng.next() % m
                        }
                    };
                    let a: Vec<u64> = (0..la).map(|_| pick(&mut rng)).collect();
                    let b: Vec<u64> = (0..lb).map(|_| pick(&mut rng)).collect();
                    let want = schoolbook(&a, &b, m);
                    let want_sq = schoolbook(&a, &a, m);
                    let (got, got_sq) = if m == 0 {
                        (product(&ntt, &a, &b, &ToWrapping), product(&ntt, &a, &a, &ToWrapping))
                    } else {
                        // In Montgomery form modulo m, as the word rings use it.
                        let mont = Montgomery::new(m);
                        let enter = |v: &[u64]| v.iter().map(|&x| mont.enter(x)).collect::<Vec<u64>>();
                        let (ea, eb) = (enter(&a), enter(&b));
                        let to = ToMontgomery::new(m);
                        let leave = |v: Vec<u64>| v.into_iter().map(|x| mont.leave(x)).collect::<Vec<u64>>();
                        (leave(product(&ntt, &ea, &eb, &to)), leave(product(&ntt, &ea, &ea, &to)))
                    };
                    assert_eq!(got, want, "m={m} {la}x{lb} extreme={extreme}");
                    assert_eq!(got_sq, want_sq, "square m={m} {la} extreme={extreme}");
                }
            }
        }
    }

    #[test]
    fn cyclic_wraps_around() {
        // Size 8 for a product of length 11: coefficient j collects j and j + 8.
        let ntt = Ntt::new(16);
        let a: Vec<u64> = (1..=6).collect();
        let full = schoolbook(&a, &a, 0);
        let mut fa = ntt.forward(&a, 8);
        ntt.square(&mut fa);
        let got = ntt.inverse(fa, 0..8, &ToWrapping);
        let want: Vec<u64> = (0..8).map(|j| full[j] + full.get(j + 8).copied().unwrap_or(0)).collect();
        assert_eq!(got, want);
    }
}
