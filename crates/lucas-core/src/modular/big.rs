//! Residues modulo any m >= 2**64, on the fastest ring that fits (pure Rust, no FFI).
//!
//! [`BigModulus`] is where the regime of a large modulus is chosen, once, from its limbs:
//! m = 2^s·o with o odd, and each part gets its ring:
//! * the odd part o: one machine word ([`MontWord`]), Montgomery form on exactly 2, 3 or 4
//!   limbs held in arrays ([`MontN`]), on up to 16 or 64 limbs in arrays of that capacity
//!   ([`MontArr`]), the form 2^k − c of Mersenne numbers and their neighbours
//!   ([`PseudoMersenne`]), or Montgomery form on vectors of any length ([`MontVec`]); from a
//!   measured size on, products are the backend's sub-quadratic ones;
//! * the power of two 2^s: wrapping arithmetic on ⌈s/64⌉ limbs ([`Wrapping`], [`Pow2N`],
//!   [`Pow2Vec`]).
//!
//! A ladder or a jump runs once per part, and the two results are joined by the Chinese
//! remainder theorem, as the word path does for an even word modulus. The odd part runs the
//! ladders that halve (two products per bit for F and L), the power of two the ones that do
//! not. Inputs and outputs are residues in 0..m as little-endian limbs of m's length.

#![forbid(unsafe_code)]

use super::limbs::{
    add_in_place, inverse_mod_r_polled, is_zero, mask_in_place, mul_any, mullo_any, padded, shr, sub_into,
    trailing_zeros, trimmed, Divisor, Signed, POLL_LIMB_PRODUCTS,
};
use super::mont::{MontArr, MontN, MontVec};
use super::pow2::{Pow2N, Pow2Vec};
use super::special::PseudoMersenne;
use super::word::{Polled, Wrapping};
use crate::bigint::limbs::mod_inverse;
use crate::jump::fiduccia::{self, order2_by_halving, Dot, MontWord, Output};
use crate::terms::ladder::{
    fib_or_lucas, lucas_u_pair_with, lucas_uv_halving_with, lucas_v_from_pair_with, Halve, Param, Ring, Which,
    SMALL_PARAM,
};
use std::convert::Infallible;

/// One part of m (its odd part or its power of two) as a ring, with the conversions from
/// and to residues given as limbs.
pub trait Part: Ring<Err = Infallible> + Clone {
    /// Whether [`Ring::mul_small`] takes linear time (rather than a product).
    const LINEAR_SMALL: bool;
    /// The number of limbs of an element (what a product costs grows with it).
    fn size(&self) -> usize;
    /// x, already reduced modulo the part's modulus, as an element.
    fn element(&mut self, x: &[u64]) -> Self::E;
    /// An element as the limbs of its residue (for a power of two: modulo 2^(64·size)).
    fn residue(&mut self, x: &Self::E) -> Vec<u64>;
}

/// The first limb of x (0 for an empty slice).
fn word_of(x: &[u64]) -> u64 {
    x.first().copied().unwrap_or(0)
}

impl Part for MontWord {
    const LINEAR_SMALL: bool = false;
    fn size(&self) -> usize {
        1
    }
    fn element(&mut self, x: &[u64]) -> u64 {
        self.enter(word_of(x))
    }
    fn residue(&mut self, x: &u64) -> Vec<u64> {
        vec![self.leave(*x)]
    }
}

impl Part for Wrapping {
    const LINEAR_SMALL: bool = false;
    fn size(&self) -> usize {
        1
    }
    fn element(&mut self, x: &[u64]) -> u64 {
        word_of(x)
    }
    fn residue(&mut self, x: &u64) -> Vec<u64> {
        vec![*x]
    }
}

impl<const N: usize> Part for MontN<N> {
    const LINEAR_SMALL: bool = false;
    fn size(&self) -> usize {
        N
    }
    fn element(&mut self, x: &[u64]) -> [u64; N] {
        self.enter(x)
    }
    fn residue(&mut self, x: &[u64; N]) -> Vec<u64> {
        self.leave(x)
    }
}

impl<const CAP: usize> Part for MontArr<CAP> {
    const LINEAR_SMALL: bool = true;
    fn size(&self) -> usize {
        self.limbs()
    }
    fn element(&mut self, x: &[u64]) -> [u64; CAP] {
        self.enter(x)
    }
    fn residue(&mut self, x: &[u64; CAP]) -> Vec<u64> {
        self.leave(x)
    }
}

impl Part for MontVec {
    const LINEAR_SMALL: bool = true;
    fn size(&self) -> usize {
        self.limbs()
    }
    fn element(&mut self, x: &[u64]) -> Vec<u64> {
        self.enter(x)
    }
    fn residue(&mut self, x: &Vec<u64>) -> Vec<u64> {
        self.leave(x)
    }
}

impl Part for PseudoMersenne {
    const LINEAR_SMALL: bool = true;
    fn size(&self) -> usize {
        self.limbs()
    }
    fn element(&mut self, x: &[u64]) -> Vec<u64> {
        self.enter(x)
    }
    fn residue(&mut self, x: &Vec<u64>) -> Vec<u64> {
        x.clone()
    }
}

impl<const N: usize> Part for Pow2N<N> {
    const LINEAR_SMALL: bool = true;
    fn size(&self) -> usize {
        N
    }
    fn element(&mut self, x: &[u64]) -> [u64; N] {
        self.enter(x)
    }
    fn residue(&mut self, x: &[u64; N]) -> Vec<u64> {
        x.to_vec()
    }
}

