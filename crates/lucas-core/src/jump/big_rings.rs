//! The rings `nth_term` jumps on beyond machine words, on the big-integer backend (pure
//! Rust, no FFI): [`Big`] exactly ([`BigInts`], the ring of the n-th-term ladders, extended
//! by linrec's [`Dot`]) and [`Big`] modulo m ([`BigMod`], for m of 2**64 or more).
//! Everything happens on `Big`; the entry point converts to Python ints once, at the end.

#![forbid(unsafe_code)]

use crate::bigint::Big;
use crate::jump::fiduccia::Dot;
use crate::terms::exact::BigInts;
use crate::terms::ladder::Ring;

impl<E> Dot for BigInts<'_, E> {}

/// Residues modulo m >= 1 as [`Big`] values in `0..m`, calling `check` once per bit of n
/// (where Ctrl-C is noticed).
pub struct BigMod<'a, E> {
    m: Big,
    check: &'a mut dyn FnMut() -> Result<(), E>,
}

impl<'a, E> BigMod<'a, E> {
    pub fn new(m: Big, check: &'a mut dyn FnMut() -> Result<(), E>) -> Self {
        BigMod { m, check }
    }

    /// Any integer reduced into `0..m`.
    pub fn reduce(&self, x: &Big) -> Big {
        x.rem_euclid(&self.m)
    }
}

impl<E> Ring for BigMod<'_, E> {
    type E = Big;
    type Err = E;
    fn mul(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        let product = a.mul_polled(b, self.check)?;
        Ok(self.reduce(&product))
    }
    fn add(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        Ok(self.reduce(&a.add(b)))
    }
    fn sub(&mut self, a: &Big, b: &Big) -> Result<Big, E> {
        Ok(self.reduce(&a.sub(b)))
    }
    fn small(&mut self, v: i64) -> Result<Big, E> {
        Ok(self.reduce(&Big::from_i64(v)))
    }
    fn bit_done(&mut self) -> Result<(), E> {
        (self.check)()
    }
}

impl<E> Dot for BigMod<'_, E> {
    /// The products summed exactly, then one reduction.
    fn dot(&mut self, a: &[Big], b: &[Big]) -> Result<Big, E> {
        let sum = a.iter().zip(b).fold(Big::zero(), |acc, (x, y)| acc.add(&x.mul(y)));
        Ok(self.reduce(&sum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jump::fiduccia::{jump, Output};

    fn never() -> Result<(), ()> {
        Ok(())
    }

    /// x_n by stepping the recurrence on i128 (the reference).
    fn stepped(c: &[i64], init: &[i64], n: usize, m: Option<i128>) -> i128 {
        let mut seq: Vec<i128> = init.iter().map(|&v| i128::from(v)).collect();
        while seq.len() <= n {
            let k = c.len();
            let mut v: i128 = c.iter().zip(&seq[seq.len() - k..]).map(|(&a, &b)| i128::from(a) * b).sum();
            if let Some(m) = m {
                v = v.rem_euclid(m);
            }
            seq.push(v);
        }
        m.map_or(seq[n], |m| seq[n].rem_euclid(m))
    }

    fn value(b: &Big) -> i128 {
        let m = b.limbs().iter().rev().fold(0u128, |acc, &x| (acc << 64) | u128::from(x)) as i128;
        if b.is_negative() {
            -m
        } else {
            m
        }
    }

    #[test]
    fn exact_and_modular_jumps_match_stepping() {
        let bigs = |v: &[i64]| v.iter().map(|&x| Big::from_i64(x)).collect::<Vec<Big>>();
        for (c, init) in
            [(vec![1, 1], vec![0, 1]), (vec![-1, 2, 3], vec![5, -7, 2]), (vec![2, 0, -1, 1, 1], vec![1, 2, 3, 4, 5])]
        {
            for n in [0usize, 1, 4, 9, 10, 31, 40] {
                let mut never = never;
                let exact = jump(&mut BigInts::new(&mut never), &bigs(&c), &bigs(&init), &[n as u64], Output::Term);
                assert_eq!(value(&exact.unwrap()[0]), stepped(&c, &init, n, None), "{c:?} n={n}");
                let m = (1i128 << 64) + 13;
                let mut r = BigMod::new(Big::from_limbs(false, &[13, 1]), &mut never);
                let (cm, im): (Vec<Big>, Vec<Big>) =
                    (bigs(&c).iter().map(|x| r.reduce(x)).collect(), bigs(&init).iter().map(|x| r.reduce(x)).collect());
                let got = jump(&mut r, &cm, &im, &[n as u64], Output::Term).unwrap();
                assert_eq!(value(&got[0]), stepped(&c, &init, n, Some(m)), "{c:?} n={n} mod 2**64+13");
            }
        }
    }
}
