//! F_n and L_n for n up to [`MAX_N`] on limb buffers (pure Rust, no FFI).
//!
//! Past two machine words and up to a few hundred limbs a call's cost is its overhead as
//! much as its arithmetic: a general big-integer library allocates a vector for every
//! intermediate value, a dozen or more per ladder, and its products are not tuned for the
//! shapes a ladder asks for. Here:
//!
//! * The ladder starts from a table of F_0 .. F_370 (four limbs each, about 12 KiB) computed
//!   at compile time: the top nine bits or so of n are one lookup instead of as many
//!   doublings, the smallest and, for the n of a few limbs, most of the steps.
//! * A step doubles the index with two squares, from the pair (F_k, F_{k−1}):
//!   F_{2k−1} = F_k² + F_{k−1}², F_{2k+1} = 4F_k² − F_{k−1}² + 2(−1)^k and
//!   F_{2k} = F_{2k+1} − F_{2k−1}. A square needs each cross product once, so it is cheaper
//!   than a product of two numbers.
//! * The last step is one product: F_{2k} = F_k·L_k and F_{2k+1} = F_{k+1}·L_k − (−1)^k with
//!   L_k = F_k + 2F_{k−1}; for L_m with m = 2k + 1 odd, L_m = L_k·L_{k+1} − (−1)^k. An even
//!   index of L is reached from its odd part m by squares alone, L_{2j} = L_j² − 2(−1)^j.
//! * Products and squares are [`super::products`]': schoolbook, then Karatsuba, on one work
//!   area taken once per call (on the stack for the smaller n), never allocated per step.

#![forbid(unsafe_code)]

use super::products::{self, scratch_len};
use crate::modular::limbs::{adc, add_in_place, sbb, sub_in_place, trimmed};
use crate::terms::ladder::Which;
use std::cell::Cell;

/// The largest n computed here; larger n go to [`crate::bigint`], whose Toom-Cook and
/// transform products take over from Karatsuba around there.
pub const MAX_N: u64 = 1 << 17;
/// The largest n whose ladder is short enough to run without checking for signals or
/// letting other threads run: a caller may build such a term with the GIL held throughout.
pub const SHORT_MAX_N: u64 = 1 << 15;

/// The last index of [`TABLE`]: F_370 < 2**256 <= F_371.
const TABLE_MAX: u64 = 370;
/// The last L_m taken from the table as F_m + 2F_{m−1}: L_184 < 2**128 <= L_185.
const LUCAS_TABLE_MAX: u64 = 184;

/// F_0 ..= F_370, the Fibonacci numbers below 2**256, as four little-endian limbs.
const TABLE: [[u64; 4]; TABLE_MAX as usize + 1] = fibonacci_table();

const fn fibonacci_table() -> [[u64; 4]; TABLE_MAX as usize + 1] {
    let mut t = [[0u64; 4]; TABLE_MAX as usize + 1];
    t[1][0] = 1;
    let mut i = 2;
    while i < t.len() {
        let mut carry = 0;
        let mut j = 0;
        while j < 4 {
            let sum = t[i - 1][j] as u128 + t[i - 2][j] as u128 + carry;
            t[i][j] = sum as u64;
            carry = sum >> 64;
            j += 1;
        }
        assert!(carry == 0, "F_i < 2**256");
        i += 1;
    }
    t
}

/// F_m as a u128, for m below 187.
const fn table_u128(m: u64) -> u128 {
    let e = TABLE[m as usize];
    e[0] as u128 | (e[1] as u128) << 64
}

/// Limbs enough for F_k and L_k: L_k < φ^k + 1 < 2^(0.6943·k + 1).
const fn limbs_for(k: u64) -> usize {
    ((k * 711 / 1024 + 2) / 64 + 1) as usize
}

/// A number in a borrowed area: `area[..len]`, little-endian, no leading zero limb.
struct Num<'a> {
    area: &'a mut [u64],
    len: usize,
}

