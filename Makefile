# lucas: a newcomer needs `make demo` (build + demo), `make check` (the fast checks, about
# a minute) and `make test` (the suite CI runs on the host, 6-15 minutes); `make wheels` and
# `make wheel-test` build and test the wheels. README.md says what each needs.
# Prerequisites: cargo (Rust toolchain with rustfmt and clippy) and python3 with venv; the
# full `make test` also uses valgrind and python3.X-dbg of the same version (skipped with a
# reason without them).

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
# One stamp per requirements file: `make demo` installs only the build dependencies.
BUILD_STAMP := $(VENV)/.installed-build
STAMP       := $(VENV)/.installed
DIST_STAMP  := $(VENV)/.installed-dist
WHEEL_STAMP := $(VENV)/.installed-wheels
# Build and test against the venv's interpreter (pyo3 reads PYO3_PYTHON).
export PYO3_PYTHON := $(abspath $(VPY))

# Debian's debug build of the same CPython version (python3.13-dbg for python3.13...): the
# refleak check measures the version under test.
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
DBG_PYTHON ?= python$(PY_VERSION)-dbg
export LUCAS_DEBUG_PYTHON := $(DBG_PYTHON)

.PHONY: all build demo test check lint cargo-test cargo-test-debug pytest pytest-fast valgrind refleak fuzz bench bench-quick bench-baseline sdist wheel wheels wheel-test clean versions docs docs-tools

all: build

$(BUILD_STAMP): requirements-build.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-build.txt
	touch $@

$(STAMP): $(BUILD_STAMP) requirements-test.txt
	$(VPY) -m pip install --quiet -r requirements-test.txt
	touch $@

$(DIST_STAMP): $(BUILD_STAMP) requirements-dist.txt
	$(VPY) -m pip install --quiet -r requirements-dist.txt
	touch $@

$(WHEEL_STAMP): $(BUILD_STAMP) requirements-wheels.txt
	$(VPY) -m pip install --quiet -r requirements-wheels.txt
	touch $@

# Build the extension in place (lucas.cpython-*.so next to setup.py).
build: $(BUILD_STAMP)
	$(VPY) setup.py --quiet build_ext --inplace

demo: build
	PYTHONPATH=$(CURDIR) $(VPY) examples/demo.py

# Warnings are errors here ([workspace.lints] in Cargo.toml), while a user's build through
# setup.py caps them to warnings (--cap-lints=warn there).
lint: $(STAMP)
	cargo fmt --check
	cargo clippy --all-targets --all-features --quiet
	cargo doc --no-deps --document-private-items --quiet
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/ruff format --check --quiet .

cargo-test: $(BUILD_STAMP)
	cargo test --quiet

# The Rust tests again against Debian's debug interpreter: the layout check then compares
# pyo3-ffi with the debug-ABI headers (python3.Xd) the refleak build uses. Skipped with a reason where
# that interpreter is missing, except under CI.
cargo-test-debug:
	@if command -v $(DBG_PYTHON) >/dev/null; then \
	    echo "cargo test against $(DBG_PYTHON)"; \
	    CARGO_TARGET_DIR=target/debug-interpreter PYO3_PYTHON=$$(command -v $(DBG_PYTHON)) cargo test --quiet; \
	elif [ -n "$$CI" ] && [ "$$CI" != "false" ] && [ "$$CI" != "0" ]; then \
	    echo "CI: $(DBG_PYTHON) is missing" >&2; exit 1; \
	else \
	    echo "skipped cargo-test-debug: $(DBG_PYTHON) not installed (apt-get install $(DBG_PYTHON))"; \
	fi

pytest: build $(STAMP)
	$(VPY) -m pytest tests

# pytest without the tests marked slow (valgrind, refleak, fuzzer, sdist install).
pytest-fast: build $(STAMP)
	$(VPY) -m pytest tests -m "not slow"

# The whole suite, what CI runs (.ci/run). pytest includes the valgrind, debug-interpreter
# refleak, fuzz and sdist checks (tests/test_memcheck.py, tests/test_fuzz.py,
# tests/test_sdist.py); where valgrind or $(DBG_PYTHON) is missing they are skipped with a
# reason, except under CI=true, where a missing tool fails.
test: lint cargo-test cargo-test-debug pytest

# The fast part, for every edit: lint, cargo test, pytest -m "not slow".
check: lint cargo-test pytest-fast

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

# Exploration: a random seed for a minute (the test runs a fixed seed and count).
fuzz: build $(STAMP)
	$(VPY) tests/fuzz_api.py --seconds 60

# Speed against floors measured in the same run; writes bench/RESULTS.md.
bench: build
	$(VPY) -m pip install --quiet gmpy2 sympy || echo "gmpy2 or sympy not installable: their reference rows are left out"
	$(VPY) bench/bench.py

bench-quick: build
	$(VPY) bench/bench.py --quick --no-write

