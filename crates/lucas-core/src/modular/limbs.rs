//! Plain arithmetic on little-endian limb slices (pure Rust, no FFI): the kernels the
//! multi-word rings ([`super::mont`], [`super::pow2`], [`super::special`]) are made of, and
//! [`Divisor`], the remainder modulo a fixed m of any size.
//!
//! A number is a slice of `u64` limbs, limb i weighing 2^(64·i). The kernels are written on
//! slices and marked `#[inline(always)]`, so that a ring of a fixed number of limbs (a
//! const-generic array) gets them unrolled, while the rings of any size call the same code.

#![forbid(unsafe_code)]

pub use super::word::inverse_mod_2_64;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------
// One limb.

/// acc + a·b + carry as (low, high): never overflows, (2^64 − 1)² + 2·(2^64 − 1) = 2^128 − 1.
#[inline(always)]
pub fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(acc) + u128::from(a) * u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// a + b + carry, and the carry out.
#[inline(always)]
pub fn adc(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (s1, c1) = a.overflowing_add(b);
    let (s2, c2) = s1.overflowing_add(u64::from(carry));
    (s2, c1 | c2)
}

/// a − b − borrow, and the borrow out.
#[inline(always)]
pub fn sbb(a: u64, b: u64, borrow: bool) -> (u64, bool) {
    let (d1, b1) = a.overflowing_sub(b);
    let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
    (d2, b1 | b2)
}

/// An integer given as its sign and magnitude (little-endian limbs, any length): how the
/// extension hands over an argument before it is reduced modulo m.
#[derive(Clone, Copy, Debug)]
pub struct Signed<'a> {
    pub negative: bool,
    pub magnitude: &'a [u64],
}

