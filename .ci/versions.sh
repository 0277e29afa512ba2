#!/usr/bin/env bash
# Runs the whole test suite (make test: lint, cargo test, pytest with valgrind and the
# debug-interpreter refleak check) on Debian's own CPython builds, one minimal chroot per
# Debian suite; then installs the version's wheel from dist/ (`make wheels`, on the host)
# into a fresh venv there, without cargo on PATH, and runs the suite against it
# (.ci/wheels.py test). Prints a table version -> make test -> wheel -> tests.
#
#   .ci/versions.sh [3.13] [3.14] [3.15] [3.12] [3.14t]    (default: all of them)
#
# Needs root on a Debian machine (debootstrap, chroot, mount). The chroots are cached in
# $LUCAS_VERSIONS_CACHE (default /var/cache/lucas-versions), outside the tree; the first run
# builds them (a few minutes each), later runs reuse them. What runs in a chroot is a clean
# `git clone` of the committed HEAD: uncommitted changes are not tested.
#
# Versions no Debian suite packages are checked less, and the table says so:
#   3.12   `cargo check --all-targets` with a pyo3 config file for CPython 3.12 (no 3.12
#          interpreter, headers or library is installable here: compile check only);
#   3.14t  the free-threaded build (PEP 703): `cargo check --all-targets` and the release
#          build of the extension with a pyo3 config that sets Py_GIL_DISABLED, which also
#          compiles csrc/layout.c with -DPy_GIL_DISABLED=1 against the 3.14 headers of the
#          sid chroot. Nothing is run: Debian ships no free-threaded interpreter.
# Their wheels are built all the same; the table says they are untested.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${LUCAS_VERSIONS_CACHE:-/var/cache/lucas-versions}
# The host's own Debian mirror (apt may reach Debian only through it).
MIRROR=${LUCAS_DEBIAN_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' |
    grep -oE 'https?://[^ ]+' | head -n1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
VERSIONS=("$@")
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(3.13 3.14 3.15 3.12 3.14t)

suite_of() {
    case "$1" in
        3.13) echo trixie ;;
        3.14 | 3.14t | 3.15) echo sid ;;
        *) echo "" ;;
    esac
}

[ "$(id -u)" = 0 ] || { echo ".ci/versions.sh: run as root (debootstrap, chroot, mount)" >&2; exit 2; }
for tool in debootstrap chroot mount git rustc; do
    command -v "$tool" >/dev/null || { echo ".ci/versions.sh: $tool is missing (apt-get install debootstrap)" >&2; exit 2; }
done
mkdir -p "$CACHE/logs"
SYSROOT=$(rustc --print sysroot)

# Every mount this script makes, undone on any exit (success, failure, Ctrl-C).
MOUNTS=()
cleanup() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
    done
    MOUNTS=()
}
# A command in the chroot runs in the background, in a process group of its own, so that a
# signal reaches the trap at once (bash defers traps while it waits for a foreground child)
# and the trap can stop the command with everything it started.
CHILD=""
trap cleanup EXIT
trap '[ -z "$CHILD" ] || kill -- "-$CHILD" 2>/dev/null; exit 130' INT TERM

