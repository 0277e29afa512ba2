# lucas: the two commands a newcomer needs are `make demo` and `make test`.
# Prerequisites: cargo (Rust toolchain with rustfmt and clippy) and python3 with venv.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Build and test against the venv's interpreter (pyo3 reads PYO3_PYTHON).
export PYO3_PYTHON := $(abspath $(VPY))

CLIPPY_LINTS := -D warnings -D clippy::undocumented_unsafe_blocks -D clippy::missing_safety_doc

DBG_PYTHON ?= python3.11-dbg

.PHONY: all build demo test lint cargo-test cargo-test-debug pytest valgrind refleak fuzz bench bench-quick clean

all: build

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Build the extension in place (lucas.cpython-*.so next to setup.py).
build: $(STAMP)
	$(VPY) setup.py --quiet build_ext --inplace

demo: build
	PYTHONPATH=$(CURDIR) $(VPY) examples/demo.py

lint: $(STAMP)
	cargo fmt --check
	cargo clippy --all-targets --all-features --quiet -- $(CLIPPY_LINTS)

cargo-test: $(STAMP)
	cargo test --quiet

# The Rust tests again against Debian's debug interpreter: the layout check then compares
# pyo3-ffi with the python3.11d headers the refleak build uses. Skipped with a reason where
# that interpreter is missing, except under CI.
cargo-test-debug:
	@if command -v $(DBG_PYTHON) >/dev/null; then \
	    echo "cargo test against $(DBG_PYTHON)"; \
	    CARGO_TARGET_DIR=target/debug-interpreter PYO3_PYTHON=$$(command -v $(DBG_PYTHON)) cargo test --quiet; \
	elif [ -n "$$CI" ] && [ "$$CI" != "false" ] && [ "$$CI" != "0" ]; then \
	    echo "CI: $(DBG_PYTHON) is missing" >&2; exit 1; \
	else \
	    echo "skipped cargo-test-debug: $(DBG_PYTHON) not installed (apt-get install python3.11-dbg)"; \
	fi

pytest: build
	$(VPY) -m pytest tests

# The whole suite. pytest includes the valgrind, debug-interpreter refleak and fuzz checks
# (tests/test_memcheck.py, tests/test_fuzz.py); where valgrind or python3.11-dbg is missing
# they are skipped with a reason, except under CI=true, where a missing tool fails.
test: lint cargo-test cargo-test-debug pytest

# The same checks on their own, with their figures printed.
valgrind: build
	LUCAS_CARGO_FEATURES=selftest $(VPY) setup.py --quiet build_ext --build-lib build/selftest
	$(VPY) tests/memcheck/valgrind_check.py --module-dir $(CURDIR)
	$(VPY) tests/memcheck/valgrind_check.py --module-dir build/selftest --expect-leak

refleak:
	$(DBG_PYTHON) setup.py --quiet build_ext --build-lib build/debug
	LUCAS_CARGO_FEATURES=selftest $(DBG_PYTHON) setup.py --quiet build_ext --build-lib build/debug-selftest
	$(DBG_PYTHON) tests/memcheck/refleak.py --module-dir build/debug
	$(DBG_PYTHON) tests/memcheck/refleak.py --module-dir build/debug-selftest --expect-leak

fuzz: build
	$(VPY) tests/fuzz_api.py --seconds 60

# Speed against floors measured in the same run; writes bench/RESULTS.md.
bench: build
	$(VPY) -m pip install --quiet gmpy2 sympy || echo "gmpy2 or sympy not installable: their reference rows are left out"
	$(VPY) bench/bench.py

bench-quick: build
	$(VPY) bench/bench.py --quick --no-write

clean:
	cargo clean
	rm -rf $(VENV) build dist *.egg-info lucas.*.so .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