impl Part for Pow2Vec {
    const LINEAR_SMALL: bool = true;
    fn size(&self) -> usize {
        self.limbs()
    }
    fn element(&mut self, x: &[u64]) -> Vec<u64> {
        self.enter(x)
    }
    fn residue(&mut self, x: &Vec<u64>) -> Vec<u64> {
        x.clone()
    }
}

// The jump-ahead of orders above 2 on the vector rings (order 2 takes the Lucas ladders
// on every ring): the generic dot product, and order 2 by the halving ladder for odd moduli.
impl<X> Dot for Polled<'_, MontVec, X> {
    fn order2(&mut self, c: [&Vec<u64>; 2], n: &[u64]) -> Result<Option<[Vec<u64>; 2]>, X> {
        order2_by_halving(self, c, n).map(Some)
    }
}

impl<X> Dot for Polled<'_, Pow2Vec, X> {}

/// From this many limbs on, an odd part of the form 2^k − c takes [`PseudoMersenne`]
/// instead of Montgomery form (below, the fixed-size Montgomery rings are faster).
pub const SPECIAL_MIN: usize = 7;

/// The ring of the odd part.
#[derive(Clone, Debug)]
enum OddRing {
    /// The odd part is 1: m is a power of two.
    One,
    Word(MontWord),
    N2(MontN<2>),
    N3(MontN<3>),
    N4(MontN<4>),
    A16(MontArr<16>),
    A64(MontArr<64>),
    Special(PseudoMersenne),
    Any(MontVec),
}

/// The ring of the power of two.
#[derive(Clone, Debug)]
enum TwoRing {
    /// m is odd.
    None,
    Word,
    N2,
    N3,
    N4,
    Any(Pow2Vec),
}