impl<'a> Num<'a> {
    fn new(area: &'a mut [u64]) -> Num<'a> {
        Num { area, len: 0 }
    }

    fn limbs(&self) -> &[u64] {
        &self.area[..self.len]
    }

    #[inline(always)]
    fn set_limbs(&mut self, v: &[u64]) {
        self.area[..v.len()].copy_from_slice(v);
        self.len = v.len();
        self.trim();
    }

    #[inline(always)]
    fn set_u128(&mut self, v: u128) {
        self.area[0] = v as u64;
        self.area[1] = (v >> 64) as u64;
        self.len = 2;
        self.trim();
    }

    #[inline(always)]
    fn trim(&mut self) {
        self.len = trimmed(&self.area[..self.len]).len();
    }

    /// `self = a²`.
    fn set_sqr(&mut self, a: &Num, scratch: &mut [u64]) {
        let n = 2 * a.len;
        products::sqr(&mut self.area[..n], a.limbs(), scratch);
        self.len = n;
        self.trim();
    }

    /// `self = a·b`.
    fn set_mul(&mut self, a: &Num, b: &Num, scratch: &mut [u64]) {
        let n = a.len + b.len;
        products::mul(&mut self.area[..n], a.limbs(), b.limbs(), scratch);
        self.len = n;
        self.trim();
    }

    /// `self = a + b·2^S` for S = 0 or 1, b no longer than a: a tight loop over b's limbs,
    /// then a's upper limbs with what is carried (at most 2, one word).
    #[inline(always)]
    fn set_add_shifted<const S: u32>(&mut self, a: &Num, b: &Num) {
        let (n, m) = (a.len, b.len);
        debug_assert!(m <= n, "the shifted operand is the shorter");
        let (low, high) = self.area[..=n].split_at_mut(m);
        let (mut carry, mut below) = (false, 0u64);
        for ((o, &x), &y) in low.iter_mut().zip(a.limbs()).zip(b.limbs()) {
            let shifted = if S == 0 { y } else { y << S | below >> (64 - S) };
            below = y;
            (*o, carry) = adc(x, shifted, carry);
        }
        let mut c = if S == 0 { 0 } else { below >> (64 - S) } + u64::from(carry);
        let (rest, top) = high.split_at_mut(n - m);
        for (o, &x) in rest.iter_mut().zip(&a.limbs()[m..]) {
            let (sum, over) = x.overflowing_add(c);
            *o = sum;
            c = u64::from(over);
        }
        top[0] = c;
        self.len = n + 1;
        self.trim();
    }

    /// `self = a − b` for b <= a: a tight loop over b's limbs, then a's with the borrow.
    #[inline(always)]
    fn set_sub(&mut self, a: &Num, b: &Num) {
        let (n, m) = (a.len, b.len);
        let (low, high) = self.area[..n].split_at_mut(m);
        let mut borrow = false;
        for ((o, &x), &y) in low.iter_mut().zip(a.limbs()).zip(b.limbs()) {
            (*o, borrow) = sbb(x, y, borrow);
        }
        for (o, &x) in high.iter_mut().zip(&a.limbs()[m..]) {
            (*o, borrow) = x.overflowing_sub(u64::from(borrow));
        }
        debug_assert!(!borrow, "b <= a");
        self.len = n;
        self.trim();
    }

    /// `self = 4·self − y + s` for y <= self and a small s, the result not negative: the
    /// shift and the difference in one pass (over y's limbs, then self's upper ones).
    #[inline(always)]
    fn times_4_minus(&mut self, y: &Num, s: i64) {
        let (n, m) = (self.len, y.len);
        debug_assert!(m <= n, "y <= self");
        let (low, high) = self.area[..=n].split_at_mut(m);
        let (mut borrow, mut below) = (false, 0u64);
        for (o, &d) in low.iter_mut().zip(y.limbs()) {
            let x = *o;
            (*o, borrow) = sbb(x << 2 | below >> 62, d, borrow);
            below = x;
        }
        let (rest, top) = high.split_at_mut(n - m);
        for o in rest {
            let x = *o;
            (*o, borrow) = (x << 2 | below >> 62).overflowing_sub(u64::from(borrow));
            below = x;
        }
        top[0] = (below >> 62) - u64::from(borrow);
        self.len = n + 1;
        self.add_small(s);
    }

    /// `self += v` (v > 0) or `self −= |v|` (|v| <= self), for a small v.
    #[inline(always)]
    fn add_small(&mut self, v: i64) {
        if v >= 0 {
            self.area[self.len] = 0;
            add_in_place(&mut self.area[..=self.len], &[v as u64]);
            self.len += 1;
        } else {
            sub_in_place(&mut self.area[..self.len], &[v.unsigned_abs()]);
        }
        self.trim();
    }
}

/// F_n or L_n for 1 <= n <= [`MAX_N`], handed to `finish` as little-endian limbs without
/// leading zeros (the buffer stays where it is, never copied out); `None` for other n.
/// `check` runs between the ladder's steps (its error stops the ladder) for n above
/// [`SHORT_MAX_N`]; a shorter ladder never calls it.
pub fn fib_or_lucas_small<E, T>(
    n: u64,
    which: Which,
    check: &mut dyn FnMut() -> Result<(), E>,
    finish: impl FnOnce(&[u64]) -> T,
) -> Option<Result<T, E>> {
    if n == 0 || n > MAX_N {
        return None;
    }
    let need = work_len(n);
    // The work area: zeroing a stack array of a fixed size costs less than an allocation
    // at the smaller sizes.
    Some(if need <= 32 {
        run(n, which, &mut [0; 32], check, finish)
    } else if need <= 96 {
        run(n, which, &mut [0; 96], check, finish)
    } else if need <= 256 {
        run(n, which, &mut [0; 256], check, finish)
    } else {
        with_work(need, |work| run(n, which, work, check, finish))
    })
}

thread_local! {
    /// The larger work areas, kept between calls on a thread: allocating and zeroing one
    /// for every call would cost as much as the first steps of its ladder, and nothing in
    /// the ladder reads a limb it has not written. It holds at most `work_len(MAX_N)` limbs
    /// and is freed with the thread.
    static WORK: Cell<Vec<u64>> = const { Cell::new(Vec::new()) };
}

/// `f` on a work area of `need` limbs taken from [`WORK`]; a call that finds it taken (a
/// ladder re-entered on the same thread, e.g. by a signal handler its `check` ran) or the
/// thread's storage gone works on an area of its own.
fn with_work<T>(need: usize, f: impl FnOnce(&mut [u64]) -> T) -> T {
    let mut work = WORK.try_with(Cell::take).unwrap_or_default();
    if work.len() < need {
        work.resize(need, 0);
    }
    let out = f(&mut work[..need]);
    let _ = WORK.try_with(|w| w.set(work));
    out
}

/// The size of one value's area for n: the largest value of the ladder is L_n, and a square
/// or product of values of up to `limbs_for(n / 2 + 1)` limbs is written with a limb to spare.
#[inline(always)]
fn area_len(n: u64) -> usize {
    (2 * limbs_for(n / 2 + 1) + 2).max(limbs_for(n) + 1)
}

/// Five value areas and the products' scratch.
#[inline(always)]
fn work_len(n: u64) -> usize {
    5 * area_len(n) + scratch_len(limbs_for(n / 2 + 1) + 1)
}

/// (F_k, F_{k−1}) from the table, k <= [`TABLE_MAX`].
#[inline(always)]
fn start(f: &mut Num, g: &mut Num, k: u64) {
    f.set_limbs(&TABLE[k as usize]);
    g.set_limbs(&TABLE[k as usize - 1]);
}

fn run<E, T>(
    n: u64,
    which: Which,
    work: &mut [u64],
    check: &mut dyn FnMut() -> Result<(), E>,
    finish: impl FnOnce(&[u64]) -> T,
) -> Result<T, E> {
    let polled = n > SHORT_MAX_N;
    let a = area_len(n);
    let (areas, scratch) = work.split_at_mut(5 * a);
    let mut chunks = areas.chunks_exact_mut(a);
    let mut next = || Num::new(chunks.next().expect("five areas"));
    let (mut f, mut g, mut x, mut y, mut z) = (next(), next(), next(), next(), next());
    // The index whose term is built, then squared `squares` times (L of an even n).
    let (m, squares) = match which {
        Which::Fibonacci => (n, 0),
        Which::Lucas => (n >> n.trailing_zeros(), n.trailing_zeros()),
    };
    // The squares of L_m already taken.
    let mut done = 0;
    if m <= if which == Which::Fibonacci { TABLE_MAX } else { LUCAS_TABLE_MAX } {
        match which {
            Which::Fibonacci => x.set_limbs(&TABLE[m as usize]),
            // L_m = F_m + 2F_{m−1} (m >= 1), and its first squares while they fit a u128.
            Which::Lucas => {
                let mut l = table_u128(m) + 2 * table_u128(m - 1);
                while done < squares && l >> 64 == 0 {
                    l = if done == 0 { l * l + 2 } else { l * l - 2 };
                    done += 1;
                }
                x.set_u128(l);
            }
        }
    } else {
        // (F_k, F_{k−1}) for k = m / 2: the top bits of k from the table, then one doubling
        // per bit below them.
        let k = m / 2;
        let mut shift = 64 - k.leading_zeros();
        while shift > 0 && k >> (shift - 1) <= TABLE_MAX {
            shift -= 1;
        }
        let mut i = k >> shift;
        start(&mut f, &mut g, i);
        while shift > 0 {
            if polled {
                check()?;
            }
            shift -= 1;
            let sign = if i % 2 == 0 { 2 } else { -2 }; // 2(−1)^i
            x.set_sqr(&f, scratch); // F_i²
            y.set_sqr(&g, scratch); // F_{i−1}²
            z.set_add_shifted::<0>(&x, &y); // F_{2i−1}
            x.times_4_minus(&y, sign); // F_{2i+1}
            y.set_sub(&x, &z); // F_{2i}
            i = 2 * i + (k >> shift & 1);
            if i % 2 == 0 {
                std::mem::swap(&mut f, &mut y);
                std::mem::swap(&mut g, &mut z);
            } else {
                std::mem::swap(&mut f, &mut x);
                std::mem::swap(&mut g, &mut y);
            }
        }
        // The last step: one product into x.
        let sign = if k % 2 == 0 { 1 } else { -1 }; // (−1)^k
        y.set_add_shifted::<1>(&f, &g); // L_k
        match (which, m % 2) {
            (Which::Fibonacci, 0) => x.set_mul(&f, &y, scratch), // F_k·L_k
            (Which::Fibonacci, _) => {
                z.set_add_shifted::<0>(&f, &g); // F_{k+1}
                x.set_mul(&z, &y, scratch);
                x.add_small(-sign);
            }
            (Which::Lucas, _) => {
                z.set_add_shifted::<0>(&f, &g); // F_{k+1}
                x.set_add_shifted::<1>(&z, &f); // L_{k+1} = F_{k+1} + 2F_k
                z.set_mul(&x, &y, scratch);
                z.add_small(-sign);
                std::mem::swap(&mut x, &mut z);
            }
        }
    }
    // L_{2j} = L_j² − 2(−1)^j: j = m is odd, every later j even.
    for step in done..squares {
        if polled {
            check()?;
        }
        z.set_sqr(&x, scratch);
        z.add_small(if step == 0 { 2 } else { -2 });
        std::mem::swap(&mut x, &mut z);
    }
    Ok(finish(x.limbs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::Big;

    /// F_0..=F_max and L_0..=L_max by the recurrence on big integers.
    fn reference(max: u64) -> (Vec<Big>, Vec<Big>) {
        let (mut f, mut l) = (vec![Big::zero(), Big::from_i64(1)], vec![Big::from_i64(2), Big::from_i64(1)]);
        for i in 2..=max as usize {
            f.push(f[i - 1].add(&f[i - 2]));
            l.push(l[i - 1].add(&l[i - 2]));
        }
        (f, l)
    }

    /// The ladder's limbs, with a check that never stops it.
    fn small(n: u64, which: Which) -> Option<Vec<u64>> {
        let mut never = || Ok::<(), ()>(());
        fib_or_lucas_small(n, which, &mut never, <[u64]>::to_vec).map(|r| r.expect("not stopped"))
    }

    /// F_n or L_n from the big-integer ladder, the other regime.
    fn by_big(n: u64, which: Which) -> Big {
        let mut never = || Ok::<(), ()>(());
        crate::terms::exact::fib_or_lucas_exact(&crate::terms::exact::Index::new(&[n], false), which, &mut never)
            .expect("exact")
    }

    #[test]
    fn matches_the_recurrence_across_every_regime() {
        let (f, l) = reference(SHORT_MAX_N);
        // Every n through the table's edge and the first doublings, then a sample with each
        // bit pattern's neighbours: powers of two (L by squares alone) and their ±1.
        let powers = (8..=15).flat_map(|b| [(1u64 << b) - 1, 1 << b, (1 << b) + 1, 3 << (b - 1)]);
        let ns = (0..=3000).chain((3000..=SHORT_MAX_N).step_by(37)).chain(powers).filter(|&n| n <= SHORT_MAX_N);
        for n in ns.chain([SHORT_MAX_N]) {
            let (small_f, small_l) = (small(n, Which::Fibonacci), small(n, Which::Lucas));
            if n == 0 {
                assert!(small_f.is_none() && small_l.is_none());
            } else {
                assert_eq!(small_f.unwrap(), f[n as usize].limbs(), "F_{n}");
                assert_eq!(small_l.unwrap(), l[n as usize].limbs(), "L_{n}");
            }
        }
        assert!(small(MAX_N + 1, Which::Lucas).is_none());
    }

    #[test]
    fn matches_the_big_integer_ladder_up_to_max_n() {
        // Past the recurrence's reach: the same bit patterns near 2**16 and 2**17, a few
        // other n, and MAX_N.
        let powers = (16..=17).flat_map(|b| [(1u64 << b) - 1, 1 << b, (1 << b) + 1, 3 << (b - 2)]);
        let ns = powers.chain([SHORT_MAX_N + 1, 77_777, 99_999, 100_000, 100_001, MAX_N - 1, MAX_N]);
        for n in ns.filter(|&n| n <= MAX_N) {
            for which in [Which::Fibonacci, Which::Lucas] {
                let want = by_big(n, which);
                let got = small(n, which).expect("n <= MAX_N");
                assert_eq!(got, want.limbs(), "{which:?} {n}");
                assert!(got.len() <= limbs_for(n));
            }
        }
    }

    #[test]
    fn a_failed_check_stops_a_long_ladder_and_a_short_one_never_checks() {
        for n in [SHORT_MAX_N + 1, 100_000, MAX_N] {
            let mut calls = 0;
            let mut stop = || {
                calls += 1;
                Err(calls)
            };
            let got = fib_or_lucas_small(n, Which::Fibonacci, &mut stop, <[u64]>::to_vec);
            assert_eq!(got, Some(Err(1)), "n = {n}");
        }
        for n in [1000, SHORT_MAX_N - 1, SHORT_MAX_N] {
            for which in [Which::Fibonacci, Which::Lucas] {
                let mut stop = || Err(());
                assert!(fib_or_lucas_small(n, which, &mut stop, <[u64]>::to_vec).unwrap().is_ok(), "n = {n}");
            }
        }
    }

    #[test]
    fn the_table_holds_the_fibonacci_numbers_below_2_256() {
        let (f, l) = reference(TABLE_MAX + 1);
        for (i, t) in TABLE.iter().enumerate() {
            assert_eq!(Big::from_limbs(false, t), f[i], "F_{i}");
        }
        assert!(f[TABLE_MAX as usize + 1].bit_length() > 256);
        assert!(l[LUCAS_TABLE_MAX as usize].bit_length() <= 128 && l[LUCAS_TABLE_MAX as usize + 1].bit_length() > 128);
    }

    #[test]
    fn areas_hold_every_value() {
        // The bound of limbs_for against the true sizes, and each work area size's edges.
        let (f, l) = reference(SHORT_MAX_N);
        for k in 0..=SHORT_MAX_N as usize {
            assert!(f[k].limbs().len() <= limbs_for(k as u64) && l[k].limbs().len() <= limbs_for(k as u64), "k={k}");
        }
        let edge = |size| (1..=MAX_N).filter(|&n| work_len(n) <= size).max().unwrap();
        for n in [32, 96, 256].map(edge).into_iter().flat_map(|n| [n, n + 1]) {
            for which in [Which::Fibonacci, Which::Lucas] {
                let want = if which == Which::Fibonacci { &f } else { &l };
                assert_eq!(small(n, which).unwrap(), want[n as usize].limbs());
            }
        }
    }
}
