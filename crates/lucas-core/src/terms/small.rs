//! F_n and L_n for n up to [`MAX_N`] on fixed-size limb buffers (pure Rust, no FFI).
//!
//! Just past the machine word a call's cost is its overhead, not its arithmetic: a general
//! big-integer library allocates a vector for every intermediate value, a dozen or more per
//! ladder. Here the whole (F_k, L_k) doubling ladder of [`crate::terms::ladder::fib_or_lucas`] runs in
//! four arrays on the stack with schoolbook multiplication, which is also the fastest method at
//! these sizes; larger n go to [`crate::bigint`]. Every value in this ladder is positive, so
//! the limbs are plain magnitudes.
//!
//! The arrays come in a few sizes (a const generic), the smallest that holds the result: at
//! a few limbs, zeroing and copying a buffer sized for the largest n would cost more than the
//! arithmetic. Each limb holds 90 ladder positions (90·log2(φ) + 1 < 64 bits), so a buffer
//! of `C` limbs serves n up to `90·C`.

#![forbid(unsafe_code)]

use crate::terms::ladder::{bits_below_top, Which};

/// Limbs of the largest value computed here.
pub const CAP: usize = 40;
/// The largest n computed here: L_n < 2·φ^n needs n·log2(φ) + 1 < 64·CAP bits.
pub const MAX_N: u64 = max_n(CAP);
/// The buffer sizes, smallest first; the last is [`CAP`].
const SIZES: [usize; 4] = [4, 8, 16, CAP];

/// The largest n whose F_n and L_n fit `cap` limbs with this file's ladder.
const fn max_n(cap: usize) -> u64 {
    90 * cap as u64
}

/// A natural number in a fixed buffer: `limbs[..len]`, little-endian, no leading zero limb.
#[derive(Clone, Copy)]
struct Small<const C: usize> {
    limbs: [u64; C],
    len: usize,
}

impl<const C: usize> Small<C> {
    fn from_u64(v: u64) -> Small<C> {
        let mut s = Small { limbs: [0; C], len: 1 };
        s.limbs[0] = v;
        s.normalize();
        s
    }

    /// The value's limbs, little-endian, without leading zero limbs.
    fn limbs(&self) -> &[u64] {
        &self.limbs[..self.len]
    }

