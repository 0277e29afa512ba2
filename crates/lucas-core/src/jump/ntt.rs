//! Number-theoretic transforms modulo three word primes, and the two products built on
//! them (pure Rust, no FFI): polynomial products over Z/mZ for any word modulus m (the
//! jump-ahead's), and products of big integers too large for one uninterrupted product.
//!
//! Z/mZ for an arbitrary m has no roots of unity to transform with, so the product is
//! computed over the integers: the inputs are residues below 2^64, so every coefficient of
//! a product of length N is below N·2^128. Three primes p_i just below 2^62 of the form
//! c·2^30 + 1 have roots of unity of every order up to 2^30, and their product (about
//! 2^186) exceeds N·2^128 for every transform size used here, so the coefficient is
//! recovered exactly from its three residues (Garner's form of the Chinese remainder
//! theorem: X = t_0 + p_0·t_1 + p_0·p_1·t_2 with t_i < p_i) and only then reduced modulo m
//! by a [`Fold`]. Within each prime, products are Montgomery products (no division).
//!
//! A big integer is the polynomial of its 64-bit limbs at x = 2^64, so the same transforms
//! multiply big integers ([`mul_limbs`]): the exact coefficients are carried into limbs
//! instead of folded. The big-integer backend multiplies as fast, but in one call that
//! nothing can interrupt; here the transforms call a poll hook every
//! [`POLL_BUTTERFLIES`] butterflies, so a product of billions of bits still stops soon
//! after Ctrl-C.
//!
//! Transforms are decimation in frequency forwards (natural order in, bit-reversed out)
//! and in time backwards (bit-reversed in, natural out), so no bit reversal is ever done:
//! pointwise products do not care about the order. The levels whose butterflies span more
//! than `CACHE_POINTS` points are one pass over the array each; the rest run block by
//! block, each block through all of them while it is in the cache.

#![forbid(unsafe_code)]

use crate::modular::word::{inverse_mod_2_64, Montgomery};
use std::hint::select_unpredictable;

/// The three primes, each c·2^30 + 1 < 2^62, with a quadratic non-residue of each (whose
/// powers are roots of unity of every order up to 2^30).
pub const PRIMES: [u64; 3] = [0x3fff_ffee_c000_0001, 0x3fff_ffdb_4000_0001, 0x3fff_ffd9_c000_0001];
const GENERATORS: [u64; 3] = [3, 3, 3];
/// The largest transform the primes allow (2^30 divides p_i − 1).
const MAX_POINTS: usize = 1 << 30;
/// The largest transform [`Ntt`] keeps tables for (the jump's polynomial products).
pub const MAX_SIZE: usize = 1 << 24;
/// About how many butterflies a transform runs between two calls of its poll hook.
pub const POLL_BUTTERFLIES: usize = 1 << 16;
/// Transforms of this many points run all their levels while in the (first-level) cache.
const CACHE_POINTS: usize = 1 << 12;

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

    // The transforms keep values in 0..2p, one correction short of canonical (Harvey,
    // "Faster arithmetic for number-theoretic transforms", 2014): p < 2^62 leaves room for
    // sums below 4p, and REDC of a product below 4p·p (< p·2^64) lands in 0..2p without its
    // final correction. Whatever reads a transform's output reduces it with `mul`, which
    // accepts inputs below 2p.

    /// a·b·2^(−64) mod p in 0..2p, for a < 4p and b < p, or both below 2p.
    #[inline(always)]
    fn mul_lazy(&self, a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        let (lo, hi) = (t as u64, (t >> 64) as u64);
        let q = lo.wrapping_mul(self.p_inv);
        let qp_hi = ((u128::from(q) * u128::from(self.p)) >> 64) as u64;
        // hi − qp_hi lies in (−p, p): adding p brings it into (0, 2p).
        hi.wrapping_sub(qp_hi).wrapping_add(self.p)
    }

    /// x in 0..4p into 0..2p.
    #[inline(always)]
    fn fold_2p(&self, x: u64) -> u64 {
        let two_p = 2 * self.p;
        x - select_unpredictable(x >= two_p, two_p, 0)
    }
    /// a − b mod p for b < p, a < 2p: in 0..2p (in 0..p for a < p). Whether p comes back
    /// depends on the data: a branch would be mispredicted about half the time, so the
    /// corrections here and in the transforms are selects.
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

