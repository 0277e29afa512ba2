"""A short tour of lucas's probable-prime tests (installed with the module).

    is_strong_prp(n, a)                Miller-Rabin to base a
    is_lucas_prp(n, p, q)              U_{n-(D/n)}(P, Q) == 0 (mod n), D = P*P - 4Q
    is_strong_lucas_prp(n, p, q)       the strong version (Baillie and Wagstaff 1980)
    is_extra_strong_lucas_prp(n, p)    Q = 1 (Grantham 2001)
    is_selfridge_prp(n)                Lucas test with Selfridge's parameters (method A)
    is_strong_selfridge_prp(n)
    is_bpsw_prp(n)                     strong base 2 + Selfridge: Baillie-PSW
    is_strong_bpsw_prp(n)              strong base 2 + strong Selfridge

The names and argument order are gmpy2's. A Miller-Rabin test and a Lucas test fail on
very different composites; no composite passing both is known, and none exists below
2**64. Run this file as a script.
"""

import math
import os
import sys

try:
    import lucas
except ImportError:  # running from a source checkout: the module is built in the repo root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import lucas


def is_composite(n):
    """Trial division: slow but obviously right, for the small numbers below."""
    return n > 3 and any(n % k == 0 for k in range(2, math.isqrt(n) + 1))


def main():
    limit = 30000
    spsp = [n for n in range(3, limit, 2) if lucas.is_strong_prp(n, 2) and is_composite(n)]
    slpsp = [n for n in range(3, limit, 2) if lucas.is_strong_selfridge_prp(n) and is_composite(n)]
    print(f"Strong pseudoprimes to base 2 below {limit}:  {', '.join(map(str, spsp))}")
    print(f"Strong Lucas pseudoprimes below {limit}:      {', '.join(map(str, slpsp))}")
    print(f"  in both lists: {sorted(set(spsp) & set(slpsp)) or 'none'}")

    n = 3215031751  # = 151 * 751 * 28351
    print(
        f"\n{n} = 151 * 751 * 28351 passes Miller-Rabin to bases 2, 3, 5, 7: "
        f"{all(lucas.is_strong_prp(n, a) for a in (2, 3, 5, 7))}; "
        f"Baillie-PSW: {lucas.is_bpsw_prp(n)}"
    )

    print("\nBaillie-PSW on larger numbers (machine words below 2**64, many words above):")
    examples = [
        ("2**61 - 1", 2**61 - 1),
        ("2**64 - 59", 2**64 - 59),
        ("2**64 + 1", 2**64 + 1),
        ("2**67 - 1", 2**67 - 1),  # Cole, 1903: 193707721 * 761838257287
        ("2**127 - 1", 2**127 - 1),
        ("(2**31 - 1) * (2**61 - 1)", (2**31 - 1) * (2**61 - 1)),
        ("2**521 - 1", 2**521 - 1),
        ("2**523 - 1", 2**523 - 1),
        ("2**2203 - 1", 2**2203 - 1),
        ("(2**127 - 1)**2", (2**127 - 1) ** 2),
    ]
    for name, n in examples:
        verdict = "probable prime" if lucas.is_strong_bpsw_prp(n) else "composite"
        print(f"  {name:<28} {verdict}")

    print("\nWhere gmpy2 answers, lucas follows the definitions instead:")
    for call in ("lucas.is_lucas_prp(15, 1, -56)", "lucas.is_extra_strong_lucas_prp(21, 5)"):
        try:
            result = eval(call)
        except ValueError as e:
            result = f"ValueError: {e}"
        print(f"  {call:<40} {result}")


if __name__ == "__main__":
    main()
