use lucas_core::modular::limbs::{adc, inverse_mod_2_64, mac, mul_into, redc_in_place};
use std::hint::black_box;
use std::time::Instant;

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

/// t[0..n+2] += (a0 + a1 B) * b, returns carry out of t[n+1] (t has at least n+2 limbs).
#[inline(always)]
fn addmul_2(t: &mut [u64], a0: u64, a1: u64, b: &[u64]) -> u64 {
    let n = b.len();
    let (mut ph0, mut pl1, mut ph1, mut ph1p, mut carry) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for j in 0..n {
        let p0 = u128::from(a0) * u128::from(b[j]);
        let p1 = u128::from(a1) * u128::from(b[j]);
        let acc = u128::from(t[j])
            + u128::from(p0 as u64)
            + u128::from(ph0)
            + u128::from(pl1)
            + u128::from(ph1p)
            + u128::from(carry);
        t[j] = acc as u64;
        carry = (acc >> 64) as u64;
        ph0 = (p0 >> 64) as u64;
        ph1p = ph1;
        pl1 = p1 as u64;
        ph1 = (p1 >> 64) as u64;
    }
    let acc = u128::from(t[n]) + u128::from(ph0) + u128::from(pl1) + u128::from(ph1p) + u128::from(carry);
    t[n] = acc as u64;
    let top = u128::from(t[n + 1]) + u128::from(ph1) + (acc >> 64);
    t[n + 1] = top as u64;
    (top >> 64) as u64
}

fn mul2_into(out: &mut [u64], a: &[u64], b: &[u64]) {
    out.fill(0);
    let n = a.len();
    let mut i = 0;
    while i + 2 <= n {
        addmul_2(&mut out[i..], a[i], a[i + 1], b);
        i += 2;
    }
    if i < n {
        let mut c = 0;
        for j in 0..b.len() {
            (out[i + j], c) = mac(out[i + j], a[i], b[j], c);
        }
        out[i + b.len()] = c;
    }
}

/// REDC two rows at a time. t has 2n limbs; returns top carry.
fn redc2(t: &mut [u64], m: &[u64], minv: u64) -> bool {
    let n = m.len();
    let mut top = 0u64; // carry above t[2n-1]... accumulate
    let mut i = 0;
    while i + 2 <= n {
        let q0 = t[i].wrapping_mul(minv);
        // t[i+1] after adding q0*m: t[i+1] + hi(t[i] + q0 m0) + lo(q0 m1)
        let (_, c0) = mac(t[i], q0, m[0], 0);
        let (x1, _) = mac(t[i + 1], q0, m[1], c0);
        let q1 = x1.wrapping_mul(minv);
        let c = addmul_2(&mut t[i..i + n + 2], q0, q1, m);
        // propagate c into t[i+n+2..]
        let mut carry = c != 0;
        let mut k = i + n + 2;
        if c > 1 {
            unreachable!()
        }
        while carry {
            if k == 2 * n {
                top += 1;
                break;
            }
            let (s, cc) = adc(t[k], 0, true);
            t[k] = s;
            carry = cc;
            k += 1;
        }
        i += 2;
    }
    if i < n {
        let q = t[i].wrapping_mul(minv);
        let mut c = 0;
        for j in 0..n {
            (t[i + j], c) = mac(t[i + j], q, m[j], c);
        }
        let mut carry;
        (t[i + n], carry) = adc(t[i + n], c, false);
        let mut k = i + n + 1;
        while carry {
            if k == 2 * n {
                top += 1;
                break;
            }
            let (s, cc) = adc(t[k], 0, true);
            t[k] = s;
            carry = cc;
            k += 1;
        }
    }
    top != 0
}

/// fused CIOS: both products in one j loop.
fn cios_fused(t: &mut [u64], a: &[u64], b: &[u64], m: &[u64], minv: u64) -> bool {
    let n = m.len();
    t.fill(0);
    let mut top = 0u64;
    for &ai in a {
        let s = u128::from(t[0]) + u128::from(ai) * u128::from(b[0]);
        let q = (s as u64).wrapping_mul(minv);
        let mut cab = (s >> 64) as u64;
        let s2 = u128::from(s as u64) + u128::from(q) * u128::from(m[0]);
        let mut cqm = (s2 >> 64) as u64;
        for j in 1..n {
            let s = u128::from(t[j]) + u128::from(ai) * u128::from(b[j]) + u128::from(cab);
            cab = (s >> 64) as u64;
            let s2 = u128::from(s as u64) + u128::from(q) * u128::from(m[j]) + u128::from(cqm);
            cqm = (s2 >> 64) as u64;
            t[j - 1] = s2 as u64;
        }
        let s = u128::from(top) + u128::from(cab) + u128::from(cqm);
        t[n - 1] = s as u64;
        top = (s >> 64) as u64;
    }
    top != 0
}

fn main() {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    println!("limbs  mul_into  mul2_into   redc   redc2   cios_f  (mul2+redc2)");
    for n in [4usize, 8, 16, 32, 64, 128] {
        let mut m: Vec<u64> = (0..n).map(|_| rnd()).collect();
        m[0] |= 1;
        m[n - 1] |= 1 << 63;
        let a: Vec<u64> = (0..n).map(|_| rnd() >> 1).collect();
        let b: Vec<u64> = (0..n).map(|_| rnd() >> 1).collect();
        let minv = inverse_mod_2_64(m[0]).wrapping_neg();
        let reps = (20_000 / (n * n)).max(1);
        let (mut w, mut w2) = (vec![0u64; 2 * n], vec![0u64; 2 * n]);
        mul_into(&mut w, &a, &b);
        mul2_into(&mut w2, &a, &b);
        assert_eq!(w, w2);
        let mut x = w.clone();
        let tx = redc_in_place(&mut x, &m, minv);
        let mut y = w.clone();
        let ty = redc2(&mut y, &m, minv);
        assert_eq!((tx, &x[n..]), (ty, &y[n..]));
        let mut t = vec![0u64; n];
        let tf = cios_fused(&mut t, &a, &b, &m, minv);
        let mut t2 = vec![0u64; n];
        let tc = lucas_core::modular::limbs::mont_mul_cios(&mut t2, &a, &b, &m, minv);
        assert_eq!((tf, &t), (tc, &t2));
        let m1 = time(reps, || {
            mul_into(&mut w, black_box(&a), &b);
            black_box(&w);
        });
        let m2 = time(reps, || {
            mul2_into(&mut w, black_box(&a), &b);
            black_box(&w);
        });
        let r1 = time(reps, || {
            let mut z = black_box(w2.clone());
            black_box(redc_in_place(&mut z, &m, minv));
        });
        let r2 = time(reps, || {
            let mut z = black_box(w2.clone());
            black_box(redc2(&mut z, &m, minv));
        });
        let cf = time(reps, || {
            black_box(cios_fused(&mut t, black_box(&a), &b, &m, minv));
        });
        let both = time(reps, || {
            mul2_into(&mut w, black_box(&a), &b);
            black_box(redc2(&mut w, &m, minv));
        });
        println!("{n:5} {m1:9.0} {m2:9.0} {r1:7.0} {r2:7.0} {cf:7.0} {both:9.0}");
    }
}