impl Signed<'_> {
    /// The value as an i64 when its magnitude is at most `limit`.
    pub fn small(&self, limit: u64) -> Option<i64> {
        match trimmed(self.magnitude) {
            [] => Some(0),
            [w] if *w <= limit && *w < 1 << 63 => Some(if self.negative { -(*w as i64) } else { *w as i64 }),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Comparisons, sums and shifts.

/// The slice without its high zero limbs.
pub fn trimmed(x: &[u64]) -> &[u64] {
    let len = x.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    &x[..len]
}

/// Whether x is zero.
pub fn is_zero(x: &[u64]) -> bool {
    x.iter().all(|&l| l == 0)
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

/// Compares two numbers of the same length (the common case of residues), top limb first.
#[inline(always)]
pub fn cmp_same(a: &[u64], b: &[u64]) -> Ordering {
    debug_assert_eq!(a.len(), b.len());
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    Ordering::Equal
}

/// a −= b (b no longer than a), returning the borrow out of a's top limb. Dropping that
/// borrow is what a reduction needs when a's true value had one more limb.
#[inline(always)]
pub fn sub_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (i, x) in a.iter_mut().enumerate() {
        if i >= b.len() && !borrow {
            break;
        }
        (*x, borrow) = sbb(*x, b.get(i).copied().unwrap_or(0), borrow);
    }
    borrow
}

/// a += b (b no longer than a), returning the carry out of a's top limb.
#[inline(always)]
pub fn add_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut carry = false;
    for (i, x) in a.iter_mut().enumerate() {
        if i >= b.len() && !carry {
            break;
        }
        (*x, carry) = adc(*x, b.get(i).copied().unwrap_or(0), carry);
    }
    carry
}

/// out = a + b for slices of one length, returning the carry.
#[inline(always)]
pub fn add_into(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    let mut carry = false;
    for i in 0..out.len() {
        (out[i], carry) = adc(a[i], b[i], carry);
    }
    carry
}

/// out = a − b for slices of one length, returning the borrow.
#[inline(always)]
pub fn sub_into(out: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for i in 0..out.len() {
        (out[i], borrow) = sbb(a[i], b[i], borrow);
    }
    borrow
}

/// x >>= s for s < 64, `top` shifted in from above the slice.
#[inline(always)]
pub fn shr_in_place_with(x: &mut [u64], s: u32, top: u64) {
    if s == 0 {
        return;
    }
    let n = x.len();
    for i in 0..n {
        let high = if i + 1 < n { x[i + 1] } else { top };
        x[i] = (x[i] >> s) | (high << (64 - s));
    }
}

/// x >>= s for s < 64.
pub fn shr_in_place(x: &mut [u64], s: u32) {
    shr_in_place_with(x, s, 0);
}

/// The number of trailing zero bits of a non-zero x.
pub fn trailing_zeros(x: &[u64]) -> u64 {
    let i = x.iter().position(|&l| l != 0).expect("x != 0");
    64 * i as u64 + u64::from(x[i].trailing_zeros())
}

/// x >> s for any s, as a new vector.
pub fn shr(x: &[u64], s: u64) -> Vec<u64> {
    let skip = usize::try_from(s / 64).unwrap_or(usize::MAX);
    let mut out = x.get(skip..).unwrap_or(&[]).to_vec();
    shr_in_place(&mut out, (s % 64) as u32);
    out
}

/// x << s for any s, as a new vector of the exact length needed (trimmed).
pub fn shl(x: &[u64], s: u64) -> Vec<u64> {
    let x = trimmed(x);
    let (words, bits) = ((s / 64) as usize, (s % 64) as u32);
    let mut out = vec![0u64; words + x.len() + 1];
    for (i, &l) in x.iter().enumerate() {
        out[words + i] |= l << bits;
        if bits > 0 {
            out[words + i + 1] = l >> (64 - bits);
        }
    }
    out.truncate(trimmed(&out).len());
    out
}

/// x mod 2^s, in place (limbs above are cleared).
pub fn mask_in_place(x: &mut [u64], s: u64) {
    let (words, bits) = ((s / 64) as usize, (s % 64) as u32);
    for (i, l) in x.iter_mut().enumerate() {
        if i > words || (i == words && bits == 0) {
            *l = 0;
        } else if i == words {
            *l &= (1u64 << bits) - 1;
        }
    }
}

/// x mod m for a word m > 0.
pub fn rem_word(x: &[u64], m: u64) -> u64 {
    x.iter().rev().fold(0u64, |r, &l| ((u128::from(r) << 64 | u128::from(l)) % u128::from(m)) as u64)
}

/// `x` as exactly `n` limbs (x's significant limbs must fit).
pub fn padded(x: &[u64], n: usize) -> Vec<u64> {
    let x = trimmed(x);
    assert!(x.len() <= n, "a value of {} limbs does not fit {n}", x.len());
    let mut out = vec![0u64; n];
    out[..x.len()].copy_from_slice(x);
    out
}

// ---------------------------------------------------------------------------------------
// Products.

/// t[..b.len() + 2] += (a0 + a1·2^64)·b, returning the carry out of the top limb: two rows
/// of a schoolbook product in one pass. Each row is its own chain of multiply-and-add with
/// its own carry (row 0 adds a0·b_j at position j, row 1 adds a1·b_(j−1) there), so the
/// two chains overlap in the processor instead of queueing on one long sum per position;
/// walking the limbs by iterators leaves no bounds check in the loop.
#[inline(always)]
pub fn addmul_2(t: &mut [u64], a0: u64, a1: u64, b: &[u64]) -> u64 {
    let n = b.len();
    let (low, high) = t[..n + 2].split_at_mut(n);
    let (mut carry0, mut carry1, mut below) = (0u64, 0u64, 0u64);
    for (x, &y) in low.iter_mut().zip(b) {
        let (s, c) = mac(*x, a0, y, carry0);
        carry0 = c;
        (*x, carry1) = mac(s, a1, below, carry1);
        below = y;
    }
    // Position n: row 1's last product and both carries; position n + 1 takes what is left.
    let (s, c) = mac(high[0], a1, below, carry1);
    let (s, c0) = s.overflowing_add(carry0);
    high[0] = s;
    let top = u128::from(high[1]) + u128::from(c) + u128::from(c0);
    high[1] = top as u64;
    (top >> 64) as u64
}

/// t[..b.len() + 1] += a·b, returning the carry out of the top limb.
#[inline(always)]
pub fn addmul_1(t: &mut [u64], a: u64, b: &[u64]) -> u64 {
    let n = b.len();
    let (low, high) = t[..n + 1].split_at_mut(n);
    let mut carry = 0;
    for (x, &y) in low.iter_mut().zip(b) {
        (*x, carry) = mac(*x, a, y, carry);
    }
    let (s, c) = high[0].overflowing_add(carry);
    high[0] = s;
    u64::from(c)
}

/// out = a·b, schoolbook; `out.len() == a.len() + b.len()`.
#[inline(always)]
pub fn mul_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    debug_assert_eq!(out.len(), a.len() + b.len());
    out.fill(0);
    if b.is_empty() {
        return;
    }
    let mut i = 0;
    while i + 2 <= a.len() {
        addmul_2(&mut out[i..], a[i], a[i + 1], b);
        i += 2;
    }
    if i < a.len() {
        addmul_1(&mut out[i..], a[i], b);
    }
}