bind() { # bind SRC DEST [ro]
    mkdir -p "$2"
    mount --bind "$1" "$2"
    MOUNTS+=("$2")
    if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

in_chroot() { # in_chroot SUITE COMMAND...
    local dir=$CACHE/$1
    shift
    local ca=/etc/ssl/certs/ca-certificates.crt status=0
    # The host's trust store: behind a TLS-inspecting proxy only it trusts the proxy's CA.
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        mkdir -p "$dir/etc/lucas"
        cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/lucas/host-ca.crt"
        ca=/etc/lucas/host-ca.crt
    fi
    # --default-signal: a background job starts with SIGINT ignored; the suite's Ctrl-C tests
    # want the disposition a terminal gives.
    setsid chroot "$dir" /usr/bin/env --default-signal=INT,QUIT -i HOME=/root LANG=C.UTF-8 \
        PATH=/opt/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        CARGO_HOME=/var/cache/cargo-home DEBIAN_FRONTEND=noninteractive CI=true \
        SSL_CERT_FILE=$ca PIP_CERT=$ca REQUESTS_CA_BUNDLE=$ca CARGO_HTTP_CAINFO=$ca GIT_SSL_CAINFO=$ca \
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$@" &
    CHILD=$!
    wait "$CHILD" || status=$?
    CHILD=""
    return "$status"
}

# A minimal chroot for SUITE with the given packages (installed once, then cached).
ensure_chroot() { # ensure_chroot SUITE PACKAGE...
    local suite=$1 dir=$CACHE/$1
    shift
    if [ ! -e "$dir/.lucas-bootstrapped" ]; then
        echo "== debootstrap $suite from $MIRROR (once; cached in $dir)"
        rm -rf "$dir.tmp"
        debootstrap --variant=minbase "$suite" "$dir.tmp" "$MIRROR" >"$CACHE/logs/debootstrap-$suite.log" 2>&1 ||
            { echo "debootstrap $suite failed: see $CACHE/logs/debootstrap-$suite.log" >&2; return 1; }
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
        touch "$dir/.lucas-bootstrapped"
    fi
    cp /etc/resolv.conf "$dir/etc/resolv.conf"
    local missing=()
    for p in "$@"; do
        in_chroot "$suite" dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== $suite: apt-get install ${missing[*]}"
        # sid's Release file may be past its Valid-Until date.
        in_chroot "$suite" apt-get -qq -o Acquire::Check-Valid-Until=false update
        in_chroot "$suite" apt-get -y -qq -o Acquire::Check-Valid-Until=false \
            install --no-install-recommends "${missing[@]}" >"$CACHE/logs/apt-$suite.log" 2>&1 ||
            { echo "apt-get install in $suite failed: see $CACHE/logs/apt-$suite.log" >&2; return 1; }
    fi
}

# /proc, /dev and the host's Rust toolchain (read-only) inside the chroot.
mount_chroot() { # mount_chroot SUITE
    local dir=$CACHE/$1
    bind /proc "$dir/proc"
    bind /dev "$dir/dev"
    bind /dev/pts "$dir/dev/pts"
    bind "$SYSROOT" "$dir/opt/rust" ro
    mkdir -p "$dir/var/cache/cargo-home"
    # The crates the host already downloaded seed the chroot's own (writable) cargo cache.
    if [ -d "${CARGO_HOME:-$HOME/.cargo}/registry" ] && [ ! -d "$dir/var/cache/cargo-home/registry" ]; then
        cp -a "${CARGO_HOME:-$HOME/.cargo}/registry" "$dir/var/cache/cargo-home/"
    fi
}

# A clean clone of HEAD at /build/TAG in the chroot (one per version, so that two runs can
# share a suite); target/ is a per-version cache.
copy_tree() { # copy_tree SUITE TAG
    local dir=$CACHE/$1
    rm -rf "${dir:?}/build/$2"
    mkdir -p "$dir/build" "$dir/var/cache/lucas-target/$2"
    git clone --quiet --no-checkout "$ROOT" "$dir/build/$2"
    git -C "$dir/build/$2" checkout --quiet --detach "$(git -C "$ROOT" rev-parse HEAD)"
    ln -s "/var/cache/lucas-target/$2" "$dir/build/$2/target"
}

# A pyo3 build-config file (PYO3_CONFIG_FILE) for an interpreter that is not installed.
pyo3_config() { # pyo3_config VERSION BUILD_FLAGS EXECUTABLE
    cat <<CONF
implementation=CPython
version=$1
shared=true
lib_name=python$1
build_flags=$2
pointer_width=64
executable=$3
suppress_build_script_link_lines=false
CONF
}

# The version's wheel from the host's dist/, installed into a fresh venv in the chroot and
# tested there (.ci/wheels.py test); its one-line result is copied back to build/wheel-tests.
test_wheel() { # test_wheel SUITE VERSION PYTHON LOG: sets WHEEL_RESULT
    local suite=$1 v=$2 py=$3 log=$4 tag wheel
    tag=cp${v//./}
    wheel=$(find "$ROOT/dist" -maxdepth 1 -name "*-$tag-$tag-*.whl" 2>/dev/null | sort | tail -n1 || true)
    [ -n "$wheel" ] || { WHEEL_RESULT="FAILED: no $tag wheel in dist/ (make wheels)"; return; }
    mkdir -p "$CACHE/$suite/build/$v/dist" "$ROOT/build/wheel-tests"
    cp "$wheel" "$CACHE/$suite/build/$v/dist/"
    local start=$SECONDS
    in_chroot "$suite" sh -c "cd /build/$v && $py .ci/wheels.py test $py" >>"$log" 2>&1 || true
    local got=$CACHE/$suite/build/$v/build/wheel-tests/$v.txt
    if [ -f "$got" ]; then
        cp "$got" "$ROOT/build/wheel-tests/$v.txt"
        WHEEL_RESULT="$(sed -n 2p "$got") ($(((SECONDS - start) / 60)) min)"
    else
        WHEEL_RESULT="FAILED: installed-wheel test did not run (see $log)"
    fi
}

run_version() { # run_version VERSION LOG: sets RESULT, and WHEEL_RESULT where a wheel is tested
    local v=$1 log=$2 suite
    suite=$(suite_of "$v")
    case "$v" in
        3.12)
            # Compile check on the host: the config names 3.12; the headers csrc/layout.c
            # is compiled against are the host interpreter's (no 3.12 headers here).
            local cfg=$CACHE/pyo3-3.12.cfg
            pyo3_config 3.12 "" "$(command -v python3)" >"$cfg"
            if (cd "$ROOT" && CARGO_TARGET_DIR=$CACHE/target-3.12 PYO3_CONFIG_FILE=$cfg \
                cargo clippy --all-targets --quiet -- -D warnings) >"$log" 2>&1; then
                RESULT="compile check passed (cargo clippy, no 3.12 interpreter)"
            else
                RESULT="FAILED compile check (see $log)"
            fi
            return
            ;;
    esac
    [ -n "$suite" ] || { RESULT="unknown version"; return; }
    ensure_chroot "$suite" build-essential ca-certificates make git valgrind python3-setuptools >>"$log" 2>&1 ||
        { RESULT="FAILED: chroot $suite (see $log)"; return; }
    local py=python${v%t}
    if [ "$v" != "${v%t}" ]; then
        # Free-threaded: compile only, against the 3.14 headers of the chroot.
        ensure_chroot "$suite" "$py-dev" >>"$log" 2>&1 || { RESULT="FAILED: $py-dev (see $log)"; return; }
        mount_chroot "$suite" >>"$log" 2>&1
        copy_tree "$suite" "$v" >>"$log" 2>&1
        pyo3_config "${v%t}" Py_GIL_DISABLED "/usr/bin/$py" >"$CACHE/$suite/build/pyo3-$v.cfg"
        if in_chroot "$suite" sh -c "cd /build/$v && export PYO3_CONFIG_FILE=/build/pyo3-$v.cfg &&
                cargo clippy --all-targets --quiet -- -D warnings &&
                PYO3_BUILD_EXTENSION_MODULE=1 cargo build --release --lib --quiet" >>"$log" 2>&1; then
            RESULT="compile check passed (clippy + release build, layout.c with Py_GIL_DISABLED; not run: no 3.14t interpreter)"
        else
            RESULT="FAILED compile check (see $log)"
        fi
        cleanup
        return
    fi
    if ! in_chroot "$suite" sh -c "apt-cache show $py-dev >/dev/null 2>&1"; then
        in_chroot "$suite" apt-get -qq -o Acquire::Check-Valid-Until=false update >>"$log" 2>&1 || true
        in_chroot "$suite" sh -c "apt-cache show $py-dev >/dev/null 2>&1" ||
            { RESULT="not packaged in Debian $suite: not tested"; return; }
    fi
    ensure_chroot "$suite" "$py-dev" "$py-venv" "$py-dbg" >>"$log" 2>&1 ||
        { RESULT="FAILED: installing $py (see $log)"; return; }
    mount_chroot "$suite" >>"$log" 2>&1
    copy_tree "$suite" "$v" >>"$log" 2>&1
    local start=$SECONDS
    if in_chroot "$suite" make -C "/build/$v" test PYTHON="$py" >>"$log" 2>&1; then
        RESULT="passed: make test ($(((SECONDS - start) / 60)) min; $(grep -oE '[0-9]+ passed[^=]*' "$log" | tail -n1))"
    else
        RESULT="FAILED: make test (see $log)"
    fi
    test_wheel "$suite" "$v" "$py" "$log"
    cleanup
}

results=()
for v in "${VERSIONS[@]}"; do
    log=$CACHE/logs/$v.log
    : >"$log"
    echo "== $v: running (log: $log)"
    RESULT=""
    WHEEL_RESULT="untested: no interpreter (the wheel is built all the same, see below)"
    run_version "$v" "$log"
    echo "   $v: $RESULT"
    echo "   $v wheel: $WHEEL_RESULT"
    results+=("$v|$RESULT|$WHEEL_RESULT")
done

echo
echo "| CPython | Debian suite | make test | installed wheel |"
echo "|---|---|---|---|"
status=0
for r in "${results[@]}"; do
    IFS='|' read -r v res wres <<<"$r"
    suite=$(suite_of "$v")
    echo "| $v | ${suite:-host (compile only)} | $res | $wres |"
    case "$res$wres" in *FAILED*) status=1 ;; esac
done
# Every wheel in dist/, with the test results recorded so far (this run's and the host's).
echo
python3 "$ROOT/.ci/wheels.py" table
exit $status
