"""Slow pure-Python models of lucas's probable-prime tests, written from the definitions.

Independent of the extension's algorithms: U_k and V_k come from powers of the matrix
[[P, -Q], [1, 0]] (not from a Lucas chain on V), each V_{d*2^r} is computed directly
(not by doubling), and the Jacobi symbol uses the textbook reduction algorithm (the
extension uses the binary one).  Same answers and the same ValueErrors as the
extension, by the rules documented in docs/api.md:

- n < 2: False; n == 2: True; other even n: False;
- a parameter that n divides (a, q, or D = p*p - 4q): ValueError; a parameter sharing a
  proper factor with n: False; a < 2 or D == 0: ValueError before anything else.
"""

import math


def jacobi(a, n):
    """(a/n) for odd n > 0."""
    assert n > 0 and n % 2 == 1
    a %= n
    result = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


def _mat_mul(x, y, m):
    return (
        ((x[0][0] * y[0][0] + x[0][1] * y[1][0]) % m, (x[0][0] * y[0][1] + x[0][1] * y[1][1]) % m),
        ((x[1][0] * y[0][0] + x[1][1] * y[1][0]) % m, (x[1][0] * y[0][1] + x[1][1] * y[1][1]) % m),
    )


def uv(k, p, q, m):
    """(U_k mod m, V_k mod m), k >= 0, from [[P, -Q], [1, 0]]^k = [[U_{k+1}, .], [U_k, .]]."""
    result = ((1, 0), (0, 1))
    base = ((p % m, -q % m), (1, 0))
    while k:
        if k & 1:
            result = _mat_mul(result, base, m)
        base = _mat_mul(base, base, m)
        k >>= 1
    u_next, u = result[0][0], result[1][0]
    return u % m, (2 * u_next - p * u) % m


def _split(k):
    s = 0
    while k % 2 == 0:
        k //= 2
        s += 1
    return k, s


def _small_n(n):
    """The answer for n < 3 or even n, or None."""
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    return None


def strong_prp(n, a):
    if a < 2:
        raise ValueError("a")
    early = _small_n(n)
    if early is not None:
        return early
    if a % n == 0:
        raise ValueError("a")
    if math.gcd(a, n) > 1:
        return False
    d, s = _split(n - 1)
    if pow(a, d, n) == 1:
        return True
    return any(pow(a, d * 2**r, n) == n - 1 for r in range(s))


def lucas_prp(n, p, q, kind="plain"):
    """kind: "plain", "strong" or "extra" (then q must be 1)."""
    d_ = p * p - 4 * q
    if d_ == 0:
        raise ValueError("D")
    early = _small_n(n)
    if early is not None:
        return early
    if q % n == 0 or d_ % n == 0:
        raise ValueError("q or D")
    if math.gcd(q, n) > 1 or math.gcd(d_, n) > 1:
        return False
    eps = jacobi(d_, n)
    k = n - eps
    if kind == "plain":
        return uv(k, p, q, n)[0] == 0
    d, s = _split(k)
    u_d, v_d = uv(d, p, q, n)
    if kind == "strong":
        return u_d == 0 or any(uv(d * 2**r, p, q, n)[1] == 0 for r in range(s))
    assert kind == "extra" and q == 1
    if u_d == 0 and v_d in (2 % n, (n - 2) % n):
        return True
    return any(uv(d * 2**r, p, q, n)[1] == 0 for r in range(s - 1))


def selfridge_parameters(n):
    """(P, Q) of method A for odd n > 1 that is not a square, or None if the search meets a
    proper factor of n."""
    d = 5
    while True:
        j = jacobi(d, n)
        if j == -1:
            q = (1 - d) // 4
            return None if math.gcd(q, n) > 1 else (1, q)
        if j == 0 and d % n != 0:
            return None
        d = -d - 2 if d > 0 else -d + 2


def selfridge_prp(n, kind="plain"):
    early = _small_n(n)
    if early is not None:
        return early
    if math.isqrt(n) ** 2 == n:
        return False
    params = selfridge_parameters(n)
    if params is None:
        return False
    return lucas_prp(n, params[0], params[1], kind)


def bpsw_prp(n, kind="plain"):
    early = _small_n(n)
    if early is not None:
        return early
    return strong_prp(n, 2) and selfridge_prp(n, kind)


def method_c_p(n):
    """Baillie's method C (OEIS A217719): the first P = 3, 4, ... with ((P*P - 4)/n) = -1;
    None if the search meets a proper factor of n. For odd n > 1 not a square."""
    p = 3
    while True:
        j = jacobi(p * p - 4, n)
        if j == -1:
            return p
        if j == 0 and (p * p - 4) % n != 0:
            return None
        p += 1
