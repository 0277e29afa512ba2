//! One step of a recurrence modulo m >= 2**64 (pure Rust, no FFI): the iterator's engine
//! past machine words.
//!
//! The values are residues in 0..m as limbs, kept in a [`Window`] and yielded as they are
//! (no Montgomery form to leave per item). A step sums the products c_i·x_i exactly and
//! reduces the sum once. Two plans:
//! * every coefficient fits an i64 and the sum of their absolute values S is small (the
//!   common recurrences: Fibonacci, Pell, Tribonacci...): each product is a value times one
//!   limb, the negative ones are subtracted from a multiple of m that keeps the sum
//!   non-negative, and the sum, below S·m, is brought into 0..m by at most S − 1
//!   subtractions;
//! * otherwise the products of full residues are summed on twice m's length and divided by
//!   m ([`Divisor`]).
//!
//! Values of 2, 3 or 4 limbs (moduli below 2**256) are arrays, so the step's loops unroll and
//! nothing is allocated or copied through memory calls; larger ones are vectors.

#![forbid(unsafe_code)]

use super::window::Window;
pub use crate::modular::limbs::Signed;
use crate::modular::limbs::{adc, add_in_place, cmp, mac, mul_any, sub_in_place, trimmed, Divisor};
use std::cmp::Ordering;

/// The largest sum of |c_i| reduced by subtractions rather than a division.
const MAX_SMALL_SUM: u64 = 8;

/// Marks a coefficient of the general plan that is a full residue rather than a small value.
const RESIDUE: i64 = i64::MIN;

/// How a step sums and reduces.
#[derive(Clone, Debug)]
enum Plan {
    /// Every |c_i| fits an i64 and their sum is at most [`MAX_SMALL_SUM`]; `offset` is
    /// (Σ over negative c_i of |c_i|)·m, n + 1 limbs.
    Small { coef: Vec<i64>, offset: Vec<u64> },
    /// `small[i]` is c_i when |c_i| < 2^63, else [`RESIDUE`], and then c_i mod m is
    /// `residues[i·n..(i + 1)·n]` (`residues` is empty when no coefficient needs it).
    /// `scratch` holds the sums of a step (6n + 4 limbs).
    General { small: Vec<i64>, residues: Vec<u64>, scratch: Vec<u64> },
}

impl Plan {
    fn new(m: &[u64], div: &Divisor, coef: &[Signed]) -> Plan {
        let n = m.len();
        let small: Vec<Option<i64>> = coef.iter().map(|c| c.small(u64::MAX)).collect();
        let sum: Option<u64> = small.iter().map(|v| v.map(i64::unsigned_abs)).sum();
        if sum.is_some_and(|s| s <= MAX_SMALL_SUM) {
            let coef: Vec<i64> = small.into_iter().map(|v| v.expect("all small")).collect();
            let negative: u64 = coef.iter().filter(|&&v| v < 0).map(|v| v.unsigned_abs()).sum();
            let mut offset = vec![0u64; n + 1];
            let mut carry = 0;
            for i in 0..n {
                (offset[i], carry) = mac(0, m[i], negative, carry);
            }
            offset[n] = carry;
            return Plan::Small { coef, offset };
        }
        let mut residues = Vec::new();
        if small.iter().any(Option::is_none) {
            residues = vec![0u64; coef.len() * n];
            for (i, c) in coef.iter().enumerate() {
                if small[i].is_none() {
                    let r = div.rem(c.magnitude);
                    let slot = &mut residues[i * n..(i + 1) * n];
                    if c.negative && r.iter().any(|&l| l != 0) {
                        slot.copy_from_slice(m);
                        sub_in_place(slot, &r);
                    } else {
                        slot.copy_from_slice(&r);
                    }
                }
            }
        }
        let small = small.into_iter().map(|v| v.unwrap_or(RESIDUE)).collect();
        Plan::General { small, residues, scratch: vec![0; 6 * n + 4] }
    }

    /// The plan's buffers, in bytes.
    fn heap_bytes(&self) -> usize {
        match self {
            Plan::Small { coef, offset } => 8 * (coef.len() + offset.len()),
            Plan::General { small, residues, scratch } => 8 * (small.len() + residues.len() + scratch.len()),
        }
    }
}