/// out = a², schoolbook with each cross product computed once; `out.len() == 2·a.len()`.
#[inline(always)]
pub fn sqr_into(out: &mut [u64], a: &[u64]) {
    let n = a.len();
    debug_assert_eq!(out.len(), 2 * n);
    out.fill(0);
    // The cross products a_i·a_j for i < j ...
    for i in 0..n {
        let mut carry = 0;
        for j in i + 1..n {
            (out[i + j], carry) = mac(out[i + j], a[i], a[j], carry);
        }
        out[i + n] = carry;
    }
    // ... twice ...
    let mut top = 0;
    for l in out.iter_mut() {
        let next = *l >> 63;
        *l = (*l << 1) | top;
        top = next;
    }
    // ... plus the squares a_i².
    let mut carry = false;
    for i in 0..n {
        let sq = u128::from(a[i]) * u128::from(a[i]);
        let c;
        (out[2 * i], c) = adc(out[2 * i], sq as u64, carry);
        (out[2 * i + 1], carry) = adc(out[2 * i + 1], (sq >> 64) as u64, c);
    }
}

/// out = a·b mod 2^(64·out.len()): the low limbs only (a and b at least as long as out).
#[inline(always)]
pub fn mullo_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    let n = out.len();
    out.fill(0);
    for i in 0..n {
        let mut carry = 0;
        for j in 0..n - i {
            (out[i + j], carry) = mac(out[i + j], a[i], b[j], carry);
        }
    }
}

/// x·w + add into `out` (len x.len() + 1).
#[inline(always)]
pub fn mul_word_into(out: &mut [u64], x: &[u64], w: u64) {
    let mut carry = 0;
    for (o, &l) in out.iter_mut().zip(x) {
        (*o, carry) = mac(0, l, w, carry);
    }
    out[x.len()] = carry;
}

// ---------------------------------------------------------------------------------------
// Montgomery reduction (REDC) and product (CIOS).

/// x^(−1) mod 2^(64·n) for an odd x (at least n limbs are read, padded with zeros), by
/// Newton's iteration y ← y·(2 − x·y), which doubles the number of correct limbs each step.
pub fn inverse_mod_r(x: &[u64], n: usize) -> Vec<u64> {
    match inverse_mod_r_polled(x, n, &mut || Ok::<(), std::convert::Infallible>(())) {
        Ok(y) => y,
        Err(never) => match never {},
    }
}

/// About how many limb products the polled arithmetic here and in the rings does between
/// two calls of its poll.
pub const POLL_LIMB_PRODUCTS: usize = 1 << 20;

/// From this many limbs on, [`inverse_mod_r_polled`] takes its low products from the
/// backend's sub-quadratic full products.
const LOW_PRODUCT_BY_BACKEND_MIN: usize = 64;

/// out = a·b mod 2^(64·out.len()) (a and b at least as long as out): schoolbook for few
/// limbs, the low half of the backend's full product above.
pub fn mullo_any(out: &mut [u64], a: &[u64], b: &[u64]) {
    let n = out.len();
    if n < LOW_PRODUCT_BY_BACKEND_MIN {
        mullo_into(out, a, b);
        return;
    }
    let mut full = vec![0u64; 2 * n];
    crate::bigint::limbs::mul(&mut full, &a[..n], &b[..n]);
    out.copy_from_slice(&full[..n]);
}

/// out = a·b (`out.len() == a.len() + b.len()`): schoolbook when an operand has few limbs,
/// the backend's sub-quadratic product otherwise.
pub fn mul_any(out: &mut [u64], a: &[u64], b: &[u64]) {
    if a.len().min(b.len()) < LOW_PRODUCT_BY_BACKEND_MIN {
        mul_into(out, a, b);
    } else {
        crate::bigint::limbs::mul(out, a, b);
    }
}

/// [`inverse_mod_r`] on sub-quadratic products, calling `poll` between its Newton steps
/// (each one or two products of up to n limbs); its error stops the computation.
pub fn inverse_mod_r_polled<X>(x: &[u64], n: usize, poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
    let x = padded(&x[..x.len().min(n)], n);
    let mut y = vec![0u64; n];
    y[0] = inverse_mod_2_64(x[0]);
    let mut good = 1;
    let (mut xy, mut t) = (vec![0u64; n], vec![0u64; n]);
    while good < n {
        poll()?;
        good = (2 * good).min(n);
        // t = 2 − x·y mod 2^(64·good)
        mullo_any(&mut xy[..good], &x[..good], &y[..good]);
        let two = padded(&[2], good);
        sub_into(&mut t[..good], &two, &xy[..good]);
        let y_old = y[..good].to_vec();
        poll()?;
        mullo_any(&mut y[..good], &y_old, &t[..good]);
    }
    Ok(y)
}