/// Runs `$body` with `$r` bound to a copy of the odd part's ring (its type differs per arm;
/// the body is generic code).
macro_rules! with_odd_ring {
    ($ring:expr, |$r:ident| $body:expr) => {
        match $ring {
            OddRing::One => unreachable!("no odd part"),
            OddRing::Word(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::N2(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::N3(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::N4(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::A16(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::A64(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::Special(ring) => {
                let $r = ring.clone();
                $body
            }
            OddRing::Any(ring) => {
                let $r = ring.clone();
                $body
            }
        }
    };
}

/// The same for the power of two's ring.
macro_rules! with_two_ring {
    ($ring:expr, |$r:ident| $body:expr) => {
        match $ring {
            TwoRing::None => unreachable!("m is odd"),
            TwoRing::Word => {
                let $r = Wrapping;
                $body
            }
            TwoRing::N2 => {
                let $r = Pow2N::<2>;
                $body
            }
            TwoRing::N3 => {
                let $r = Pow2N::<3>;
                $body
            }
            TwoRing::N4 => {
                let $r = Pow2N::<4>;
                $body
            }
            TwoRing::Any(ring) => {
                let $r = ring.clone();
                $body
            }
        }
    };
}

/// A modulus m >= 2**64 and the rings its arithmetic runs on.
#[derive(Clone, Debug)]
pub struct BigModulus {
    /// m, trimmed (two limbs at least).
    m: Vec<u64>,
    div: Divisor,
    /// m = 2^s·odd.
    s: u64,
    odd: Vec<u64>,
    /// Reduces residues modulo m to the odd part (when m is even and odd > 1).
    odd_div: Option<Divisor>,
    odd_ring: OddRing,
    two_ring: TwoRing,
    /// odd^(−1) mod 2^(64·⌈s/64⌉), for the CRT.
    odd_inv: Vec<u64>,
}

/// From this many limbs on, a ladder polls before every product too (see [`Polled`]): one
/// product then takes about as long as a poll may wait, and the largest piece of work a poll
/// cannot split is one of the backend's products of m's size.
pub const POLL_EACH_PRODUCT_MIN: usize = 4096;

/// How many bits of n a ladder on elements of `limbs` limbs runs between two polls: about
/// the same amount of work whatever the size.
fn poll_period(limbs: usize, order: usize) -> u32 {
    let cost = (limbs * limbs).saturating_mul(order * order).max(1);
    u32::try_from((1usize << 16) / cost).unwrap_or(u32::MAX).max(1)
}

impl BigModulus {
    /// The modulus m >= 2**64 given as little-endian limbs.
    pub fn new(m: &[u64]) -> BigModulus {
        match BigModulus::new_polled(m, &mut || Ok::<(), Infallible>(())) {
            Ok(bm) => bm,
            Err(never) => match never {},
        }
    }

    /// The same, calling `poll` every so often: for a large m, the constants of its rings
    /// take divisions and inverses of m's size (the poll's error stops the work).
    pub fn new_polled<X>(m: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<BigModulus, X> {
        let m = trimmed(m).to_vec();
        assert!(m.len() >= 2, "BigModulus is for m >= 2**64");
        let s = trailing_zeros(&m);
        let odd = trimmed(&shr(&m, s)).to_vec();
        let odd_ring = if odd == [1] {
            OddRing::One
        } else if odd.len() == 1 {
            OddRing::Word(MontWord::new(odd[0]))
        } else if odd.len() >= SPECIAL_MIN && PseudoMersenne::form(&odd).is_some() {
            OddRing::Special(PseudoMersenne::new(&odd))
        } else {
            match odd.len() {
                2 => OddRing::N2(MontN::new(&odd)),
                3 => OddRing::N3(MontN::new(&odd)),
                4 => OddRing::N4(MontN::new(&odd)),
                5..=16 => OddRing::A16(MontArr::new(&odd)),
                17..=64 => OddRing::A64(MontArr::new(&odd)),
                _ => OddRing::Any(MontVec::new_polled(&odd, &mut *poll)?),
            }
        };
        let w = s.div_ceil(64) as usize;
        let two_ring = match w {
            0 => TwoRing::None,
            1 => TwoRing::Word,
            2 => TwoRing::N2,
            3 => TwoRing::N3,
            4 => TwoRing::N4,
            _ => TwoRing::Any(Pow2Vec::new(w)),
        };
        let split = s > 0 && odd != [1];
        let odd_inv = if split { inverse_mod_r_polled(&odd, w, poll)? } else { Vec::new() };
        let odd_div = split.then(|| Divisor::new(&odd));
        // A last look after the long parts (what follows is linear in m's size).
        if m.len().saturating_mul(m.len()) >= POLL_LIMB_PRODUCTS {
            poll()?;
        }
        Ok(BigModulus { div: Divisor::new(&m), m, s, odd, odd_div, odd_ring, two_ring, odd_inv })
    }

    /// m, trimmed.
    pub fn modulus(&self) -> &[u64] {
        &self.m
    }

    /// The number of limbs of m and of every residue.
    pub fn limbs(&self) -> usize {
        self.m.len()
    }

    /// ±x mod m, for x of any length.
    pub fn reduce(&self, x: &[u64], negative: bool) -> Vec<u64> {
        let r = self.div.rem(x);
        if negative {
            self.neg(&r)
        } else {
            r
        }
    }

    /// [`BigModulus::reduce`] calling `poll` every so often (a long x takes a long division).
    pub fn reduce_polled<X>(
        &self,
        x: &[u64],
        negative: bool,
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<Vec<u64>, X> {
        let r = self.div.rem_polled(x, poll)?;
        Ok(if negative { self.neg(&r) } else { r })
    }

    /// −x mod m for a residue x.
    pub fn neg(&self, x: &[u64]) -> Vec<u64> {
        if is_zero(x) {
            return vec![0; self.limbs()];
        }
        let mut out = vec![0; self.limbs()];
        sub_into(&mut out, &self.m, &padded(x, self.limbs()));
        out
    }

    /// a·b mod m for residues.
    pub fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut p = vec![0; a.len() + b.len()];
        mul_any(&mut p, a, b);
        self.div.rem(&p)
    }

    /// a·b mod m, calling `poll` during the division (quadratic in m's size).
    pub fn mul_polled<X>(&self, a: &[u64], b: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
        let mut p = vec![0; a.len() + b.len()];
        mul_any(&mut p, a, b);
        self.div.rem_polled(&p, poll)
    }

    /// x^e mod m for a residue x and e >= 0 as limbs (binary powering, left to right).
    pub fn pow(&self, x: &[u64], e: &[u64]) -> Vec<u64> {
        match self.pow_polled(x, e, &mut || Ok::<(), Infallible>(())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// [`BigModulus::pow`] calling `poll` at every bit of e and during each product.
    pub fn pow_polled<X>(&self, x: &[u64], e: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
        let mut acc = padded(&[1], self.limbs());
        for i in (0..64 * e.len()).rev() {
            poll()?;
            acc = self.mul_polled(&acc, &acc, poll)?;
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                acc = self.mul_polled(&acc, x, poll)?;
            }
        }
        Ok(acc)
    }

    /// x^(−1) mod m, or None when x and m are not coprime.
    pub fn inverse(&self, x: &[u64]) -> Option<Vec<u64>> {
        mod_inverse(x, &self.m).map(|v| padded(&v, self.limbs()))
    }

    /// A residue modulo m reduced modulo the odd part.
    fn odd_residue<X>(&self, x: &[u64], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<u64>, X> {
        match &self.odd_div {
            Some(d) => d.rem_polled(x, poll),
            None => Ok(padded(x, self.odd.len())),
        }
    }

    /// Residues modulo m reduced modulo the odd part.
    fn odd_residues<X>(&self, xs: &[Vec<u64>], poll: &mut dyn FnMut() -> Result<(), X>) -> Result<Vec<Vec<u64>>, X> {
        xs.iter().map(|x| self.odd_residue(x, &mut *poll)).collect()
    }

    /// The x in 0..m with x ≡ a (mod odd) and x ≡ b (mod 2^s): x = a + odd·t with
    /// t ≡ (b − a)·odd^(−1) (mod 2^s), which is below odd + odd·(2^s − 1) = m.
    fn crt(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let len = self.limbs();
        let w = self.s.div_ceil(64) as usize;
        let low = |x: &[u64]| padded(&x[..x.len().min(w)], w);
        if matches!(self.odd_ring, OddRing::One) {
            let mut x = low(b);
            mask_in_place(&mut x, self.s);
            return padded(&x, len);
        }
        if self.s == 0 {
            return padded(a, len);
        }
        let mut diff = vec![0; w];
        sub_into(&mut diff, &low(b), &low(a));
        let mut t = vec![0; w];
        mullo_any(&mut t, &diff, &self.odd_inv);
        mask_in_place(&mut t, self.s);
        let mut x = vec![0; self.odd.len() + w + 1];
        mul_any(&mut x[..self.odd.len() + w], &self.odd, &t);
        add_in_place(&mut x, a);
        padded(&x, len)
    }

    /// Joins a pair of results of the two parts (either may be absent).
    fn join(&self, odd: Option<Vec<u64>>, two: Option<Vec<u64>>) -> Vec<u64> {
        match (odd, two) {
            (Some(a), Some(b)) => self.crt(&a, &b),
            (Some(a), None) => padded(&a, self.limbs()),
            (None, Some(b)) => self.crt(&[], &b),
            (None, None) => unreachable!("m has a part"),
        }
    }

    fn has_odd(&self) -> bool {
        !matches!(self.odd_ring, OddRing::One)
    }

    fn has_two(&self) -> bool {
        !matches!(self.two_ring, TwoRing::None)
    }

    /// (U_n mod m, V_n mod m) of the Lucas sequences with parameters P = p and Q = q (any
    /// integers), for n >= 0 as limbs; `poll` is called every few bits and stops the ladder
    /// with its error.
    pub fn lucas_uv<X>(
        &self,
        n: &[u64],
        p: Signed,
        q: Signed,
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<(Vec<u64>, Vec<u64>), X> {
        if is_zero(n) {
            return Ok((vec![0; self.limbs()], padded(&[2], self.limbs())));
        }
        let pr = self.reduce_polled(p.magnitude, p.negative, &mut *poll)?;
        let qr = self.reduce_polled(q.magnitude, q.negative, &mut *poll)?;
        let odd = if self.has_odd() {
            let (po, qo) = (self.odd_residue(&pr, &mut *poll)?, self.odd_residue(&qr, &mut *poll)?);
            let (p, q) = ((p, po.as_slice()), (q, qo.as_slice()));
            Some(with_odd_ring!(&self.odd_ring, |r| uv_halving(r, n, p, q, &mut *poll))?)
        } else {
            None
        };
        let two = if self.has_two() {
            let (p, q) = ((p, pr.as_slice()), (q, qr.as_slice()));
            Some(with_two_ring!(&self.two_ring, |r| uv_pair(r, n, p, q, poll))?)
        } else {
            None
        };
        let (uo, vo) = odd.map_or((None, None), |(u, v)| (Some(u), Some(v)));
        let (ut, vt) = two.map_or((None, None), |(u, v)| (Some(u), Some(v)));
        Ok((self.join(uo, ut), self.join(vo, vt)))
    }

    /// F_n or L_n mod m for n >= 0 as limbs: the (F, L) ladder on the odd part (two
    /// products per bit), U and V with P = 1, Q = −1 on the power of two.
    pub fn fib_lucas<X>(
        &self,
        n: &[u64],
        which: Which,
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<Vec<u64>, X> {
        if is_zero(n) {
            let x = if which == Which::Fibonacci { 0 } else { 2 };
            return Ok(padded(&[x], self.limbs()));
        }
        let odd = if self.has_odd() {
            Some(with_odd_ring!(&self.odd_ring, |r| fib_lucas_halving(r, n, which, &mut *poll))?)
        } else {
            None
        };
        let two = if self.has_two() {
            let minus_one = vec![u64::MAX; self.s.div_ceil(64) as usize];
            let (p, q) = (Signed { negative: false, magnitude: &[1] }, Signed { negative: true, magnitude: &[1] });
            let (p, q) = ((p, &[1u64][..]), (q, minus_one.as_slice()));
            let (f, l) = with_two_ring!(&self.two_ring, |r| uv_pair(r, n, p, q, poll))?;
            Some(if which == Which::Fibonacci { f } else { l })
        } else {
            None
        };
        Ok(self.join(odd, two))
    }

    /// The jump-ahead of [`fiduccia::jump`] modulo m: x_n (or the window at n) of the
    /// recurrence with coefficients `c` and initial values `init`, residues modulo m.
    pub fn jump<X>(
        &self,
        c: &[Vec<u64>],
        init: &[Vec<u64>],
        n: &[u64],
        want: Output,
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<Vec<Vec<u64>>, X> {
        if c.len() == 2 {
            return self.jump_order2(c, init, n, want, poll);
        }
        // Orders above 2 run on the vector rings: their products dominate, and one copy of
        // the jump's code serves every size.
        let odd = if self.has_odd() {
            let (co, io): (Vec<_>, Vec<_>) = (self.odd_residues(c, &mut *poll)?, self.odd_residues(init, &mut *poll)?);
            Some(match &self.odd_ring {
                OddRing::Word(r) => jump_part(r.clone(), &co, &io, n, want, &mut *poll)?,
                _ => jump_part(MontVec::new_polled(&self.odd, &mut *poll)?, &co, &io, n, want, &mut *poll)?,
            })
        } else {
            None
        };
        let two = if self.has_two() {
            Some(match &self.two_ring {
                TwoRing::Word => jump_part(Wrapping, c, init, n, want, poll)?,
                _ => jump_part(Pow2Vec::new(self.s.div_ceil(64) as usize), c, init, n, want, poll)?,
            })
        } else {
            None
        };
        let count = odd.as_ref().or(two.as_ref()).map_or(0, Vec::len);
        let mut odd = odd.map(|v| v.into_iter().map(Some).collect::<Vec<_>>()).unwrap_or_else(|| vec![None; count]);
        let mut two = two.map(|v| v.into_iter().map(Some).collect::<Vec<_>>()).unwrap_or_else(|| vec![None; count]);
        Ok((0..count).map(|i| self.join(odd[i].take(), two[i].take())).collect())
    }

    /// [`BigModulus::jump`] for order 2 by the Lucas ladders, as a word ring's `order2` does:
    /// x^n ≡ a + b·x modulo x² − c_1·x − c_0, with P = c_1 and Q = −c_0, is
    /// (V_n − P·U_n)/2 + U_n·x by the halving ladder on the odd part and
    /// −Q·U_{n−1} + U_n·x by the ladder without halving on the power of two; then
    /// x_n = a·x_0 + b·x_1 and x_{n+1} = a·x_1 + b·x_2.
    fn jump_order2<X>(
        &self,
        c: &[Vec<u64>],
        init: &[Vec<u64>],
        n: &[u64],
        want: Output,
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<Vec<Vec<u64>>, X> {
        let count = if want == Output::Term { 1 } else { 2 };
        let len = self.limbs();
        let x2 =
            self.sum(&self.mul_polled(&c[0], &init[0], &mut *poll)?, &self.mul_polled(&c[1], &init[1], &mut *poll)?);
        let window = [padded(&init[0], len), padded(&init[1], len), x2];
        if is_zero(n) {
            return Ok(window[..count].to_vec());
        }
        let odd = if self.has_odd() {
            let co = self.odd_residues(c, &mut *poll)?;
            Some(with_odd_ring!(&self.odd_ring, |r| order2_halving(r, &co, n, &mut *poll))?)
        } else {
            None
        };
        let two =
            if self.has_two() { Some(with_two_ring!(&self.two_ring, |r| order2_pair(r, c, n, poll))?) } else { None };
        let (ao, bo) = odd.map_or((None, None), |[a, b]| (Some(a), Some(b)));
        let (at, bt) = two.map_or((None, None), |[a, b]| (Some(a), Some(b)));
        let (a, b) = (self.join(ao, at), self.join(bo, bt));
        let mut out = Vec::with_capacity(count);
        for j in 0..count {
            let (aj, bj) =
                (self.mul_polled(&a, &window[j], &mut *poll)?, self.mul_polled(&b, &window[j + 1], &mut *poll)?);
            out.push(self.sum(&aj, &bj));
        }
        Ok(out)
    }

    /// a + b mod m for residues.
    fn sum(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut s = padded(a, self.limbs() + 1);
        add_in_place(&mut s, b);
        self.div.rem(&s)
    }

    /// The coefficients of the recurrence run backwards (see [`fiduccia::reversed`]), given
    /// an inverse of c_0 modulo m, and the window reversed.
    pub fn reversed(&self, c: &[Vec<u64>], window: &[Vec<u64>], c0_inv: &[u64]) -> fiduccia::Reversed<Vec<u64>> {
        match self.reversed_polled(c, window, c0_inv, &mut || Ok::<(), Infallible>(())) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// [`BigModulus::reversed`] calling `poll` during its products.
    pub fn reversed_polled<X>(
        &self,
        c: &[Vec<u64>],
        window: &[Vec<u64>],
        c0_inv: &[u64],
        poll: &mut dyn FnMut() -> Result<(), X>,
    ) -> Result<fiduccia::Reversed<Vec<u64>>, X> {
        let k = c.len();
        let mut d = vec![padded(c0_inv, self.limbs())];
        for j in 1..k {
            d.push(self.neg(&self.mul_polled(&c[k - j], c0_inv, &mut *poll)?));
        }
        Ok((d, window.iter().rev().cloned().collect()))
    }
}

/// The part's ring, polling by work: every few bits for an order-`order` ladder on its
/// elements, and before every product for the largest.
fn polled<'p, P: Part, X>(r: P, order: usize, poll: &'p mut dyn FnMut() -> Result<(), X>) -> Polled<'p, P, X> {
    let (every, each) = (poll_period(r.size(), order), r.size() >= POLL_EACH_PRODUCT_MIN);
    Polled::new(r, every, poll).each_product(each)
}

/// A ladder's parameter on a part: the integer itself when it is small and the ring
/// multiplies by small integers in linear time (or it is ±1, which every ring handles by
/// a copy or a negation), else the element of its residue `x.1` modulo the part.
fn param<P: Part>(r: &mut P, x: (Signed, &[u64])) -> Param<P::E> {
    match x.0.small(SMALL_PARAM) {
        Some(v) if P::LINEAR_SMALL || v.unsigned_abs() == 1 => Param::Small(v),
        _ => Param::Element(r.element(x.1)),
    }
}

/// (U_n, V_n) on an odd part by the halving ladder; p and q as given and as residues of the
/// part.
fn uv_halving<P: Part + Halve, X>(
    mut r: P,
    n: &[u64],
    p: (Signed, &[u64]),
    q: (Signed, &[u64]),
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<(Vec<u64>, Vec<u64>), X> {
    let (p, q) = (param(&mut r, p), param(&mut r, q));
    let mut pr = polled(r, 1, poll);
    let (u, v) = lucas_uv_halving_with(&mut pr, &p, &q, n)?;
    Ok((pr.ring.residue(&u), pr.ring.residue(&v)))
}

/// (U_n, V_n) on any part by the ladder without halving.
fn uv_pair<P: Part, X>(
    mut r: P,
    n: &[u64],
    p: (Signed, &[u64]),
    q: (Signed, &[u64]),
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<(Vec<u64>, Vec<u64>), X> {
    let (p, q) = (param(&mut r, p), param(&mut r, q));
    let mut pr = polled(r, 2, poll);
    let (u, u_prev) = lucas_u_pair_with(&mut pr, &p, &q, n)?;
    let v = lucas_v_from_pair_with(&mut pr, &p, &q, &u, &u_prev)?;
    Ok((pr.ring.residue(&u), pr.ring.residue(&v)))
}

/// F_n or L_n on an odd part by the (F, L) ladder.
fn fib_lucas_halving<P: Part + Halve, X>(
    r: P,
    n: &[u64],
    which: Which,
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<Vec<u64>, X> {
    let mut pr = polled(r, 1, poll);
    let x = fib_or_lucas(&mut pr, n, which)?;
    Ok(pr.ring.residue(&x))
}

/// x^n ≡ a + b·x modulo x² − c_1·x − c_0 on an odd part, [a, b] as residues.
fn order2_halving<P: Part + Halve, X>(
    mut r: P,
    c: &[Vec<u64>],
    n: &[u64],
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<[Vec<u64>; 2], X> {
    let (c0, c1) = (r.element(&c[0]), r.element(&c[1]));
    let mut pr = polled(r, 1, poll);
    let [a, b] = order2_by_halving(&mut pr, [&c0, &c1], n)?;
    Ok([pr.ring.residue(&a), pr.ring.residue(&b)])
}

/// The same on a power of two, by the ladder without halving: a = c_0·U_{n−1}, b = U_n.
fn order2_pair<P: Part, X>(
    mut r: P,
    c: &[Vec<u64>],
    n: &[u64],
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<[Vec<u64>; 2], X> {
    let (c0, c1) = (r.element(&c[0]), r.element(&c[1]));
    let mut pr = polled(r, 2, poll);
    let zero = pr.small(0)?;
    let q = pr.sub(&zero, &c0)?;
    let (u, u_prev) = lucas_u_pair_with(&mut pr, &Param::Element(c1), &Param::Element(q), n)?;
    let a = pr.mul(&c0, &u_prev)?;
    Ok([pr.ring.residue(&a), pr.ring.residue(&u)])
}

/// The jump on one part.
fn jump_part<P: Part, X>(
    mut r: P,
    c: &[Vec<u64>],
    init: &[Vec<u64>],
    n: &[u64],
    want: Output,
    poll: &mut dyn FnMut() -> Result<(), X>,
) -> Result<Vec<Vec<u64>>, X>
where
    for<'a> Polled<'a, P, X>: Dot<E = P::E, Err = X>,
{
    let ce: Vec<P::E> = c.iter().map(|x| r.element(x)).collect();
    let ie: Vec<P::E> = init.iter().map(|x| r.element(x)).collect();
    let mut pr = polled(r, c.len(), poll);
    let out = fiduccia::jump(&mut pr, &ce, &ie, n, want)?;
    Ok(out.iter().map(|x| pr.ring.residue(x)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::Big;
    use crate::jump::big_rings::BigMod;
    use crate::modular::limbs::shl;
    use crate::terms::ladder::{lucas_u_pair, lucas_v_from_pair};

    fn never() -> Result<(), Infallible> {
        Ok(())
    }

    fn big(x: &[u64]) -> Big {
        Big::from_limbs(false, x)
    }

    /// The moduli at the limb boundaries: 65, 127, 128, 129 bits and more, 2^k ± 1, odd and
    /// even, with large powers of two, with odd parts of each ring's kind.
    pub(crate) fn moduli() -> Vec<Vec<u64>> {
        let pow2 = |k: u64| shl(&[1], k);
        let minus = |k: u64, c: u64| {
            let mut m = pow2(k);
            crate::modular::limbs::sub_in_place(&mut m, &[c]);
            trimmed(&m).to_vec()
        };
        let plus = |k: u64, c: u64| {
            let mut m = pow2(k);
            m[0] += c;
            m
        };
        let times = |x: &[u64], k: u64| shl(x, k);
        vec![
            plus(64, 1),     // 65 bits, 2^64 + 1 (composite)
            plus(64, 13),    // 65 bits, prime
            minus(65, 1),    // 2^65 − 1
            minus(127, 1),   // 127 bits, Mersenne prime
            minus(128, 159), // 128 bits, prime
            minus(128, 1),   // 2^128 − 1, all ones
            plus(128, 1),    // 129 bits, 3 limbs
            minus(129, 1),   // 129 bits
            minus(256, 189), // 4 limbs
            plus(256, 297),  // 5 limbs
            minus(521, 1),   // Mersenne, 9 limbs: the special form
            minus(607, 1),   // Mersenne, 10 limbs
            minus(320, 197), // 2^k − c on 5 limbs
            vec![0x9E37_79B9_7F4A_7C15, 0x2545_F491_4F6C_DD1D, 0xDEAD_BEEF, 0x1234_5678_9ABC_DEF1, 0x0FED_CBA9, 7, 1],
            plus(1100, 5),                                       // 18 limbs: arrays of 64
            minus(2048, 1).iter().map(|l| l ^ 0x5555).collect(), // 32 limbs, not of the special form
            plus(4200, 1),                                       // 66 limbs: vectors
            pow2(64),                                            // 2^64: odd part 1, one word of power of two
            pow2(65),                                            // odd part 1, two limbs
            pow2(200),                                           // odd part 1, four limbs
            pow2(400),                                           // odd part 1, vector
            times(&[3], 64),                                     // word odd part, 2^64
            times(&minus(61, 1), 100),                           // word odd part, 2^100
            times(&minus(127, 1), 1),                            // 2·(2^127 − 1)
            times(&minus(128, 159), 70),
            times(&minus(521, 1), 3),  // special odd part, small power of two
            times(&plus(64, 13), 300), // large power of two
            times(&minus(256, 189), 64),
            times(&plus(1100, 5), 7), // an odd part in arrays of 64
        ]
    }

    /// (U_n, V_n) mod m by stepping the recurrence on Big (the simple reference).
    fn stepped(n: u64, p: &Big, q: &Big, m: &Big) -> (Big, Big) {
        let (mut u, mut u1, mut v, mut v1) = (Big::zero(), Big::from_i64(1), Big::from_i64(2), p.clone());
        for _ in 0..n {
            (u, u1) = (u1.clone(), p.mul(&u1).sub(&q.mul(&u)).rem_euclid(m));
            (v, v1) = (v1.clone(), p.mul(&v1).sub(&q.mul(&v)).rem_euclid(m));
        }
        (u.rem_euclid(m), v.rem_euclid(m))
    }

    /// (U_n, V_n) mod m by the ladder without halving on Big residues: the old path for
    /// moduli of 2**64 and more, one product and one division per operation.
    fn ladder_reference(n: &[u64], p: &Big, q: &Big, m: &Big) -> (Big, Big) {
        let mut never = never;
        let mut r = BigMod::new(m.clone(), &mut never);
        if is_zero(n) {
            return (Big::zero(), r.reduce(&Big::from_i64(2)));
        }
        let (p, q) = (r.reduce(p), r.reduce(q));
        let (u, u1) = lucas_u_pair(&mut r, &p, &q, n).unwrap();
        let v = lucas_v_from_pair(&mut r, &p, &q, &u, &u1).unwrap();
        (u, v)
    }

    fn value(x: &[u64]) -> Big {
        big(trimmed(x))
    }

    #[test]
    fn lucas_uv_against_stepping_at_small_n() {
        for m in moduli() {
            let bm = BigModulus::new(&m);
            let mb = big(&m);
            let signed = |x: &[u64], negative: bool| Signed { negative, magnitude: x }.small(u64::MAX);
            assert_eq!(signed(&[5], true), Some(-5));
            for (p, q) in [(1i64, -1i64), (3, -5), (-7, 3), (2, 1), (0, 2), (5, 0), (-1, 1), (1 << 40, -(1 << 35))] {
                let (pm, qm) = ([p.unsigned_abs()], [q.unsigned_abs()]);
                let (ps, qs) = (Signed { negative: p < 0, magnitude: &pm }, Signed { negative: q < 0, magnitude: &qm });
                for n in [0u64, 1, 2, 3, 4, 10, 63, 64, 65, 127, 128, 129, 200] {
                    let (u, v) = bm.lucas_uv(&[n], ps, qs, &mut never).unwrap();
                    assert_eq!(u.len(), m.len());
                    let want = stepped(n, &Big::from_i64(p), &Big::from_i64(q), &mb);
                    assert_eq!((value(&u), value(&v)), want, "m={m:x?} p={p} q={q} n={n}");
                }
            }
        }
    }

    #[test]
    fn lucas_uv_and_fib_against_the_big_ladder_at_large_n() {
        for m in moduli() {
            let bm = BigModulus::new(&m);
            let mb = big(&m);
            let mut rnd = crate::modular::limbs::tests::stream(m[0] ^ m.len() as u64);
            for _ in 0..3 {
                // n of m's size up to 4 limbs: the rings are what is tested, not the ladder's length.
                let n: Vec<u64> = (0..m.len().min(4)).map(|_| rnd()).collect();
                let p: Vec<u64> = (0..m.len() + 1).map(|_| rnd()).collect();
                let q: Vec<u64> = (0..2).map(|_| rnd()).collect();
                let (ps, qs) = (Signed { negative: false, magnitude: &p }, Signed { negative: true, magnitude: &q });
                let (u, v) = bm.lucas_uv(&n, ps, qs, &mut never).unwrap();
                let want = ladder_reference(&n, &big(&p), &Big::zero().sub(&big(&q)), &mb);
                assert_eq!((value(&u), value(&v)), want, "m={m:x?} n={n:x?}");
                let (f, l) = ladder_reference(&n, &Big::from_i64(1), &Big::from_i64(-1), &mb);
                assert_eq!(value(&bm.fib_lucas(&n, Which::Fibonacci, &mut never).unwrap()), f, "F m={m:x?}");
                assert_eq!(value(&bm.fib_lucas(&n, Which::Lucas, &mut never).unwrap()), l, "L m={m:x?}");
            }
            for n in [0u64, 1, 2, 3, 100] {
                let (f, l) = stepped(n, &Big::from_i64(1), &Big::from_i64(-1), &mb);
                assert_eq!(value(&bm.fib_lucas(&[n], Which::Fibonacci, &mut never).unwrap()), f, "F_{n} m={m:x?}");
                assert_eq!(value(&bm.fib_lucas(&[n], Which::Lucas, &mut never).unwrap()), l, "L_{n} m={m:x?}");
            }
        }
    }

    #[test]
    fn jumps_against_stepping_and_backwards() {
        for m in moduli() {
            let bm = BigModulus::new(&m);
            let mb = big(&m);
            for (c, init) in
                [(vec![-5i64, 3], vec![0i64, 1]), (vec![1, 1], vec![2, 1]), (vec![2, -1, 3], vec![1, 0, -4])]
            {
                let k = c.len();
                let res = |v: &[i64]| v.iter().map(|&x| bm.reduce(&[x.unsigned_abs()], x < 0)).collect::<Vec<_>>();
                let (cr, ir) = (res(&c), res(&init));
                let mut seq: Vec<Big> = init.iter().map(|&x| Big::from_i64(x).rem_euclid(&mb)).collect();
                while seq.len() < 140 {
                    let t = seq.len() - k;
                    let next = (0..k).fold(Big::zero(), |acc, i| acc.add(&Big::from_i64(c[i]).mul(&seq[t + i])));
                    seq.push(next.rem_euclid(&mb));
                }
                for n in [0u64, 1, 5, 64, 65, 130] {
                    let got = bm.jump(&cr, &ir, &[n], Output::Window, &mut never).unwrap();
                    let want: Vec<Big> = seq[n as usize..n as usize + k].to_vec();
                    assert_eq!(got.iter().map(|x| value(x)).collect::<Vec<_>>(), want, "m={m:x?} c={c:?} n={n}");
                }
                // Backwards from the window at 100 to the window at 100 − 37, where c_0 is
                // invertible.
                if let Some(inv) = bm.inverse(&cr[0]) {
                    let at = |i: usize| seq[i..i + k].iter().map(|x| padded(x.limbs(), m.len())).collect::<Vec<_>>();
                    let (d, y) = bm.reversed(&cr, &at(100), &inv);
                    let back = bm.jump(&d, &y, &[37], Output::Window, &mut never).unwrap();
                    let back: Vec<Vec<u64>> = back.into_iter().rev().collect();
                    assert_eq!(back, at(63), "backwards m={m:x?} c={c:?}");
                }
            }
        }
    }

    #[test]
    fn helpers() {
        let bm = BigModulus::new(&[13, 1]);
        let x = bm.reduce(&[5], true);
        assert_eq!(bm.mul(&x, &bm.reduce(&[5], false)), bm.reduce(&[25], true));
        let inv = bm.inverse(&[3]).unwrap();
        assert_eq!(bm.mul(&inv, &[3, 0]), [1, 0]);
        assert!(BigModulus::new(&[0, 3]).inverse(&[6]).is_none());
        assert_eq!(bm.pow(&[3, 0], &[5]), [243, 0]);
        assert_eq!(bm.pow(&[3, 0], &[]), [1, 0]);
    }

    #[test]
    fn large_moduli_set_up_with_polls_and_powers_agree() {
        let mut rnd = crate::modular::limbs::tests::stream(59);
        let mut odd: Vec<u64> = (0..450).map(|_| rnd()).collect();
        odd[0] |= 1;
        // Odd (Montgomery form on vectors, REDC by products) and even with a large power of
        // two (its inverse for the CRT has 50 limbs).
        for m in [odd.clone(), shl(&odd, 3200)] {
            let mut calls = 0;
            let bm = BigModulus::new_polled(&m, &mut || {
                calls += 1;
                Ok::<(), ()>(())
            })
            .unwrap();
            assert!(calls > 0, "the setup of {} limbs polls", m.len());
            assert_eq!(BigModulus::new_polled(&m, &mut || Err("stop")).err(), Some("stop"));
            let x = bm.reduce(&(0..m.len() + 3).map(|_| rnd()).collect::<Vec<_>>(), true);
            let e = [rnd(), rnd()];
            let got = bm.pow_polled(&x, &e, &mut never).unwrap();
            assert_eq!(value(&got), big(&x).pow_mod(&e, &big(&m)));
            assert_eq!(bm.pow_polled(&x, &e, &mut || Err("stop")), Err("stop"));
            let (p, q) = (Signed { negative: false, magnitude: &[3] }, Signed { negative: true, magnitude: &[5] });
            let (u, v) = bm.lucas_uv(&[1000], p, q, &mut never).unwrap();
            let want = ladder_reference(&[1000], &Big::from_i64(3), &Big::from_i64(-5), &big(&m));
            assert_eq!((value(&u), value(&v)), want);
        }
    }

    #[test]
    fn huge_moduli_poll_before_every_product() {
        let mut m = vec![0x9E37_79B9_7F4A_7C15; POLL_EACH_PRODUCT_MIN];
        m[0] |= 1;
        let bm = BigModulus::new(&m);
        let mut calls = 0;
        let mut count = || -> Result<(), ()> {
            calls += 1;
            Ok(())
        };
        let (p, q) = (Signed { negative: false, magnitude: &[3] }, Signed { negative: true, magnitude: &[5] });
        bm.lucas_uv(&[2], p, q, &mut count).unwrap();
        // n = 2: one doubling step, three products (U·V, V², Q²) and the bit's own poll.
        assert!(calls >= 4, "{calls} polls");
    }

    #[test]
    fn the_poll_stops_a_ladder() {
        let m = vec![u64::MAX; 40];
        let bm = BigModulus::new(&m);
        let mut calls = 0;
        let mut stop = || {
            calls += 1;
            if calls == 3 {
                Err("stop")
            } else {
                Ok(())
            }
        };
        let n = vec![u64::MAX; 40];
        let (p, q) = (Signed { negative: false, magnitude: &[3] }, Signed { negative: false, magnitude: &[5] });
        assert_eq!(bm.lucas_uv(&n, p, q, &mut stop), Err("stop"));
    }
}