/// The sum of a step by the general plan, reduced into `out` (n limbs); `values` are the
/// window's values, oldest first.
fn general_step<'a>(
    small: &[i64],
    residues: &[u64],
    scratch: &mut [u64],
    values: impl Iterator<Item = &'a [u64]>,
    div: &Divisor,
    out: &mut [u64],
) {
    let n = out.len();
    scratch.fill(0);
    let (pos, rest) = scratch.split_at_mut(2 * n + 2);
    let (neg, rest) = rest.split_at_mut(n + 2);
    let (prod, neg_rem) = rest.split_at_mut(2 * n);
    let (mut pos_len, mut neg_len) = (1, 0);
    for (i, (&c, x)) in small.iter().zip(values).enumerate() {
        if c == RESIDUE {
            mul_any(prod, x, &residues[i * n..(i + 1) * n]);
            add_in_place(pos, prod);
            pos_len = 2 * n + 2;
        } else if c > 0 {
            add_mul_word(pos, x, c.unsigned_abs());
            pos_len = pos_len.max(n + 2);
        } else if c < 0 {
            add_mul_word(neg, x, c.unsigned_abs());
            neg_len = n + 2;
        }
    }
    div.rem_into(&pos[..pos_len], out);
    if neg_len > 0 {
        div.rem_into(&neg[..neg_len], &mut neg_rem[..n]);
        if sub_in_place(out, &neg_rem[..n]) {
            add_in_place(out, div.modulus());
        }
    }
}

/// acc += x·w for a one-limb w (acc longer than x, the sum fitting).
#[inline(always)]
fn add_mul_word(acc: &mut [u64], x: &[u64], w: u64) {
    let mut carry = 0;
    for (a, &l) in acc.iter_mut().zip(x) {
        (*a, carry) = mac(*a, l, w, carry);
    }
    add_in_place(&mut acc[x.len()..], &[carry]);
}

/// The values as arrays of N limbs.
#[derive(Clone, Debug)]
pub struct Fixed<const N: usize> {
    m: [u64; N],
    div: Divisor,
    plan: Plan,
    window: Window<[u64; N]>,
}

impl<const N: usize> Fixed<N> {
    fn new(m: &[u64], coef: &[Signed], init: &[Vec<u64>]) -> Fixed<N> {
        let div = Divisor::new(m);
        let plan = Plan::new(div.modulus(), &div, coef);
        let arr = |x: &[u64]| {
            let mut a = [0u64; N];
            let x = trimmed(x);
            a[..x.len()].copy_from_slice(x);
            a
        };
        let window = Window::new(init.iter().map(|x| arr(x)).collect());
        Fixed { m: arr(m), div, plan, window }
    }

    #[inline(always)]
    fn step(&mut self) {
        let next = match &mut self.plan {
            Plan::Small { coef, offset } => {
                // acc = offset + Σ c_i·x_i, on N + 1 limbs, non-negative and below S·m.
                let mut acc = [0u64; N];
                acc.copy_from_slice(&offset[..N]);
                let mut top = offset[N];
                for (&c, x) in coef.iter().zip(self.window.as_slice()) {
                    let w = c.unsigned_abs();
                    if c == 1 {
                        // The commonest coefficient: a plain sum.
                        let mut carry = false;
                        for i in 0..N {
                            (acc[i], carry) = adc(acc[i], x[i], carry);
                        }
                        top = top.wrapping_add(u64::from(carry));
                    } else if c > 0 {
                        let mut carry = 0;
                        for i in 0..N {
                            (acc[i], carry) = mac(acc[i], x[i], w, carry);
                        }
                        top = top.wrapping_add(carry);
                    } else if c < 0 {
                        // acc −= w·x
                        let (mut carry, mut borrow) = (0u64, false);
                        for i in 0..N {
                            let (lo, hi) = mac(0, x[i], w, carry);
                            carry = hi;
                            let (d, b1) = acc[i].overflowing_sub(lo);
                            let (d, b2) = d.overflowing_sub(u64::from(borrow));
                            acc[i] = d;
                            borrow = b1 | b2;
                        }
                        top = top.wrapping_sub(carry).wrapping_sub(u64::from(borrow));
                    }
                }
                while top != 0 || cmp_arrays(&acc, &self.m) != Ordering::Less {
                    let borrow = sub_in_place(&mut acc, &self.m);
                    top = top.wrapping_sub(u64::from(borrow));
                }
                acc
            }
            Plan::General { small, residues, scratch } => {
                let mut out = [0u64; N];
                let values = self.window.as_slice().iter().map(|x| &x[..]);
                general_step(small, residues, scratch, values, &self.div, &mut out);
                out
            }
        };
        self.window.push(next);
    }
}

/// Compares two residues of N limbs.
#[inline(always)]
fn cmp_arrays<const N: usize>(a: &[u64; N], b: &[u64; N]) -> Ordering {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    Ordering::Equal
}

/// The values as vectors of any length: 2k values of n limbs in one buffer, mirrored like
/// [`Window`]'s (value i of the window at slot head + i, each written at slots j and j + k).
#[derive(Clone, Debug)]
pub struct General {
    div: Divisor,
    plan: Plan,
    buf: Vec<u64>,
    head: usize,
    k: usize,
}

