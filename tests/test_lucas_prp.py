"""Tests of examples/lucas_prp.py, the demo of the installed probable-prime tests.

The functions themselves are tested in tests/test_prp.py; here the demo must run and say
what the models say.
"""

import os
import re
import subprocess
import sys

from conftest import module_path
from support import prp_model as model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "lucas_prp.py")


def _run():
    out = subprocess.run(
        [sys.executable, EXAMPLE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(module_path())),
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _composite(n):
    return n > 3 and any(n % k == 0 for k in range(2, int(n**0.5) + 1))


def test_demo_lists_match_the_models():
    out = _run()
    lines = {line.split(" below ")[0]: line.split(":", 1)[1] for line in out.splitlines() if " below " in line}
    spsp = [int(x) for x in lines["Strong pseudoprimes to base 2"].split(",")]
    slpsp = [int(x) for x in lines["Strong Lucas pseudoprimes"].split(",")]
    assert spsp == [n for n in range(3, 30000, 2) if _composite(n) and model.strong_prp(n, 2)]
    assert slpsp == [n for n in range(3, 30000, 2) if _composite(n) and model.selfridge_prp(n, "strong")]
    assert "in both lists: none" in out


def test_demo_verdicts_match_the_models():
    out = _run()
    verdicts = dict(re.findall(r"^  (\S.*?)\s{2,}(probable prime|composite)$", out, re.M))
    assert len(verdicts) == 10
    for expr, verdict in verdicts.items():
        n = eval(expr, {})  # the demo's own arithmetic expressions, e.g. "2**61 - 1"
        if n.bit_length() <= 600:
            assert (verdict == "probable prime") == model.bpsw_prp(n, "strong"), expr
    assert verdicts["2**2203 - 1"] == "probable prime"  # a Mersenne prime (Robinson, 1952)
    assert "3215031751 = 151 * 751 * 28351" in out and "Baillie-PSW: False" in out
    assert out.count("ValueError") == 2