    fn normalize(&mut self) {
        while self.len > 0 && self.limbs[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    /// `self = a · b` (schoolbook).
    fn set_mul(&mut self, a: &Small<C>, b: &Small<C>) {
        let (a, b) = (a.limbs(), b.limbs());
        let n = a.len() + b.len();
        assert!(n <= C + 1, "the ladder's values fit C limbs");
        // The whole buffer, a constant size: inline stores rather than a memset call.
        self.limbs = [0; C];
        let out = &mut self.limbs;
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u64;
            for (o, &y) in out[i..i + b.len()].iter_mut().zip(b) {
                let t = u128::from(x) * u128::from(y) + u128::from(*o) + u128::from(carry);
                *o = t as u64;
                carry = (t >> 64) as u64;
            }
            match out.get_mut(i + b.len()) {
                Some(o) => *o = carry,
                None => assert_eq!(carry, 0, "the product fits C limbs"),
            }
        }
        self.len = n.min(C);
        self.normalize();
    }

    /// `self = a + b`.
    fn set_add(&mut self, a: &Small<C>, b: &Small<C>) {
        let (a, b) = if a.len >= b.len { (a.limbs(), b.limbs()) } else { (b.limbs(), a.limbs()) };
        let mut carry = false;
        for ((o, &x), &y) in self.limbs.iter_mut().zip(a).zip(b) {
            let (s1, c1) = x.overflowing_add(y);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *o = s2;
            carry = c1 | c2;
        }
        for (o, &x) in self.limbs[b.len()..a.len()].iter_mut().zip(&a[b.len()..]) {
            let (s, c) = x.overflowing_add(u64::from(carry));
            *o = s;
            carry = c;
        }
        self.len = a.len();
        if carry {
            self.limbs[self.len] = 1;
            self.len += 1;
        }
    }

    /// `self += v` for a small v.
    fn add_word(&mut self, v: u64) {
        let mut carry = v;
        let mut i = 0;
        while carry != 0 {
            if i == self.len {
                self.limbs[i] = 0;
                self.len += 1;
            }
            let (s, c) = self.limbs[i].overflowing_add(carry);
            self.limbs[i] = s;
            carry = u64::from(c);
            i += 1;
        }
    }

    /// `self -= v` for a small v not above self.
    fn sub_word(&mut self, v: u64) {
        let mut borrow = v;
        let mut i = 0;
        while borrow != 0 {
            let (s, b) = self.limbs[i].overflowing_sub(borrow);
            self.limbs[i] = s;
            borrow = u64::from(b);
            i += 1;
        }
        self.normalize();
    }

    /// `self /= 2` (exact for the even values the ladder halves).
    fn halve(&mut self) {
        for i in 0..self.len {
            let high = if i + 1 < self.len { self.limbs[i + 1] << 63 } else { 0 };
            self.limbs[i] = (self.limbs[i] >> 1) | high;
        }
        self.normalize();
    }
}

/// F_n or L_n for 1 <= n <= [`MAX_N`], handed to `finish` as little-endian limbs without
/// leading zeros (the buffer stays on the stack, never copied out); `None` for other n.
pub fn fib_or_lucas_small<T>(n: u64, which: Which, finish: impl FnOnce(&[u64]) -> T) -> Option<T> {
    if n == 0 {
        None
    } else if n <= max_n(SIZES[0]) {
        Some(ladder::<{ SIZES[0] }, T>(n, which, finish))
    } else if n <= max_n(SIZES[1]) {
        Some(ladder::<{ SIZES[1] }, T>(n, which, finish))
    } else if n <= max_n(SIZES[2]) {
        Some(ladder::<{ SIZES[2] }, T>(n, which, finish))
    } else if n <= MAX_N {
        Some(ladder::<{ SIZES[3] }, T>(n, which, finish))
    } else {
        None
    }
}

/// The ladder on buffers of `C` limbs, for 1 <= n <= `max_n(C)`.
fn ladder<const C: usize, T>(n: u64, which: Which, finish: impl FnOnce(&[u64]) -> T) -> T {
    debug_assert!(n >= 1 && n <= max_n(C));
    let mut bits = bits_below_top(std::slice::from_ref(&n)).expect("n >= 1").peekable();
    // Four buffers; the ladder swaps the references to them, never their contents.
    let mut store = [Small::<C>::from_u64(1), Small::from_u64(1), Small::from_u64(0), Small::from_u64(0)];
    let [f, l, t, u] = &mut store;
    let (mut f, mut l, mut t, mut u) = (f, l, t, u); // (F_1, L_1), scratch
    let mut k_odd = true;
    while let Some(bit) = bits.next() {
        if bits.peek().is_none() {
            // The last bit from (F_k, L_k), one product (see ladder::fib_or_lucas).
            if !bit {
                match which {
                    Which::Fibonacci => t.set_mul(f, l),
                    Which::Lucas => {
                        t.set_mul(l, l);
                        if k_odd {
                            t.add_word(2);
                        } else {
                            t.sub_word(2);
                        }
                    }
                }
                return finish(t.limbs());
            }
            u.set_add(f, l);
            u.halve(); // F_{k+1}
            if which == Which::Lucas {
                t.set_add(u, f);
                u.set_add(t, f); // L_{k+1} = F_{k+1} + 2F_k
            }
            t.set_mul(u, l);
            if k_odd {
                t.add_word(1);
            } else {
                t.sub_word(1);
            }
            return finish(t.limbs());
        }
        // k -> 2k: F_2k = F_k·L_k, L_2k = L_k² − 2(−1)^k.
        t.set_mul(f, l);
        u.set_mul(l, l);
        if k_odd {
            u.add_word(2);
        } else {
            u.sub_word(2);
        }
        std::mem::swap(&mut f, &mut t);
        std::mem::swap(&mut l, &mut u);
        k_odd = false;
        if bit {
            // 2k -> 2k+1: F = (F + L)/2, L = F_new + 2F_old.
            t.set_add(f, l);
            t.halve();
            u.set_add(t, f);
            l.set_add(u, f);
            std::mem::swap(&mut f, &mut t);
            k_odd = true;
        }
    }
    finish(f.limbs()) // n = 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::Big;

    #[test]
    fn matches_the_recurrence_on_big_integers_for_every_n() {
        let (mut f, mut f1) = (Big::zero(), Big::from_i64(1));
        let (mut l, mut l1) = (Big::from_i64(2), Big::from_i64(1));
        for n in 0..=MAX_N {
            // Every n runs on the smallest buffer size that serves it, up to each size's edge.
            let small_f = fib_or_lucas_small(n, Which::Fibonacci, <[u64]>::to_vec);
            let small_l = fib_or_lucas_small(n, Which::Lucas, <[u64]>::to_vec);
            if n == 0 {
                assert!(small_f.is_none() && small_l.is_none());
            } else {
                assert_eq!(small_f.unwrap(), f.limbs(), "F_{n}");
                assert_eq!(small_l.unwrap(), l.limbs(), "L_{n}");
            }
            (f, f1) = (f1.clone(), f.add(&f1));
            (l, l1) = (l1.clone(), l.add(&l1));
        }
        assert!(fib_or_lucas_small(MAX_N + 1, Which::Lucas, <[u64]>::to_vec).is_none());
    }

    #[test]
    fn each_buffer_size_holds_the_ladder_up_to_its_bound() {
        // The largest n of a size, run on that size directly, against the largest size.
        for n in SIZES.map(max_n) {
            for which in [Which::Fibonacci, Which::Lucas] {
                let full = ladder::<CAP, _>(n, which, <[u64]>::to_vec);
                assert_eq!(fib_or_lucas_small(n, which, <[u64]>::to_vec), Some(full));
            }
        }
    }
}