# The tree against another commit in one run: REF's files (git archive) built into
# build/baseline/<commit>/lib, then every case timed on both builds loaded in one process,
# interleaved (bench.py --baseline: ratios new/baseline, nothing written). REF defaults to
# main; BENCH_ARGS passes bench.py options, e.g.
#   make bench-baseline REF=cba7f39 BENCH_ARGS="--cases a --rounds 7"
REF ?= main
BASELINE_DIR = build/baseline/$(shell git rev-parse --short --verify --quiet '$(REF)^{commit}')
bench-baseline: build
	@git rev-parse --verify --quiet '$(REF)^{commit}' >/dev/null || { echo "REF=$(REF) is not a commit" >&2; exit 1; }
	@# An empty [workspace] table makes the extracted package its own workspace root (cargo
	@# would otherwise take this tree's Cargo.toml, a directory up, for its workspace).
	@if [ ! -d $(BASELINE_DIR)/src ]; then \
	    rm -rf $(BASELINE_DIR)/src.tmp && mkdir -p $(BASELINE_DIR)/src.tmp && \
	    git archive '$(REF)' | tar -x -C $(BASELINE_DIR)/src.tmp && \
	    { grep -q '^\[workspace\]' $(BASELINE_DIR)/src.tmp/Cargo.toml || printf '\n[workspace]\n' >> $(BASELINE_DIR)/src.tmp/Cargo.toml; } && \
	    mv $(BASELINE_DIR)/src.tmp $(BASELINE_DIR)/src; \
	fi
	cd $(BASELINE_DIR)/src && nice $(abspath $(VPY)) setup.py --quiet build_ext --build-lib ../lib
	$(VPY) bench/bench.py --baseline $(BASELINE_DIR)/lib $(BENCH_ARGS)

# The book's tools, built from crates.io into target/docs-tools by cargo (versions pinned here,
# so every clone renders the same HTML): mdBook, and mdbook-mermaid, the preprocessor that turns
# the ```mermaid blocks into diagrams. Both are MPL-2.0 and only run at `make docs`; mdBook is
# built without its live-reload server (`serve`, `watch`), which the docs do not use.
MDBOOK_VERSION         := 0.5.4
MDBOOK_MERMAID_VERSION := 0.17.1
DOCS_TOOLS := target/docs-tools
MDBOOK     := $(DOCS_TOOLS)/bin/mdbook
MDBOOK_MERMAID := $(DOCS_TOOLS)/bin/mdbook-mermaid

$(MDBOOK):
	cargo install --quiet --locked --root $(DOCS_TOOLS) --version $(MDBOOK_VERSION) \
	    --no-default-features --features search mdbook

$(MDBOOK_MERMAID):
	cargo install --quiet --locked --root $(DOCS_TOOLS) --version $(MDBOOK_MERMAID_VERSION) mdbook-mermaid

docs-tools: $(MDBOOK) $(MDBOOK_MERMAID)

# The book (Part I, the extension; Part II, the algorithms; the API reference) as HTML in
# target/book/index.html, then the checks that every excerpt equals its source region and
# every Python example runs (tests/test_docs.py). `mdbook-mermaid install` copies mermaid's
# script beside book.toml (docs/mermaid*.js, not tracked), where the HTML picks it up.
docs: build $(STAMP) docs-tools
	PATH="$(abspath $(DOCS_TOOLS))/bin:$$PATH" $(MDBOOK_MERMAID) install docs
	PATH="$(abspath $(DOCS_TOOLS))/bin:$$PATH" $(MDBOOK) build docs
	$(VPY) tests/excerpts.py
	$(VPY) -m pytest tests/test_docs.py -q

# The source distribution (dist/lucas_recurrences-*.tar.gz): everything the build, the
# Makefile and the whole test suite need (MANIFEST.in; tests/test_sdist.py checks it).
sdist: $(DIST_STAMP)
	$(VPY) -m build --sdist --outdir dist

# Wheels (dist/*.whl), one per supported CPython, tagged manylinux_2_17_x86_64: cargo-zigbuild
# links against glibc 2.17's symbol versions, the module is stripped, and each wheel is
# checked by its GLIBC needs and `auditwheel show` (.ci/wheels.py; README, "Install").
# No interpreter of the target versions is needed: they build from written pyo3 configs.
wheels: $(WHEEL_STAMP)
	$(VPY) .ci/wheels.py build
	$(VPY) .ci/wheels.py table

# The wheel for $(PYTHON)'s version only.
wheel: $(WHEEL_STAMP)
	$(VPY) .ci/wheels.py build --python $(PYTHON)

# That wheel installed into a fresh venv of $(PYTHON), without cargo on PATH, and the suite
# run against the installed module (the source-tree checks skip, saying so); then the table
# version -> wheel -> tests. `make versions` does the same in each Debian chroot.
wheel-test: wheel
	$(VPY) .ci/wheels.py test $(PYTHON)
	$(VPY) .ci/wheels.py table

clean:
	cargo clean
	rm -rf $(VENV) build dist *.egg-info lucas.*.so .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The suite on every CPython Debian packages (3.13 from trixie, 3.14 and 3.15 from sid), each
# in a cached minimal chroot, and there the version's wheel installed and tested; compile
# checks for 3.12 and free-threaded 3.14t. Root only; VERSIONS="3.13" picks some. See README,
# "Supported Python versions".
versions: wheels
	.ci/versions.sh $(VERSIONS)