/// Adds `carry` into t from limb `from` up; returns the carry out of t's top limb.
#[inline(always)]
fn carry_into(t: &mut [u64], from: usize, carry: u64) -> bool {
    let mut c = carry;
    for l in t[from..].iter_mut() {
        if c == 0 {
            return false;
        }
        let (s, over) = l.overflowing_add(c);
        *l = s;
        c = u64::from(over);
    }
    c != 0
}

/// REDC of a 2n-limb t < m·R (R = 2^(64n), m odd of n limbs, `m_neg_inv` = −m^(−1) mod
/// 2^64): adds to t the multiple of m that clears its n low limbs, two limbs at a time
/// ([`addmul_2`]). Leaves t/R in `t[n..]`, below 2m; returns the carry above it (that 2m may
/// exceed R).
#[inline(always)]
pub fn redc_in_place(t: &mut [u64], m: &[u64], m_neg_inv: u64) -> bool {
    let n = m.len();
    debug_assert_eq!(t.len(), 2 * n);
    let mut top = false;
    let mut i = 0;
    while i + 2 <= n {
        // q0 clears limb i; q1 clears limb i + 1 as it will be once q0·m is added.
        let q0 = t[i].wrapping_mul(m_neg_inv);
        let (_, c0) = mac(t[i], q0, m[0], 0);
        let (t1, _) = mac(t[i + 1], q0, m[1], c0);
        let q1 = t1.wrapping_mul(m_neg_inv);
        let carry = addmul_2(&mut t[i..i + n + 2], q0, q1, m);
        top |= carry_into(t, i + n + 2, carry);
        i += 2;
    }
    if i < n {
        let q = t[i].wrapping_mul(m_neg_inv);
        let carry = addmul_1(&mut t[i..i + n + 1], q, m);
        top |= carry_into(t, i + n + 1, carry);
    }
    top
}

// ANCHOR: cios
/// The Montgomery product by CIOS (Koç, Acar and Kaliski 1996, "coarsely integrated operand
/// scanning"): for each limb a_i, t += a_i·b and the multiple q·m of m that clears t's lowest
/// limb, shifting one limb down, so the running sum stays below 2m. Both products run in the
/// same pass over the limbs with their own carries (q depends only on the lowest limb).
/// Leaves a·b/R mod m, below 2m, in `t` (n limbs) and returns the carry above it. a < R and
/// b < m.
#[inline(always)]
pub fn mont_mul_cios(t: &mut [u64], a: &[u64], b: &[u64], m: &[u64], m_neg_inv: u64) -> bool {
    let n = m.len();
    debug_assert!(t.len() == n && a.len() == n && b.len() == n);
    t.fill(0);
    let mut top = 0u64;
    for &ai in a {
        let (lo, mut carry_ab) = mac(t[0], ai, b[0], 0);
        let q = lo.wrapping_mul(m_neg_inv);
        let (_, mut carry_qm) = mac(lo, q, m[0], 0);
        for j in 1..n {
            let (s, c) = mac(t[j], ai, b[j], carry_ab);
            carry_ab = c;
            (t[j - 1], carry_qm) = mac(s, q, m[j], carry_qm);
        }
        let s = u128::from(top) + u128::from(carry_ab) + u128::from(carry_qm);
        t[n - 1] = s as u64;
        top = (s >> 64) as u64;
    }
    top != 0
}
// ANCHOR_END: cios

/// t (with a carry limb `top` above it) below 2m, brought below m by one subtraction.
#[inline(always)]
pub fn final_subtract(t: &mut [u64], top: bool, m: &[u64]) {
    if top || cmp_same(t, m) != Ordering::Less {
        sub_in_place(t, m);
    }
}

// ---------------------------------------------------------------------------------------
// Division by a fixed m.

/// floor((2^128 − 1)/d) − 2^64 for a normalised d (top bit set): the reciprocal that turns
/// a 2-by-1 limb division into multiplications (Möller and Granlund 2011, algorithm 4).
fn reciprocal_word(d: u64) -> u64 {
    debug_assert!(d >> 63 == 1);
    (u128::MAX / u128::from(d) - (1u128 << 64)) as u64
}

