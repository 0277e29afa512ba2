"""A tour of lucas.LucasIter: classic sequences, a modular one, and the i64 -> big int crossing."""

from itertools import islice

import lucas
from lucas import LucasIter


def row(name, it, n=12):
    print(f"{name:<22}", " ".join(str(x) for x in islice(it, n)))


print(f"lucas {lucas.__version__}\n")
print("x_{n+k} = c_0*x_n + ... + c_{k-1}*x_{n+k-1}  (c_0 pairs with the oldest value)\n")
row("Fibonacci", LucasIter([1, 1], [0, 1]))
row("Lucas numbers", LucasIter([1, 1], [2, 1]))
row("Pell", LucasIter([1, 2], [0, 1]))
row("Tribonacci", LucasIter([1, 1, 1], [0, 0, 1]))
row("U(3, 2) = 2^n - 1", LucasIter([-2, 3], [0, 1]))
row("Fibonacci mod 7", LucasIter([1, 1], [0, 1], mod=7), 20)

print("\nThe i64 fast path hands over to Python ints without losing a digit:")
fib = LucasIter([1, 1], [0, 1])
for n, value in enumerate(islice(fib, 96)):
    if n >= 90:
        note = "fits in i64" if value < 2**63 else "beyond i64: exact Python int"
        print(f"  F_{n} = {value:>22}  ({note})")

print("\nSingle terms in O(log n) steps:")
print(f"  fibonacci(100)                    = {lucas.fibonacci(100)}")
print(f"  lucas(-7)                         = {lucas.lucas(-7)}")
print(f"  lucas_uv(10, 3, 2)                = {lucas.lucas_uv(10, 3, 2)}   # (2^10 - 1, 2^10 + 1)")
print(f"  fibonacci(10**30, mod=10**9 + 7)  = {lucas.fibonacci(10**30, mod=10**9 + 7)}")
print(f"  fibonacci(10**6) has {lucas.fibonacci(10**6).bit_length()} bits")
