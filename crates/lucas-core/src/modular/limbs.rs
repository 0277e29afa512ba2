//! Arithmetic modulo an odd integer of several machine words (pure Rust, no FFI).
//!
//! The primality tests for n >= 2**64 do thousands of products modulo n. A Python int
//! product followed by `%` is a division each time; Montgomery's form (x·R mod n with
//! R = 2^(64·k) for a k-limb n) replaces the division by multiplications, as
//! [`crate::modular::word`] does for one word. Products use CIOS, the "coarsely integrated operand
//! scanning" of Koç, Acar and Kaliski (1996): for each limb of a, add a_i·b and then the
//! multiple of n that clears the lowest limb, shifting one limb down, so the running sum
//! never exceeds k + 1 limbs.
//!
//! Numbers are little-endian `u64` limbs (limb i weighs 2^(64·i)); the plain operations on
//! such slices that the tests need sit at the end of this file.

#![forbid(unsafe_code)]

use std::cmp::Ordering;

/// Z/nZ for an odd n of `k >= 1` limbs (top limb non-zero), elements in Montgomery form,
/// each a `k`-limb vector below n.
pub struct MontLimbs {
    n: Vec<u64>,
    /// −n^(−1) mod 2^64.
    n_neg_inv: u64,
    /// R mod n: 1 in Montgomery form.
    one: Vec<u64>,
    /// R² mod n: multiplying by it (then reducing) converts into Montgomery form.
    r2: Vec<u64>,
    /// The running sum of a product, k + 1 limbs.
    scratch: Vec<u64>,
}

impl MontLimbs {
    /// The ring for odd `n > 1` given as limbs (high zero limbs are ignored).
    pub fn new(n: &[u64]) -> MontLimbs {
        let n = trimmed(n).to_vec();
        assert!(
            !n.is_empty() && n[0] % 2 == 1 && (n.len() > 1 || n[0] > 1),
            "Montgomery form needs an odd modulus > 1"
        );
        let k = n.len();
        let n_neg_inv = crate::modular::word::inverse_mod_2_64(n[0]).wrapping_neg();
        // R mod n: start from the highest power of two below n and double up to 2^(64k).
        let bits = bit_length(&n);
        let mut one = vec![0u64; k];
        one[((bits - 1) / 64) as usize] = 1 << ((bits - 1) % 64);
        let mut ring = MontLimbs { n, n_neg_inv, one: Vec::new(), r2: Vec::new(), scratch: vec![0; k + 1] };
        for _ in bits - 1..64 * k as u64 {
            one = ring.add_new(&one, &one);
        }
        // R² = R·2^(64k): in Montgomery form that is the element for 2^(64k), which is
        // 2 (one doubling of `one`) raised to 64k by squaring and multiplying.
        let two = ring.add_new(&one, &one);
        let mut acc = one.clone();
        let e = 64 * k as u64;
        for i in (0..64 - e.leading_zeros()).rev() {
            let sq = ring.mul_new(&acc, &acc);
            acc = if (e >> i) & 1 == 1 { ring.mul_new(&sq, &two) } else { sq };
        }
        ring.one = one;
        ring.r2 = acc;
        ring
    }

    /// The number of limbs of n (and of every element).
    pub fn limbs(&self) -> usize {
        self.n.len()
    }

    /// 1 in Montgomery form.
    pub fn one(&self) -> &[u64] {
        &self.one
    }

    /// x (any number of limbs, but below n) into Montgomery form.
    pub fn enter(&mut self, x: &[u64]) -> Vec<u64> {
        let mut padded = vec![0u64; self.limbs()];
        let x = trimmed(x);
        assert!(cmp(x, &self.n) == Ordering::Less, "enter() needs x < n");
        padded[..x.len()].copy_from_slice(x);
        let r2 = std::mem::take(&mut self.r2);
        let out = self.mul_new(&padded, &r2);
        self.r2 = r2;
        out
    }

    /// Montgomery form back to the residue in 0..n.
    pub fn leave(&mut self, x: &[u64]) -> Vec<u64> {
        let mut unit = vec![0u64; self.limbs()];
        unit[0] = 1;
        self.mul_new(x, &unit)
    }