/// (u1·2^64 + u0) divided by a normalised d with u1 < d, using its reciprocal v: (q, r).
#[inline(always)]
fn div_2by1(u1: u64, u0: u64, d: u64, v: u64) -> (u64, u64) {
    let p = u128::from(v) * u128::from(u1) + ((u128::from(u1) << 64) | u128::from(u0));
    let mut q1 = ((p >> 64) as u64).wrapping_add(1);
    let q0 = p as u64;
    let mut r = u0.wrapping_sub(q1.wrapping_mul(d));
    if r > q0 {
        q1 = q1.wrapping_sub(1);
        r = r.wrapping_add(d);
    }
    if r >= d {
        q1 = q1.wrapping_add(1);
        r -= d;
    }
    (q1, r)
}

/// Remainders modulo a fixed m > 0 of any number of limbs: Knuth's algorithm D on the
/// normalised divisor (shifted so that its top bit is set), each quotient limb estimated
/// with a precomputed reciprocal instead of a hardware division.
#[derive(Clone, Debug)]
pub struct Divisor {
    /// m itself, trimmed.
    m: Vec<u64>,
    /// m << shift.
    d: Vec<u64>,
    shift: u32,
    /// The reciprocal of d's top limb.
    v: u64,
}

impl Divisor {
    pub fn new(m: &[u64]) -> Divisor {
        let m = trimmed(m).to_vec();
        assert!(!m.is_empty(), "a divisor must not be zero");
        let shift = m[m.len() - 1].leading_zeros();
        let mut d = m.clone();
        if shift > 0 {
            let mut carry = 0;
            for l in d.iter_mut() {
                let next = *l >> (64 - shift);
                *l = (*l << shift) | carry;
                carry = next;
            }
        }
        let v = reciprocal_word(d[d.len() - 1]);
        Divisor { m, d, shift, v }
    }

    /// The modulus, trimmed.
    pub fn modulus(&self) -> &[u64] {
        &self.m
    }

    /// The number of limbs of m (and of every remainder).
    pub fn limbs(&self) -> usize {
        self.m.len()
    }

    /// x mod m into `out` (m's number of limbs).
    pub fn rem_into(&self, x: &[u64], out: &mut [u64]) {
        let mut stack = [0u64; 24];
        let mut heap;
        let work: &mut [u64] = if x.len() < stack.len() {
            &mut stack
        } else {
            heap = vec![0u64; x.len() + 1];
            &mut heap
        };
        self.rem_with(x, out, work);
    }

    /// x mod m into `out` (m's number of limbs), with `work` (x.len() + 1 limbs at least) as
    /// working space.
    pub fn rem_with(&self, x: &[u64], out: &mut [u64], work: &mut [u64]) {
        let never = &mut || Ok::<(), std::convert::Infallible>(());
        match self.rem_with_polled(x, out, work, never) {
            Ok(()) => {}
            Err(never) => match never {},
        }
    }

    /// x mod m as a new vector of m's length, calling `poll` every [`POLL_LIMB_PRODUCTS`]
    /// limb products or so (its error stops the division): for remainders that take long,
    /// of a large x or modulo a large m.
    pub fn rem_polled<X>(&self, x: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
        let mut out = vec![0u64; self.m.len()];
        let mut work = vec![0u64; x.len() + 1];
        self.rem_with_polled(x, &mut out, &mut work, poll)?;
        Ok(out)
    }

    /// [`Divisor::rem_with`] with the poll of [`Divisor::rem_polled`].
    #[inline(always)]
    fn rem_with_polled<X, P: FnMut() -> Result<(), X> + ?Sized>(
        &self,
        x: &[u64],
        out: &mut [u64],
        work: &mut [u64],
        poll: &mut P,
    ) -> Result<(), X> {
        let n = self.m.len();
        debug_assert_eq!(out.len(), n);
        let x = trimmed(x);
        if x.len() < n || (x.len() == n && cmp_same(x, &self.m) == Ordering::Less) {
            out.fill(0);
            out[..x.len()].copy_from_slice(x);
            return Ok(());
        }
        let u = &mut work[..x.len() + 1];
        // u = x << shift, one limb longer.
        let s = self.shift;
        u[x.len()] = if s == 0 { 0 } else { x[x.len() - 1] >> (64 - s) };
        for i in (0..x.len()).rev() {
            let low = if s == 0 || i == 0 { 0 } else { x[i - 1] >> (64 - s) };
            u[i] = (x[i] << s) | low;
        }
        self.rem_normalised(u, poll)?;
        // The remainder is u's low n limbs, shifted back.
        out.copy_from_slice(&u[..n]);
        shr_in_place(out, s);
        Ok(())
    }

