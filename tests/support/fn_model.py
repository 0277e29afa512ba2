"""Pure-Python reference models of the n-th term functions of ``lucas``.

Two deliberately independent models (valid inputs only):

(a) an *iterative* model: the recurrence U_{k+2} = P U_{k+1} - Q U_k written out
    literally for n >= 0 (exact ints), with the negative-index rules applied on
    top, and ``% mod`` taken at the very end.  O(n): for n up to a few thousand.

(b) a *matrix-power* model for huge n with a modulus: M = [[P, -Q], [1, 0]] and

        M^n = [[U_{n+1}, -Q U_n], [U_n, -Q U_{n-1}]],

    so U_n = (M^n)[1][0], U_{n+1} = (M^n)[0][0] and V_n = 2 U_{n+1} - P U_n.
    Square-and-multiply over the bits of n, everything reduced mod m: O(log n).

Neither model shares code with the other, nor with the extension.
"""

import operator

# ---------------------------------------------------------------------------
# (a) iterative model
# ---------------------------------------------------------------------------


def _uv_nonneg(n, p, q):
    """(U_n, V_n) for n >= 0 by walking the recurrence n times."""
    assert n >= 0
    u0, u1 = 0, 1  # U_0, U_1
    v0, v1 = 2, p  # V_0, V_1
    for _ in range(n):
        u0, u1 = u1, p * u1 - q * u0
        v0, v1 = v1, p * v1 - q * v0
    return u0, v0


def uv_exact(n, p, q):
    """(U_n(P, Q), V_n(P, Q)) as exact ints; negative n only for q = +-1.

    U_{-n} = -U_n / Q^n and V_{-n} = V_n / Q^n; with Q = +-1, dividing by Q^n
    is the same as multiplying by Q^n.
    """
    n, p, q = operator.index(n), operator.index(p), operator.index(q)
    if n >= 0:
        return _uv_nonneg(n, p, q)
    if q not in (1, -1):
        raise ValueError("model: negative n needs q = 1 or q = -1")
    m = -n
    u, v = _uv_nonneg(m, p, q)
    qm = q**m  # +1 or -1
    return -u * qm, v * qm


def _reduce(x, mod):
    if mod is None:
        return x
    mod = operator.index(mod)
    if mod <= 0:
        raise ValueError("model: mod must be positive")
    return x % mod


def uv_mod_negative(n, p, q, mod):
    """(U_n, V_n) mod m for n < 0: U_{-k} = -U_k Q^{-k}, V_{-k} = V_k Q^{-k}, defined when Q
    is invertible modulo m (Python's pow raises ValueError otherwise)."""
    assert n < 0
    u, v = _uv_nonneg(-n, p, q)
    q_inv_k = pow(q, n, mod)
    return (-u * q_inv_k) % mod, (v * q_inv_k) % mod


def model_uv(n, p, q, mod=None):
    n, p, q = operator.index(n), operator.index(p), operator.index(q)
    if n < 0 and mod is not None:
        return uv_mod_negative(n, p, q, operator.index(mod))
    u, v = uv_exact(n, p, q)
    return _reduce(u, mod), _reduce(v, mod)


def model_u(n, p, q, mod=None):
    return model_uv(n, p, q, mod)[0]


def model_v(n, p, q, mod=None):
    return model_uv(n, p, q, mod)[1]


def _fib_nonneg(n):
    a, b = 0, 1  # F_0, F_1
    for _ in range(n):
        a, b = b, a + b
    return a


def _luc_nonneg(n):
    a, b = 2, 1  # L_0, L_1
    for _ in range(n):
        a, b = b, a + b
    return a


def model_fibonacci(n, mod=None):
    """F_n; F_{-n} = (-1)^(n+1) F_n."""
    n = operator.index(n)
    if n >= 0:
        f = _fib_nonneg(n)
    else:
        m = -n
        f = _fib_nonneg(m) * (1 if m % 2 == 1 else -1)
    return _reduce(f, mod)


def model_lucas(n, mod=None):
    """L_n; L_{-n} = (-1)^n L_n."""
    n = operator.index(n)
    if n >= 0:
        v = _luc_nonneg(n)
    else:
        m = -n
        v = _luc_nonneg(m) * (1 if m % 2 == 0 else -1)
    return _reduce(v, mod)