/// `roots[len + j]` = w_{2·len}^j (Montgomery form) for every power of two len < n, where
/// w_{2·len} is a root of unity of order 2·len: each level's twiddles contiguous, shared by
/// all smaller sizes. The top level by successive products, each level below by taking
/// every other entry of the one above (w_{len}^j = w_{2·len}^{2j}).
fn root_table<E>(f: &Field, g: u64, n: usize, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Vec<u64>, E> {
    debug_assert!(n.is_power_of_two() && (2..=MAX_POINTS).contains(&n));
    let mut r = vec![0u64; n];
    let half = n / 2;
    let w = f.pow(f.enter(g), (f.p - 1) / n as u64);
    let mut x = f.enter(1);
    for top in r[half..].chunks_mut(POLL_BUTTERFLIES) {
        for slot in top {
            *slot = x;
            x = f.mul(x, w);
        }
        poll()?;
    }
    let mut len = half / 2;
    while len >= 1 {
        let (lower, upper) = r.split_at_mut(2 * len);
        for (slot, &v) in lower[len..].iter_mut().zip(upper.iter().step_by(2)) {
            *slot = v;
        }
        len /= 2;
    }
    Ok(r)
}

/// The constants of Garner's CRT for the three primes, and the scaling that undoes a
/// transform pair's factors.
struct Crt {
    fields: [Field; 3],
    /// p_0^(−1) mod p_1 and (p_0·p_1)^(−1) mod p_2, p_0 mod p_2, in Montgomery form.
    inv01: u64,
    inv012: u64,
    p0_mod2: u64,
}

impl Crt {
    fn new() -> Crt {
        let fields = PRIMES.map(Field::new);
        let [f0, f1, f2] = fields;
        // Montgomery forms of the constants, so one Montgomery product multiplies by them.
        let inv01 = f1.pow(f1.enter(f1.reduce_word(f0.p)), f1.p - 2);
        let p01_mod2 = f2.mul(f2.enter(f2.reduce_word(f0.p)), f2.reduce_word(f1.p)); // plain
        let inv012 = f2.pow(f2.enter(p01_mod2), f2.p - 2);
        Crt { fields, inv01, inv012, p0_mod2: f2.enter(f2.reduce_word(f0.p)) }
    }

    /// Per prime, the factor that turns the inverse transform of one pointwise product of
    /// two forward transforms of size n back into the plain coefficient: the result is
    /// n·X·2^(−64), and a Montgomery product with (n^(−1)·2^128)'s Montgomery form leaves X.
    fn scale(&self, n: usize) -> [u64; 3] {
        self.fields.map(|f| {
            let n_inv = f.pow(f.enter(n as u64), f.p - 2); // Montgomery form of 1/n
            f.enter(n_inv)
        })
    }

    /// The digits (t_0, t_1, t_2) of X from its three scaled residues.
    #[inline(always)]
    fn digits(&self, c: [u64; 3], scale: &[u64; 3]) -> [u64; 3] {
        let [f0, f1, f2] = &self.fields;
        let c0 = f0.mul(c[0], scale[0]);
        let c1 = f1.mul(c[1], scale[1]);
        let c2 = f2.mul(c[2], scale[2]);
        // Garner: t_1 = (c_1 − t_0)/p_0 mod p_1, t_2 = (c_2 − t_0 − p_0·t_1)/(p_0·p_1) mod p_2.
        let t0 = c0;
        let t1 = f1.mul(f1.sub(c1, f1.reduce_word(t0)), self.inv01);
        let x = f2.sub(f2.sub(c2, f2.reduce_word(t0)), f2.mul(f2.reduce_word(t1), self.p0_mod2));
        [t0, t1, f2.mul(x, self.inv012)]
    }
}

/// The hook of transforms nothing needs to interrupt (the jump's, whose sizes are bounded).
fn never<E>() -> Result<(), E> {
    Ok(())
}

/// Root tables for transforms up to a fixed size, and the constants of the CRT.
pub struct Ntt {
    crt: Crt,
    /// Per prime, the [`root_table`] of size `size`.
    roots: [Vec<u64>; 3],
    size: usize,
}

impl Ntt {
    /// Tables for transforms of every power-of-two size up to `size` (a power of two,
    /// at most [`MAX_SIZE`]).
    pub fn new(size: usize) -> Ntt {
        assert!(size.is_power_of_two() && (2..=MAX_SIZE).contains(&size));
        let crt = Crt::new();
        let roots = std::array::from_fn(|i| {
            let table = root_table::<std::convert::Infallible>(&crt.fields[i], GENERATORS[i], size, &mut never);
            table.unwrap_or_else(|never| match never {})
        });
        Ntt { crt, roots, size }
    }

    /// The transforms of `a` (coefficients below 2^64) padded with zeros to length `n`;
    /// `poll` as for [`mul_limbs`].
    pub fn forward<E>(&self, a: &[u64], n: usize, poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Spectrum, E> {
        assert!(n.is_power_of_two() && n <= self.size && a.len() <= n);
        let mut v: [Vec<u64>; 3] = Default::default();
        for (i, x) in v.iter_mut().enumerate() {
            let f = &self.crt.fields[i];
            *x = a.iter().map(|&c| f.reduce_word(c)).collect();
            x.resize(n, 0);
            dif(f, &self.roots[i], x, poll)?;
        }
        Ok(Spectrum { v })
    }

    /// `a` times `b` pointwise, into `a`.
    pub fn mul_into(&self, a: &mut Spectrum, b: &Spectrum) {
        for i in 0..3 {
            let f = &self.crt.fields[i];
            for (x, &y) in a.v[i].iter_mut().zip(&b.v[i]) {
                *x = f.mul(*x, y);
            }
        }
    }

    /// `a` squared pointwise.
    pub fn square(&self, a: &mut Spectrum) {
        for i in 0..3 {
            let f = &self.crt.fields[i];
            for x in a.v[i].iter_mut() {
                *x = f.mul(*x, *x);
            }
        }
    }

    /// The cyclic convolution whose (pointwise product of) transforms `a` holds, folded
    /// into the caller's ring; `a` must be one pointwise product of two forward transforms
    /// (which leaves a factor 2^(−64) that the scaling takes back). Coefficients
    /// `range` only; `poll` as for [`mul_limbs`].
    pub fn inverse<F: Fold, E>(
        &self,
        mut a: Spectrum,
        range: std::ops::Range<usize>,
        fold: &F,
        poll: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Vec<u64>, E> {
        let n = a.v[0].len();
        assert!(range.end <= n);
        for (i, v) in a.v.iter_mut().enumerate() {
            dit(&self.crt.fields[i], &self.roots[i], v, poll)?;
        }
        let scale = self.crt.scale(n);
        Ok(range.map(|j| fold.fold(self.crt.digits([a.v[0][j], a.v[1][j], a.v[2][j]], &scale))).collect())
    }
}

/// One level of forward butterflies on the matching halves `lo`, `hi` of a block, with
/// their twiddles `w`: (u, v) -> (u + v, (u − v)·w_j), on values in 0..2p.
#[inline(always)]
fn dif_butterflies(f: &Field, lo: &mut [u64], hi: &mut [u64], w: &[u64]) {
    let two_p = 2 * f.p;
    for ((x, y), &wj) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
        let (u, v) = (*x, *y);
        *x = f.fold_2p(u + v);
        *y = f.mul_lazy(u + two_p - v, wj);
    }
}

/// One level of inverse butterflies, (u, v) -> (u + v·w_j^(−1), u − v·w_j^(−1)), for
/// j = j0 .. j0 + lo.len(), where `w` is the level's whole forward row (w_{2·len}^j for
/// j < len). The inverse twiddles come from the same row: w^(−j) = −w^(len−j) for j > 0
/// (w^len = −1), and the minus sign swaps the sum and the difference.
#[inline(always)]
fn dit_butterflies(f: &Field, lo: &mut [u64], hi: &mut [u64], w: &[u64], j0: usize) {
    let len = w.len();
    let start = usize::from(j0 == 0);
    let two_p = 2 * f.p;
    if start == 1 {
        // j = 0: the twiddle is 1 (w[0] is its Montgomery form).
        let (u, v) = (lo[0], f.mul_lazy(hi[0], w[0]));
        lo[0] = f.fold_2p(u + v);
        hi[0] = f.fold_2p(u + two_p - v);
    }
    let (j, count) = (j0 + start, lo.len() - start);
    if count == 0 {
        return;
    }
    let twiddles = w[len - j - count + 1..=len - j].iter().rev();
    for ((x, y), &wj) in lo[start..].iter_mut().zip(hi[start..].iter_mut()).zip(twiddles) {
        let (u, v) = (*x, f.mul_lazy(*y, wj));
        *x = f.fold_2p(u + two_p - v);
        *y = f.fold_2p(u + v);
    }
}

/// Forward transform in place (Gentleman–Sande): natural order in, bit-reversed out.
/// `roots` is a [`root_table`] of at least `a.len()` entries.
fn dif<E>(f: &Field, roots: &[u64], a: &mut [u64], poll: &mut dyn FnMut() -> Result<(), E>) -> Result<(), E> {
    let n = a.len();
    let mut len = n / 2;
    // The wide levels: one pass over the array each, polled in pieces.
    while len >= CACHE_POINTS {
        let w = &roots[len..2 * len];
        for block in a.chunks_exact_mut(2 * len) {
            let (lo, hi) = block.split_at_mut(len);
            let pieces = lo.chunks_mut(POLL_BUTTERFLIES).zip(hi.chunks_mut(POLL_BUTTERFLIES));
            for ((lo, hi), w) in pieces.zip(w.chunks(POLL_BUTTERFLIES)) {
                dif_butterflies(f, lo, hi, w);
                poll()?;
            }
        }
        len /= 2;
    }
    // The narrow ones, block by block.
    if len == 0 {
        return Ok(());
    }
    let (block, mut since_poll) = (2 * len, 0);
    for chunk in a.chunks_exact_mut(block) {
        let mut l = len;
        while l >= 1 {
            for sub in chunk.chunks_exact_mut(2 * l) {
                let (lo, hi) = sub.split_at_mut(l);
                dif_butterflies(f, lo, hi, &roots[l..2 * l]);
            }
            since_poll += block / 2;
            l /= 2;
        }
        if since_poll >= POLL_BUTTERFLIES {
            since_poll = 0;
            poll()?;
        }
    }
    Ok(())
}

/// Inverse transform in place (Cooley–Tukey): bit-reversed in, natural order out, times
/// the length. `roots` as for [`dif`] (the forward roots: see [`dit_butterflies`]).
fn dit<E>(f: &Field, roots: &[u64], a: &mut [u64], poll: &mut dyn FnMut() -> Result<(), E>) -> Result<(), E> {
    let n = a.len();
    if n < 2 {
        return Ok(());
    }
    // The narrow levels, block by block.
    let (block, mut since_poll) = (n.min(2 * CACHE_POINTS), 0);
    for chunk in a.chunks_exact_mut(block) {
        let mut l = 1;
        while l < block {
            for sub in chunk.chunks_exact_mut(2 * l) {
                let (lo, hi) = sub.split_at_mut(l);
                dit_butterflies(f, lo, hi, &roots[l..2 * l], 0);
            }
            since_poll += block / 2;
            l *= 2;
        }
        if since_poll >= POLL_BUTTERFLIES {
            since_poll = 0;
            poll()?;
        }
    }
    // The wide ones: one pass over the array each, polled in pieces.
    let mut len = block;
    while len < n {
        let w = &roots[len..2 * len];
        for sub in a.chunks_exact_mut(2 * len) {
            let (lo, hi) = sub.split_at_mut(len);
            let pieces = lo.chunks_mut(POLL_BUTTERFLIES).zip(hi.chunks_mut(POLL_BUTTERFLIES));
            for (piece, (lo, hi)) in pieces.enumerate() {
                dit_butterflies(f, lo, hi, w, piece * POLL_BUTTERFLIES);
                poll()?;
            }
        }
        len *= 2;
    }
    Ok(())
}

/// The cyclic convolution of `a` and `b` (each at most `n` coefficients) modulo the prime
/// of `f`, as n·X·2^(−64) per coefficient (the scale of an inverse transform after one
/// Montgomery pointwise product). `square`: `b` is `a`.
fn cyclic_residues<E>(
    f: &Field,
    g: u64,
    a: &[u64],
    b: &[u64],
    square: bool,
    n: usize,
    poll: &mut dyn FnMut() -> Result<(), E>,
) -> Result<Vec<u64>, E> {
    let roots = root_table(f, g, n, poll)?;
    let load = |x: &[u64]| {
        let mut v: Vec<u64> = x.iter().map(|&c| f.reduce_word(c)).collect();
        v.resize(n, 0);
        v
    };
    let mut fa = load(a);
    dif(f, &roots, &mut fa, poll)?;
    if square {
        for piece in fa.chunks_mut(POLL_BUTTERFLIES) {
            piece.iter_mut().for_each(|x| *x = f.mul_lazy(*x, *x));
            poll()?;
        }
    } else {
        let mut fb = load(b);
        dif(f, &roots, &mut fb, poll)?;
        for (piece, other) in fa.chunks_mut(POLL_BUTTERFLIES).zip(fb.chunks(POLL_BUTTERFLIES)) {
            piece.iter_mut().zip(other).for_each(|(x, &y)| *x = f.mul_lazy(*x, y));
            poll()?;
        }
    }
    dit(f, &roots, &mut fa, poll)?;
    Ok(fa)
}

/// The transform size for a product of `la` by `lb` limbs, and whether the product wraps
/// around it (see [`mul_limbs`]).
fn product_shape(la: usize, lb: usize) -> (usize, bool) {
    let len = la + lb - 1;
    let full = len.next_power_of_two().max(2);
    assert!(full <= MAX_POINTS, "a product of {len} limbs is beyond the transforms");
    // The wrapped part: c_j for j >= N needs a_i with i >= N + 1 − lb and b_i with
    // i >= N + 1 − la, so both operands must fit N, and the top product should be small.
    let half = full / 2;
    let top = len.saturating_sub(half);
    if half >= 2 && half >= la.max(lb) && top >= 1 && 2 * top - 1 <= half / 2 {
        (half, true)
    } else {
        (full, false)
    }
}

// ANCHOR: mul_limbs
/// The product of two natural numbers given as little-endian 64-bit limbs (both non-empty),
/// as limbs without leading zeros: the convolution of the limb vectors modulo each prime in
/// turn, then Garner's CRT and the carries, from the least significant coefficient up.
/// `poll` is called about every [`POLL_BUTTERFLIES`] butterflies (and as often in the
/// other passes); its error stops the product.
///
/// A product of `len` coefficients needs a transform of at least `len` points, and powers
/// of two leave up to half of it as padding. When `len` is just above a power of two N, the
/// convolution is taken cyclically at N instead: coefficient j < len − N then holds
/// c_j + c_{j+N}, and the few top coefficients c_N .. c_{len−1}, which involve only the top
/// limbs of a and b, come from a product of those, a quarter of the size or less; subtracting
/// them leaves every c_j.
///
/// The product's length must fit the transforms (2^30 points: operands of up to 2^29 limbs each).
pub fn mul_limbs<E>(a: &[u64], b: &[u64], poll: &mut dyn FnMut() -> Result<(), E>) -> Result<Vec<u64>, E> {
    assert!(!a.is_empty() && !b.is_empty());
    let (la, lb) = (a.len(), b.len());
    let square = a == b;
    let len = la + lb - 1;
    let (n, wrap) = product_shape(la, lb);
    let top = len.saturating_sub(n); // the coefficients past a wrapped transform
    let crt = Crt::new();
    let mut residues: [Vec<u64>; 3] = Default::default();
    for (i, slot) in residues.iter_mut().enumerate() {
        let f = &crt.fields[i];
        let mut c = cyclic_residues(f, GENERATORS[i], a, b, square, n, poll)?;
        if wrap {
            let (a_top, b_top) = (&a[n + 1 - lb..], &b[n + 1 - la..]);
            let m = (2 * top - 1).next_power_of_two().max(2);
            let hi = cyclic_residues(f, GENERATORS[i], a_top, b_top, square, m, poll)?;
            // From the scale of size m to that of size n (a power of two, times 2^64 so
            // that one Montgomery product applies it).
            let rescale = f.enter((n / m) as u64);
            let hi: Vec<u64> = hi[top - 1..2 * top - 1].iter().map(|&x| f.mul(x, rescale)).collect();
            for (x, &h) in c.iter_mut().zip(&hi) {
                *x = f.sub(*x, h);
            }
            c.extend(hi);
        }
        c.truncate(len);
        *slot = c;
    }
    let scale = crt.scale(n);
    let (p0, p01) = (u128::from(PRIMES[0]), u128::from(PRIMES[0]) * u128::from(PRIMES[1]));
    let (p01_lo, p01_hi) = (p01 as u64, (p01 >> 64) as u64);
    let mut out = Vec::with_capacity(len + 1);
    // A running sum below 2^192 in (limb, c0, c1): each coefficient X is below 2^186 and
    // what is carried over below 2^128, so the sum never overflows.
    let (mut c0, mut c1) = (0u64, 0u64);
    let [r0, r1, r2] = &residues;
    let pieces = r0.chunks(POLL_BUTTERFLIES).zip(r1.chunks(POLL_BUTTERFLIES)).zip(r2.chunks(POLL_BUTTERFLIES));
    for ((r0, r1), r2) in pieces {
        for ((&x0, &x1), &x2) in r0.iter().zip(r1).zip(r2) {
            let [t0, t1, t2] = crt.digits([x0, x1, x2], &scale);
            // X = t_0 + p_0·t_1 + p_0·p_1·t_2.
            let low = u128::from(t0) + p0 * u128::from(t1); // < 2^125
            let top_lo = u128::from(p01_lo) * u128::from(t2);
            let top_hi = u128::from(p01_hi) * u128::from(t2) + (top_lo >> 64);
            let s = u128::from(c0) + u128::from(low as u64) + u128::from(top_lo as u64);
            let m = u128::from(c1) + (low >> 64) + u128::from(top_hi as u64) + (s >> 64);
            out.push(s as u64);
            c0 = m as u64;
            c1 = ((top_hi >> 64) + (m >> 64)) as u64;
        }
        poll()?;
    }
    out.extend([c0, c1]);
    while out.last() == Some(&0) {
        out.pop();
    }
    Ok(out)
}
// ANCHOR_END: mul_limbs

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
            // Below 2^62 for the lazy sums, above 0.8·2^62 for `reduce_word`.
            assert!(is_prime(p) && p < 1 << 62 && p > (1 << 62) / 5 * 4);
            assert_eq!((p - 1) % MAX_POINTS as u64, 0);
            let f = Field::new(p);
            let w = f.pow(f.enter(GENERATORS[i]), (p - 1) / MAX_POINTS as u64);
            // w has order exactly MAX_POINTS.
            assert_eq!(f.pow(w, MAX_POINTS as u64), f.enter(1));
            assert_eq!(f.pow(w, MAX_POINTS as u64 / 2), f.enter(p - 1));
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
        let mut fa = ntt.forward(a, n, &mut ok).unwrap();
        if std::ptr::eq(a, b) {
            ntt.square(&mut fa);
        } else {
            ntt.mul_into(&mut fa, &ntt.forward(b, n, &mut ok).unwrap());
        }
        ntt.inverse(fa, 0..len, fold, &mut ok).unwrap()
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
        let mut fa = ntt.forward(&a, 8, &mut ok).unwrap();
        ntt.square(&mut fa);
        let got = ntt.inverse(fa, 0..8, &ToWrapping, &mut ok).unwrap();
        let want: Vec<u64> = (0..8).map(|j| full[j] + full.get(j + 8).copied().unwrap_or(0)).collect();
        assert_eq!(got, want);
    }

    /// a·b by the schoolbook method on limbs, the reference for [`mul_limbs`].
    fn limb_schoolbook(a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; a.len() + b.len()];
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u128;
            for (j, &y) in b.iter().enumerate() {
                let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
            out[i + b.len()] = carry as u64;
        }
        while out.last() == Some(&0) {
            out.pop();
        }
        out
    }

    fn ok() -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn big_products_match_schoolbook() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        // Around the cache blocks (2·CACHE_POINTS points and more take the wide levels)
        // and the poll pieces, with random limbs and with all-ones limbs (the largest
        // coefficients and the longest carries).
        let sizes = [(1, 1), (1, 9), (2, 2), (3, 1000), (100, 100), (2048, 2048), (2049, 4000), (6000, 300)];
        // And products that wrap around their transform: just past a power of two, balanced
        // or not, with one top coefficient or the most the rule allows.
        let wrapped = [(513, 513), (600, 600), (520, 700), (1000, 30), (30, 1000), (2200, 2200), (4097, 4097)];
        for &(la, lb) in &wrapped {
            assert!(product_shape(la, lb).1, "{la}x{lb} wraps");
        }
        assert!(!product_shape(2048, 2048).1 && !product_shape(700, 700).1);
        for (la, lb) in sizes.into_iter().chain(wrapped) {
            for extreme in [false, true] {
                let mut pick = |len: usize| -> Vec<u64> {
                    let mut v: Vec<u64> = (0..len).map(|_| if extreme { u64::MAX } else { rng.next() }).collect();
                    if v[len - 1] == 0 {
                        v[len - 1] = 1;
                    }
                    v
                };
                let (a, b) = (pick(la), pick(lb));
                assert_eq!(mul_limbs(&a, &b, &mut ok).unwrap(), limb_schoolbook(&a, &b), "{la}x{lb} {extreme}");
                assert_eq!(mul_limbs(&a, &a, &mut ok).unwrap(), limb_schoolbook(&a, &a), "{la}² {extreme}");
            }
        }
        // Zeros inside and at the bottom; a power of two.
        let (a, b) = (vec![0, 0, 5, 0, 7], vec![0, 1]);
        assert_eq!(mul_limbs(&a, &b, &mut ok).unwrap(), vec![0, 0, 0, 5, 0, 7]);
        assert_eq!(mul_limbs(&[1 << 63], &[2], &mut ok).unwrap(), vec![0, 1]);
    }

    #[test]
    fn a_failing_poll_stops_a_big_product() {
        let a: Vec<u64> = (1..=20_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let mut polls = 0;
        let mut count = || -> Result<(), ()> {
            polls += 1;
            Ok(())
        };
        mul_limbs(&a, &a, &mut count).unwrap();
        // 2^16 points per prime: tens of polls in all, spread over every pass.
        assert!(polls > 20, "{polls}");
        for stop_at in [1, polls / 3, polls / 2, polls] {
            let mut seen = 0;
            let mut stop = || {
                seen += 1;
                if seen == stop_at {
                    Err(())
                } else {
                    Ok(())
                }
            };
            assert_eq!(mul_limbs(&a, &a, &mut stop), Err(()));
            assert_eq!(seen, stop_at, "nothing runs after the failed poll's pass");
        }
    }
}