    /// out = a·b·R^(−1) mod n, for a, b < n (CIOS).
    pub fn mul(&mut self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let k = self.n.len();
        debug_assert!(a.len() == k && b.len() == k && out.len() == k);
        let (n, t) = (&self.n, &mut self.scratch);
        t.fill(0);
        for &ai in a {
            // t += a_i·b, and m·n with m chosen so that the lowest limb becomes zero; both
            // sums are carried separately, and the zero limb is dropped (t /= 2^64) in the same pass.
            let s = u128::from(t[0]) + u128::from(ai) * u128::from(b[0]);
            let m = (s as u64).wrapping_mul(self.n_neg_inv);
            let mut carry_ab = (s >> 64) as u64;
            let s2 = u128::from(s as u64) + u128::from(m) * u128::from(n[0]);
            let mut carry_mn = (s2 >> 64) as u64;
            for j in 1..k {
                let s = u128::from(t[j]) + u128::from(ai) * u128::from(b[j]) + u128::from(carry_ab);
                carry_ab = (s >> 64) as u64;
                let s2 = u128::from(s as u64) + u128::from(m) * u128::from(n[j]) + u128::from(carry_mn);
                carry_mn = (s2 >> 64) as u64;
                t[j - 1] = s2 as u64;
            }
            let top = u128::from(t[k]) + u128::from(carry_ab) + u128::from(carry_mn);
            t[k - 1] = top as u64;
            t[k] = (top >> 64) as u64;
        }
        // t < 2n: one conditional subtraction leaves it in 0..n.
        if t[k] != 0 || cmp(&t[..k], n) != Ordering::Less {
            sub_in_place(&mut t[..k], n);
        }
        out.copy_from_slice(&t[..k]);
    }

    /// out = a + b mod n.
    pub fn add(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let mut carry = false;
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            let (s1, c1) = x.overflowing_add(y);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *o = s2;
            carry = c1 || c2;
        }
        if carry || cmp(out, &self.n) != Ordering::Less {
            sub_in_place(out, &self.n);
        }
    }

    /// out = a − b mod n.
    pub fn sub(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        let mut borrow = false;
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            let (d1, b1) = x.overflowing_sub(y);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *o = d2;
            borrow = b1 || b2;
        }
        if borrow {
            add_in_place(out, &self.n);
        }
    }

    fn mul_new(&mut self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; self.limbs()];
        self.mul(&mut out, a, b);
        out
    }

    fn add_new(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; self.limbs()];
        self.add(&mut out, a, b);
        out
    }
}

// ---------------------------------------------------------------------------------------
// Plain operations on little-endian limb slices.

/// The slice without its high zero limbs.
pub fn trimmed(x: &[u64]) -> &[u64] {
    let len = x.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    &x[..len]
}

/// The number of bits of x (0 for zero).
pub fn bit_length(x: &[u64]) -> u64 {
    let x = trimmed(x);
    match x.last() {
        None => 0,
        Some(&top) => 64 * x.len() as u64 - u64::from(top.leading_zeros()),
    }
}

/// Compares two numbers of any lengths.
pub fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    let (a, b) = (trimmed(a), trimmed(b));
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// a −= b for a >= b (b no longer than a); the borrow out of a's top limb is dropped, which
/// is what the Montgomery reduction needs when a's true value had one more limb.
pub fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = false;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
}

/// a += b (b no longer than a), dropping the carry out of a's top limb.
pub fn add_in_place(a: &mut [u64], b: &[u64]) {
    let mut carry = false;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (s1, c1) = x.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 || c2;
    }
}

/// x >>= s for s < 64.
pub fn shr_in_place(x: &mut [u64], s: u32) {
    if s == 0 {
        return;
    }
    for i in 0..x.len() {
        let high = x.get(i + 1).map_or(0, |&h| h << (64 - s));
        x[i] = (x[i] >> s) | high;
    }
}

/// The number of trailing zero bits of a non-zero x.
pub fn trailing_zeros(x: &[u64]) -> u64 {
    let i = x.iter().position(|&l| l != 0).expect("x != 0");
    64 * i as u64 + u64::from(x[i].trailing_zeros())
}

/// x >> s for any s, as a new vector.
pub fn shr(x: &[u64], s: u64) -> Vec<u64> {
    let skip = (s / 64) as usize;
    let mut out = x.get(skip..).unwrap_or(&[]).to_vec();
    shr_in_place(&mut out, (s % 64) as u32);
    out
}