impl General {
    fn new(m: &[u64], coef: &[Signed], init: &[Vec<u64>]) -> General {
        let div = Divisor::new(m);
        let (n, k) = (div.limbs(), init.len());
        let plan = Plan::new(div.modulus(), &div, coef);
        let mut buf = vec![0u64; 2 * k * n];
        for (i, x) in init.iter().enumerate() {
            let x = trimmed(x);
            buf[i * n..i * n + x.len()].copy_from_slice(x);
            buf[(i + k) * n..(i + k) * n + x.len()].copy_from_slice(x);
        }
        General { div, plan, buf, head: 0, k }
    }

    fn value(&self, i: usize) -> &[u64] {
        let n = self.div.limbs();
        &self.buf[(self.head + i) * n..(self.head + i + 1) * n]
    }

    fn step(&mut self) {
        let (n, k) = (self.div.limbs(), self.k);
        let mut out = vec![0u64; n];
        let values = (0..k).map(|i| {
            let start = (self.head + i) * n;
            &self.buf[start..start + n]
        });
        match &mut self.plan {
            Plan::Small { coef, offset } => {
                let mut acc = offset.clone();
                let mut prod = vec![0u64; n + 1];
                for (&c, x) in coef.iter().zip(values) {
                    prod.fill(0);
                    add_mul_word(&mut prod, x, c.unsigned_abs());
                    if c > 0 {
                        add_in_place(&mut acc, &prod);
                    } else if c < 0 {
                        sub_in_place(&mut acc, &prod);
                    }
                }
                while cmp(&acc, self.div.modulus()) != Ordering::Less {
                    sub_in_place(&mut acc, self.div.modulus());
                }
                out.copy_from_slice(&acc[..n]);
            }
            Plan::General { small, residues, scratch } => {
                general_step(small, residues, scratch, values, &self.div, &mut out);
            }
        }
        let h = self.head;
        self.buf[h * n..(h + 1) * n].copy_from_slice(&out);
        self.buf[(h + k) * n..(h + k + 1) * n].copy_from_slice(&out);
        self.head = if h + 1 == k { 0 } else { h + 1 };
    }
}

/// An order-k recurrence modulo m >= 2**64, stepped one value at a time.
#[derive(Clone, Debug)]
pub enum LimbSteps {
    N2(Fixed<2>),
    N3(Fixed<3>),
    N4(Fixed<4>),
    Any(General),
}

impl LimbSteps {
    /// The recurrence with coefficients `coef` (c_0 pairs with the oldest value) and initial
    /// window `init` (any integers, oldest first, reduced here), for m >= 2**64 given as
    /// limbs.
    pub fn new(m: &[u64], coef: &[Signed], init: &[Signed]) -> LimbSteps {
        let m = trimmed(m);
        assert!(m.len() >= 2 && !coef.is_empty() && coef.len() == init.len());
        let div = Divisor::new(m);
        let init: Vec<Vec<u64>> = init
            .iter()
            .map(|x| {
                let r = div.rem(x.magnitude);
                if x.negative && r.iter().any(|&l| l != 0) {
                    let mut neg = m.to_vec();
                    sub_in_place(&mut neg, &r);
                    neg
                } else {
                    r
                }
            })
            .collect();
        let init = &init[..];
        match m.len() {
            2 => LimbSteps::N2(Fixed::new(m, coef, init)),
            3 => LimbSteps::N3(Fixed::new(m, coef, init)),
            4 => LimbSteps::N4(Fixed::new(m, coef, init)),
            _ => LimbSteps::Any(General::new(m, coef, init)),
        }
    }

    /// The limbs of m and of a value.
    pub fn limbs(&self) -> usize {
        match self {
            LimbSteps::N2(_) => 2,
            LimbSteps::N3(_) => 3,
            LimbSteps::N4(_) => 4,
            LimbSteps::Any(g) => g.div.limbs(),
        }
    }

    /// x_t, the value the next step yields.
    #[inline(always)]
    pub fn oldest(&self) -> &[u64] {
        match self {
            LimbSteps::N2(f) => &f.window.as_slice()[0],
            LimbSteps::N3(f) => &f.window.as_slice()[0],
            LimbSteps::N4(f) => &f.window.as_slice()[0],
            LimbSteps::Any(g) => g.value(0),
        }
    }

    /// Moves the window on by one: x_{t+1} .. x_{t+k}.
    #[inline(always)]
    pub fn step(&mut self) {
        match self {
            LimbSteps::N2(f) => f.step(),
            LimbSteps::N3(f) => f.step(),
            LimbSteps::N4(f) => f.step(),
            LimbSteps::Any(g) => g.step(),
        }
    }

