//! Measures the pieces of a Montgomery product at each size, to place the thresholds of
//! `modular::mont` (CIOS_MAX, PRODUCT_MIN, SQUARE_MIN, REDC_PRODUCT_MIN) and `modular::pow2`
//! (PRODUCT_MIN), then a square modulo 2^k − 1 in Montgomery form against the folding of
//! `modular::special` (`modular::big::SPECIAL_MIN`):
//! `cargo run --release -p lucas-core --example thresholds`. Prints nanoseconds per product,
//! the minimum over many short samples (the machine may be busy); bench/NOTES.md records a run.

use lucas_core::bigint::limbs as backend;
use lucas_core::modular::limbs::{inverse_mod_2_64, mont_mul_cios, mul_into, mullo_into, redc_in_place, sqr_into};
use lucas_core::modular::mont::{MontArr, MontVec};
use lucas_core::modular::special::PseudoMersenne;
use lucas_core::terms::ladder::Ring;
use std::hint::black_box;
use std::time::Instant;

/// The minimum over `samples` samples of `reps` calls, in ns per call.
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..300 {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t.elapsed().as_nanos() as f64 / reps as f64);
    }
    best
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![2, 4, 6, 8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 384, 512, 700]
    } else {
        sizes
    };
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    println!("limbs    cios  mul+redc  sqr+redc bmul+redc bsqr+redc bmul+2bmul bsqr+2bmul   mullo  bmul");
    for n in sizes {
        let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
        m[0] |= 1;
        m[n - 1] |= 1 << 63;
        let a: Vec<u64> = (0..n).map(|_| rnd() >> 1).collect();
        let b: Vec<u64> = (0..n).map(|_| rnd() >> 1).collect();
        let minv = inverse_mod_2_64(m[0]).wrapping_neg();
        let reps = (20_000 / (n * n)).max(1);
        let mut t = vec![0u64; n];
        let mut w = vec![0u64; 2 * n];
        let mut q = vec![0u64; 2 * n];
        let mut qm = vec![0u64; 2 * n];
        let cios = time(reps, || {
            black_box(mont_mul_cios(&mut t, black_box(&a), &b, &m, minv));
        });
        let mulr = time(reps, || {
            mul_into(&mut w, black_box(&a), &b);
            black_box(redc_in_place(&mut w, &m, minv));
        });
        let sqr = time(reps, || {
            sqr_into(&mut w, black_box(&a));
            black_box(redc_in_place(&mut w, &m, minv));
        });
        let bmul = time(reps, || {
            backend::mul(&mut w, black_box(&a), &b);
            black_box(redc_in_place(&mut w, &m, minv));
        });
        let bsqr = time(reps, || {
            backend::sqr(&mut w, black_box(&a));
            black_box(redc_in_place(&mut w, &m, minv));
        });
        let bmul3 = time(reps, || {
            backend::mul(&mut w, black_box(&a), &b);
            backend::mul(&mut q, &w[..n], &m);
            backend::mul(&mut qm, &q[..n], &m);
            black_box(&qm);
        });
        let bsqr3 = time(reps, || {
            backend::sqr(&mut w, black_box(&a));
            backend::mul(&mut q, &w[..n], &m);
            backend::mul(&mut qm, &q[..n], &m);
            black_box(&qm);
        });
        let lo = time(reps, || {
            mullo_into(&mut t, black_box(&a), &b);
        });
        let blo = time(reps, || {
            backend::mul(&mut w, black_box(&a), &b);
        });
        println!(
            "{n:5} {cios:7.0} {mulr:9.0} {sqr:9.0} {bmul:9.0} {bsqr:9.0} {bmul3:10.0} {bsqr3:10.0} {lo:7.0} {blo:5.0}"
        );
    }
    println!("limbs  square mod 2^k-1: montgomery  folded");
    for n in sizes_special() {
        let m = vec![u64::MAX; n];
        let a: Vec<u64> = (0..n).map(|_| rnd() >> 1).collect();
        let reps = (20_000 / (n * n)).max(1);
        let folded = {
            let mut r = PseudoMersenne::new(&m);
            let x = r.enter(&a);
            time(reps, || {
                black_box(r.mul(black_box(&x), &x).expect("infallible"));
            })
        };
        let montgomery = if n <= 64 {
            let mut r = MontArr::<64>::new(&m);
            let x = r.enter(&a);
            time(reps, || {
                black_box(r.mul(black_box(&x), &x).expect("infallible"));
            })
        } else {
            let mut r = MontVec::new(&m);
            let x = r.enter(&a);
            time(reps, || {
                black_box(r.mul(black_box(&x), &x).expect("infallible"));
            })
        };
        println!("{n:5} {montgomery:29.0} {folded:7.0}");
    }
}

fn sizes_special() -> Vec<usize> {
    vec![2, 3, 4, 5, 6, 8, 12, 16, 32, 64, 128]
}