# ---------------------------------------------------------------------------
# (b) matrix-power model (n >= 0, modulus required)
# ---------------------------------------------------------------------------


def _mat_mul(a, b, m):
    (a00, a01), (a10, a11) = a
    (b00, b01), (b10, b11) = b
    return (
        ((a00 * b00 + a01 * b10) % m, (a00 * b01 + a01 * b11) % m),
        ((a10 * b00 + a11 * b10) % m, (a10 * b01 + a11 * b11) % m),
    )


def _mat_pow(mat, n, m):
    result = ((1 % m, 0), (0, 1 % m))  # identity (all zero when m == 1)
    base = mat
    while n:
        if n & 1:
            result = _mat_mul(result, base, m)
        base = _mat_mul(base, base, m)
        n >>= 1
    return result


def matrix_uv(n, p, q, m):
    """(U_n mod m, V_n mod m) for n >= 0 from [[P, -Q], [1, 0]]^n."""
    assert n >= 0 and m >= 1
    mat = ((p % m, -q % m), (1 % m, 0))
    power = _mat_pow(mat, n, m)
    u_next = power[0][0]  # U_{n+1}
    u_n = power[1][0]  # U_n
    v_n = (2 * u_next - p * u_n) % m
    return u_n % m, v_n


def matrix_fibonacci(n, m):
    return matrix_uv(n, 1, -1, m)[0]


def matrix_lucas(n, m):
    return matrix_uv(n, 1, -1, m)[1]


# ---------------------------------------------------------------------------
# (c) exact results for large n, without a modulus
# ---------------------------------------------------------------------------


def fib_pair_doubling(n):
    """(F_n, F_{n+1}) for n >= 0 by the classic fast doubling on (F_k, F_{k+1}) with Python
    ints: F_2k = F_k (2 F_{k+1} - F_k), F_2k+1 = F_k^2 + F_{k+1}^2."""
    a, b = 0, 1
    for bit in bin(n)[2:]:
        a, b = a * (2 * b - a), a * a + b * b
        if bit == "1":
            a, b = b, a + b
    return a, b


# (p, q) whose characteristic roots all have |root| <= 1: |U_n| <= n and |V_n| <= 2, so the
# result's size follows log n, not n (a huge n is then cheap for the model too).
SLOW_GROWTH = {(0, 0), (1, 0), (-1, 0), (0, 1), (1, 1), (-1, 1), (2, 1), (-2, 1), (0, -1)}


def uv_exact_by_matrix(n, p, q):
    """(U_n, V_n) for n >= 0 as exact ints from the matrix model, taken modulo a power of two
    beyond the result's size and read back as signed values."""
    if (p, q) in SLOW_GROWTH:
        bound = n.bit_length() + 8
    else:
        bound = (n + 2) * (max(abs(p), abs(q), 2).bit_length() + 2) + 8
    m = 1 << bound
    half = m >> 1
    return tuple(x - m if x >= half else x for x in matrix_uv(n, p, q, m))


# ---------------------------------------------------------------------------
# (d) any n, with or without a modulus, in O(log n) steps (for the fuzzer's huge n)
# ---------------------------------------------------------------------------


def uv_any(n, p, q, mod=None):
    """(U_n, V_n), reduced mod ``mod`` if given, for any n the functions accept: the matrix
    model (b)/(c) for |n|, then U_{-n} = -U_n Q^{-n}, V_{-n} = V_n Q^{-n}, with Q^{-n} the
    inverse power of Q modulo mod (ValueError from pow when Q has none) or +-1 without."""
    if n >= 0:
        return matrix_uv(n, p, q, mod) if mod is not None else uv_exact_by_matrix(n, p, q)
    if mod is not None:
        u, v = matrix_uv(-n, p, q, mod)
        q_inv_k = pow(q, n, mod)
        return (-u * q_inv_k) % mod, (v * q_inv_k) % mod
    if q not in (1, -1):
        raise ValueError("model: negative n needs q = 1 or q = -1")
    u, v = uv_exact_by_matrix(-n, p, q)
    sign = q ** (-n)
    return -u * sign, v * sign