/// x mod m for a word m > 0.
pub fn rem_word(x: &[u64], m: u64) -> u64 {
    x.iter().rev().fold(0u64, |r, &l| ((u128::from(r) << 64 | u128::from(l)) % u128::from(m)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_u128(x: &[u64]) -> u128 {
        let x = trimmed(x);
        assert!(x.len() <= 2);
        x.iter().rev().fold(0u128, |acc, &l| acc << 64 | u128::from(l))
    }

    fn limbs(v: u128) -> Vec<u64> {
        vec![v as u64, (v >> 64) as u64]
    }

    /// a·b mod n for 128-bit values, by shift-and-add (no overflow: everything stays below 2n).
    fn mulmod(a: u128, b: u128, n: u128) -> u128 {
        let (mut acc, mut a, mut b) = (0u128, a % n, b);
        let addmod = |x: u128, y: u128| if x >= n - y { x - (n - y) } else { x + y };
        while b > 0 {
            if b & 1 == 1 {
                acc = addmod(acc, a);
            }
            a = addmod(a, a);
            b >>= 1;
        }
        acc
    }

    const MODULI: [u128; 6] = [
        (1 << 64) + 13,
        u128::MAX,
        (1u128 << 127) - 1,
        0xDEAD_BEEF_0000_0001_0123_4567_89AB_CDEF,
        (1 << 100) + 277,
        (u64::MAX as u128) * 3,
    ];

    #[test]
    fn product_sum_difference_against_u128() {
        for n in MODULI {
            let mut r = MontLimbs::new(&limbs(n));
            let values = [0u128, 1, 2, n - 1, n / 2, n / 3 + 7, 0x1234_5678_9ABC_DEF0_1111, u64::MAX as u128];
            for &x in &values {
                let xm = r.enter(&limbs(x % n));
                assert_eq!(to_u128(&r.leave(&xm)), x % n, "round trip n={n:#x} x={x:#x}");
                for &y in &values {
                    let ym = r.enter(&limbs(y % n));
                    let mut out = vec![0u64; 2];
                    r.mul(&mut out, &xm, &ym);
                    assert_eq!(to_u128(&r.leave(&out)), mulmod(x, y, n), "product n={n:#x} x={x:#x} y={y:#x}");
                    r.add(&mut out, &xm, &ym);
                    let sum = if x % n >= n - y % n { x % n - (n - y % n) } else { x % n + y % n };
                    assert_eq!(to_u128(&r.leave(&out)), sum);
                    r.sub(&mut out, &xm, &ym);
                    let diff = if x % n >= y % n { x % n - y % n } else { n - (y % n - x % n) };
                    assert_eq!(to_u128(&r.leave(&out)), diff);
                }
            }
            let one = r.one().to_vec();
            assert_eq!(to_u128(&r.leave(&one)), 1);
        }
    }

    /// 3^(n−1) mod n with the ring's products, left-to-right binary powering.
    fn fermat_three(n: &[u64]) -> Vec<u64> {
        let mut r = MontLimbs::new(n);
        let mut e = n.to_vec();
        e[0] -= 1;
        let base = r.enter(&[3]);
        let mut acc = r.one().to_vec();
        let mut t = vec![0u64; n.len()];
        for i in (0..bit_length(&e)).rev() {
            r.mul(&mut t, &acc, &acc);
            if (e[(i / 64) as usize] >> (i % 64)) & 1 == 1 {
                r.mul(&mut acc, &t, &base);
            } else {
                acc.copy_from_slice(&t);
            }
        }
        trimmed(&r.leave(&acc)).to_vec()
    }

    #[test]
    fn many_limbs_against_fermat() {
        // 2^521 − 1 is prime: a^(n−1) ≡ 1 for a = 3 ...
        let mut n = vec![u64::MAX; 9];
        n[8] = (1 << 9) - 1;
        assert_eq!(fermat_three(&n), [1]);
        // ... and 2^523 − 1 is not: 3^(n−1) is not 1.
        n[8] = (1 << 11) - 1;
        assert_ne!(fermat_three(&n), [1]);
    }

    #[test]
    fn plain_operations() {
        let x = limbs((1u128 << 100) + 12345);
        assert_eq!(bit_length(&x), 101);
        assert_eq!(to_u128(&shr(&x, 3)), ((1u128 << 100) + 12345) >> 3);
        assert_eq!(to_u128(&shr(&x, 70)), ((1u128 << 100) + 12345) >> 70);
        assert_eq!(trailing_zeros(&limbs(1 << 70)), 70);
        assert_eq!(rem_word(&x, 1_000_003), (((1u128 << 100) + 12345) % 1_000_003) as u64);
        assert_eq!(cmp(&[5, 0, 0], &[5]), Ordering::Equal);
        assert_eq!(cmp(&[0, 1], &[u64::MAX]), Ordering::Greater);
    }
}