    /// x mod m as a new vector of m's length.
    pub fn rem(&self, x: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; self.m.len()];
        self.rem_into(x, &mut out);
        out
    }

    /// Reduces u (already shifted, its top limb below d's) in place: leaves the shifted
    /// remainder in its low limbs.
    /// `poll` is called every [`POLL_LIMB_PRODUCTS`] limb products or so.
    #[inline(always)]
    fn rem_normalised<X, P: FnMut() -> Result<(), X> + ?Sized>(&self, u: &mut [u64], poll: &mut P) -> Result<(), X> {
        let (d, n, v) = (&self.d, self.d.len(), self.v);
        let d1 = d[n - 1];
        if n == 1 {
            let mut r = 0;
            for i in (0..u.len()).rev() {
                (_, r) = div_2by1(r, u[i], d1, v);
                u[i] = 0;
            }
            u[0] = r;
            return Ok(());
        }
        let d0 = d[n - 2];
        // Each quotient limb costs n limb products.
        let every = (POLL_LIMB_PRODUCTS / n).max(1);
        for j in (0..u.len() - n).rev() {
            if j.is_multiple_of(every) {
                poll()?;
            }
            let (u2, u1, u0) = (u[j + n], u[j + n - 1], u[j + n - 2]);
            // The quotient limb, estimated from the top two limbs over d1 and corrected by
            // the next one: too large by at most one afterwards (Knuth, 4.3.1).
            let q = if u2 >= d1 {
                u64::MAX
            } else {
                let (mut q, mut r) = div_2by1(u2, u1, d1, v);
                while u128::from(q) * u128::from(d0) > ((u128::from(r) << 64) | u128::from(u0)) {
                    q -= 1;
                    let (r2, over) = r.overflowing_add(d1);
                    if over {
                        break;
                    }
                    r = r2;
                }
                q
            };
            // u[j..=j+n] −= q·d.
            let (mut carry, mut borrow) = (0u64, false);
            for i in 0..n {
                let (lo, hi) = mac(0, q, d[i], carry);
                carry = hi;
                (u[j + i], borrow) = sbb(u[j + i], lo, borrow);
            }
            let (top, b1) = sbb(u[j + n], carry, borrow);
            u[j + n] = top;
            if b1 {
                // q was one too large: add d back.
                let mut c = false;
                for i in 0..n {
                    (u[j + i], c) = adc(u[j + i], d[i], c);
                }
                u[j + n] = u[j + n].wrapping_add(u64::from(c));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn to_u128(x: &[u64]) -> u128 {
        let x = trimmed(x);
        assert!(x.len() <= 2);
        x.iter().rev().fold(0u128, |acc, &l| acc << 64 | u128::from(l))
    }

    fn limbs(v: u128) -> Vec<u64> {
        vec![v as u64, (v >> 64) as u64]
    }

    /// A deterministic stream of limbs (xorshift).
    pub(crate) fn stream(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn plain_operations() {
        let x = limbs((1u128 << 100) + 12345);
        assert_eq!(bit_length(&x), 101);
        assert_eq!(to_u128(&shr(&x, 3)), ((1u128 << 100) + 12345) >> 3);
        assert_eq!(to_u128(&shr(&x, 70)), ((1u128 << 100) + 12345) >> 70);
        assert_eq!(to_u128(&shl(&[12345], 70)), 12345u128 << 70);
        assert_eq!(trailing_zeros(&limbs(1 << 70)), 70);
        assert_eq!(rem_word(&x, 1_000_003), (((1u128 << 100) + 12345) % 1_000_003) as u64);
        assert_eq!(cmp(&[5, 0, 0], &[5]), Ordering::Equal);
        assert_eq!(cmp(&[0, 1], &[u64::MAX]), Ordering::Greater);
        let mut y = limbs(u128::MAX);
        mask_in_place(&mut y, 70);
        assert_eq!(to_u128(&y), (1u128 << 70) - 1);
        let mut y = limbs(u128::MAX);
        mask_in_place(&mut y, 64);
        assert_eq!(y, [u64::MAX, 0]);
    }

    #[test]
    fn products_against_u128_and_each_other() {
        let mut rnd = stream(7);
        for _ in 0..200 {
            let (a, b) = (rnd() >> (rnd() % 64), rnd() >> (rnd() % 64));
            let mut out = [0u64; 2];
            mul_into(&mut out, &[a], &[b]);
            assert_eq!(to_u128(&out), u128::from(a) * u128::from(b));
            sqr_into(&mut out, &[a]);
            assert_eq!(to_u128(&out), u128::from(a) * u128::from(a));
        }
        for n in 1..12 {
            let a: Vec<u64> = (0..n).map(|_| rnd()).collect();
            let b: Vec<u64> = (0..n).map(|_| rnd()).collect();
            let (mut p, mut s) = (vec![0; 2 * n], vec![0; 2 * n]);
            mul_into(&mut p, &a, &a);
            sqr_into(&mut s, &a);
            assert_eq!(p, s, "n={n}");
            mul_into(&mut p, &a, &b);
            let mut lo = vec![0; n];
            mullo_into(&mut lo, &a, &b);
            assert_eq!(lo, p[..n], "n={n}");
            // All ones squared: (R − 1)² = R² − 2R + 1.
            let ones = vec![u64::MAX; n];
            sqr_into(&mut s, &ones);
            let mut want = vec![u64::MAX; 2 * n];
            want[0] = 1;
            want[..n].iter_mut().skip(1).for_each(|l| *l = 0);
            want[n] = u64::MAX - 1;
            assert_eq!(s, want, "n={n}");
        }
    }

    #[test]
    fn divisor_against_u128() {
        let mut rnd = stream(11);
        let moduli = [1u128, 2, 3, 7, u64::MAX.into(), (1 << 64) + 13, u128::MAX, (1 << 127) - 1, 1 << 127];
        for &m in &moduli {
            let d = Divisor::new(&limbs(m));
            for _ in 0..300 {
                let x = (u128::from(rnd()) << 64 | u128::from(rnd())) >> (rnd() % 128);
                assert_eq!(to_u128(&d.rem(&limbs(x))), x % m, "{x} mod {m}");
            }
            assert_eq!(to_u128(&d.rem(&limbs(u128::MAX))), u128::MAX % m);
        }
    }

    /// x mod m for numbers of many limbs: check (x − r) divisible... instead by reconstruction
    /// x = q·m + r is not available here, so compare against a slow bit-by-bit reduction.
    fn slow_rem(x: &[u64], m: &[u64]) -> Vec<u64> {
        let n = m.len();
        let mut r = vec![0u64; n + 1];
        for i in (0..64 * x.len()).rev() {
            // r = 2r + bit
            let mut carry = (x[i / 64] >> (i % 64)) & 1;
            for l in r.iter_mut() {
                let next = *l >> 63;
                *l = (*l << 1) | carry;
                carry = next;
            }
            if cmp(&r, m) != Ordering::Less {
                sub_in_place(&mut r, m);
            }
        }
        r.truncate(n);
        r
    }

    #[test]
    fn divisor_many_limbs_against_a_slow_reduction() {
        let mut rnd = stream(5);
        for n in 1..7usize {
            for shape in 0..4 {
                let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
                match shape {
                    0 => m[n - 1] |= 1 << 63,                      // normalised already
                    1 => m[n - 1] >>= 40,                          // a large shift
                    2 => m.iter_mut().for_each(|l| *l = u64::MAX), // all ones: q = MAX estimates
                    _ => m[n - 1] = m[n - 1].max(1) >> 63,         // top limb 0 or 1
                }
                if trimmed(&m).is_empty() {
                    m[0] = 3;
                }
                let d = Divisor::new(&m);
                let mt = trimmed(&m).to_vec();
                for len in [0usize, 1, n, n + 1, 2 * n, 2 * n + 3, 30] {
                    let mut x: Vec<u64> = (0..len).map(|_| rnd()).collect();
                    if len > 2 && shape == 2 {
                        x[len - 1] = u64::MAX; // quotient limbs at their maximum
                    }
                    assert_eq!(d.rem(&x), slow_rem(&x, &mt), "m={m:x?} x={x:x?}");
                }
            }
        }
    }

    #[test]
    fn polled_division_agrees_polls_and_stops() {
        let mut rnd = stream(41);
        // A modulus of 2000 limbs: a quotient limb costs 2000 limb products, so a division
        // of twice its length polls every 524 quotient limbs.
        let mut m: Vec<u64> = (0..2000).map(|_| rnd()).collect();
        m[1999] >>= 7;
        let d = Divisor::new(&m);
        let x: Vec<u64> = (0..4100).map(|_| rnd()).collect();
        let mut calls = 0;
        let got = d.rem_polled(&x, &mut || {
            calls += 1;
            Ok::<(), ()>(())
        });
        assert_eq!(got, Ok(d.rem(&x)));
        assert!(calls >= 4, "{calls} polls");
        // Checked against the definition: x − r is a multiple of m (x = q·m + r with
        // q = (x − r)/m, recomputed by a division of the difference, whose remainder is 0).
        let r = got.unwrap();
        let mut diff = x.clone();
        sub_in_place(&mut diff, &r);
        assert!(is_zero(&d.rem(&diff)));
        assert_eq!(cmp(&r, &m), Ordering::Less);
        assert_eq!(d.rem_polled(&x, &mut || Err("stop")), Err("stop"));
        // Short remainders do not poll at all.
        assert_eq!(d.rem_polled(&m[..5], &mut || Err("stop")), Ok(padded(&m[..5], 2000)));
    }

    #[test]
    fn products_on_the_backend_agree_with_schoolbook() {
        let mut rnd = stream(43);
        for (la, lb) in [(1usize, 1usize), (63, 63), (64, 64), (64, 200), (130, 65), (700, 300)] {
            let a: Vec<u64> = (0..la).map(|_| rnd()).collect();
            let b: Vec<u64> = (0..lb).map(|_| rnd()).collect();
            let (mut want, mut got) = (vec![0; la + lb], vec![0; la + lb]);
            mul_into(&mut want, &a, &b);
            mul_any(&mut got, &a, &b);
            assert_eq!(got, want, "{la} x {lb}");
            let n = la.min(lb);
            let (mut want, mut got) = (vec![0; n], vec![0; n]);
            mullo_into(&mut want, &a, &b);
            mullo_any(&mut got, &a, &b);
            assert_eq!(got, want, "low {n}");
        }
    }

    #[test]
    fn inverse_mod_r_across_the_backend_threshold_polls_and_stops() {
        let mut rnd = stream(47);
        for n in [1usize, 2, 63, 64, 65, 127, 128, 129, 300] {
            let mut x: Vec<u64> = (0..n).map(|_| rnd()).collect();
            x[0] |= 1;
            let mut calls = 0;
            let y = inverse_mod_r_polled(&x, n, &mut || {
                calls += 1;
                Ok::<(), ()>(())
            })
            .unwrap();
            let mut p = vec![0u64; n];
            mullo_into(&mut p, &x, &y);
            assert_eq!(p, padded(&[1], n), "n={n}");
            assert_eq!(y, inverse_mod_r(&x, n));
            // One poll before each of the two products of a Newton step.
            assert_eq!(calls, 2 * n.next_power_of_two().ilog2(), "n={n}");
        }
        assert_eq!(inverse_mod_r_polled(&[3, 5], 2, &mut || Err("stop")), Err("stop"));
    }

    #[test]
    fn montgomery_kernels_against_the_divisor() {
        let mut rnd = stream(3);
        for n in 1..9usize {
            let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
            m[0] |= 1;
            if n % 2 == 0 {
                m[n - 1] |= 1 << 63; // 2m > R: the carry out of REDC matters
            }
            let d = Divisor::new(&m);
            let minv = inverse_mod_2_64(m[0]).wrapping_neg();
            // R mod m, to check a·b/R: (a·b/R)·R ≡ a·b.
            let mut r = vec![0u64; n + 1];
            r[n] = 1;
            let r_mod = d.rem(&r);
            for _ in 0..50 {
                let a = d.rem(&(0..n).map(|_| rnd()).collect::<Vec<_>>());
                let b = d.rem(&(0..n).map(|_| rnd()).collect::<Vec<_>>());
                let mut t = vec![0u64; n];
                let top = mont_mul_cios(&mut t, &a, &b, &m, minv);
                final_subtract(&mut t, top, &m);
                let mut prod = vec![0; 2 * n];
                mul_into(&mut prod, &a, &b);
                let mut back = vec![0; 2 * n];
                mul_into(&mut back, &t, &r_mod);
                assert_eq!(d.rem(&back), d.rem(&prod), "CIOS n={n}");
                let mut wide = prod.clone();
                let top = redc_in_place(&mut wide, &m, minv);
                let mut red = wide[n..].to_vec();
                final_subtract(&mut red, top, &m);
                assert_eq!(red, t, "REDC n={n}");
            }
        }
    }
}