    /// The window x_t .. x_{t+k−1}, oldest first.
    pub fn window(&self) -> Vec<&[u64]> {
        match self {
            LimbSteps::N2(f) => f.window.as_slice().iter().map(|x| &x[..]).collect(),
            LimbSteps::N3(f) => f.window.as_slice().iter().map(|x| &x[..]).collect(),
            LimbSteps::N4(f) => f.window.as_slice().iter().map(|x| &x[..]).collect(),
            LimbSteps::Any(g) => (0..g.k).map(|i| g.value(i)).collect(),
        }
    }

    /// The buffers the engine owns besides itself, in bytes: the window (each of the k
    /// values twice, n limbs each), the modulus (twice: as given and shifted for the
    /// divisions) and the plan (8 bytes per coefficient; for the small plan the offset, n + 1
    /// limbs; for the general one the residues of the large coefficients, k·n limbs if any,
    /// and 6n + 4 limbs of working space).
    pub fn heap_bytes(&self) -> usize {
        let (div, plan, window) = match self {
            LimbSteps::N2(f) => (&f.div, &f.plan, 8 * 2 * f.window.as_slice().len() * 2),
            LimbSteps::N3(f) => (&f.div, &f.plan, 8 * 2 * f.window.as_slice().len() * 3),
            LimbSteps::N4(f) => (&f.div, &f.plan, 8 * 2 * f.window.as_slice().len() * 4),
            LimbSteps::Any(g) => (&g.div, &g.plan, 8 * g.buf.len()),
        };
        window + 16 * div.limbs() + plan.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::Big;

    fn limbs_of(b: &Big, n: usize) -> Vec<u64> {
        crate::modular::limbs::padded(b.limbs(), n)
    }

    /// The first `steps` values against the recurrence on Big.
    fn check(m: &[u64], coef: &[i128], init: &[i128], steps: usize) {
        let mb = Big::from_limbs(false, m);
        let big = |v: i128| {
            let a = v.unsigned_abs();
            Big::from_limbs(v < 0, &[a as u64, (a >> 64) as u64])
        };
        let mags: Vec<Vec<u64>> =
            coef.iter().map(|&c| vec![c.unsigned_abs() as u64, (c.unsigned_abs() >> 64) as u64]).collect();
        let signed: Vec<Signed> =
            coef.iter().zip(&mags).map(|(&c, mag)| Signed { negative: c < 0, magnitude: mag }).collect();
        let n = trimmed(m).len();
        let mut window: Vec<Big> = init.iter().map(|&v| big(v).rem_euclid(&mb)).collect();
        let init_mags: Vec<Vec<u64>> =
            init.iter().map(|&c| vec![c.unsigned_abs() as u64, (c.unsigned_abs() >> 64) as u64]).collect();
        let init_signed: Vec<Signed> =
            init.iter().zip(&init_mags).map(|(&c, mag)| Signed { negative: c < 0, magnitude: mag }).collect();
        let mut s = LimbSteps::new(m, &signed, &init_signed);
        for step in 0..steps {
            assert_eq!(s.oldest(), limbs_of(&window[0], n), "step {step} m={m:x?} c={coef:?}");
            let next =
                coef.iter().zip(&window).fold(Big::zero(), |acc, (&c, x)| acc.add(&big(c).mul(x))).rem_euclid(&mb);
            window.remove(0);
            window.push(next);
            s.step();
        }
        let want: Vec<Vec<u64>> = window.iter().map(|x| limbs_of(x, n)).collect();
        assert_eq!(s.window(), want);
    }

    #[test]
    fn steps_against_big_integers() {
        let moduli: [&[u64]; 7] = [
            &[13, 1],               // 2^64 + 13
            &[u64::MAX, u64::MAX],  // 2^128 − 1
            &[0, 0, 1],             // 2^128, even
            &[1, 0, 0, 1 << 63],    // 2^255 + 1
            &[1, 0, 0, 0, 1 << 63], // 2^319 + 1
            &[u64::MAX - 58, u64::MAX, u64::MAX, u64::MAX],
            &[6, 0, 0, 0, 0, 0, 0, 0, 0, 5],
        ];
        let huge = (1i128 << 100) + 12345;
        for m in moduli {
            check(m, &[1, 1], &[0, 1], 300); // the small plan, one subtraction at most
            check(m, &[-1, 2], &[5, -7], 100); // the small plan with an offset
            check(m, &[0, -3, 5], &[1, 2, 3], 100); // S = 8: seven subtractions at most
            check(m, &[9, 1], &[1, -1], 100); // S = 10: the general plan, small coefficients
            check(m, &[huge, -huge, 1], &[-1, huge, 2], 100);
            check(m, &[i64::MAX as i128, i64::MIN as i128, -(i64::MAX as i128)], &[huge, -huge, 9], 50);
            check(m, &[3], &[2], 50);
        }
    }
}
