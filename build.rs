//! Build script: interpreter configuration, and the C half of the layout check.

// ANCHOR: build_script
fn main() {
    // `cfg(Py_3_12)` etc. for the interpreter being built for (PYO3_PYTHON, else `python3`).
    pyo3_build_config::use_pyo3_cfgs();
    // `cargo test` builds an executable that embeds libpython. Without an rpath the loader
    // would pick whichever libpython3.11.so it finds first (Debian's, not pyenv's). This is a
    // no-op for the extension itself (PYO3_BUILD_EXTENSION_MODULE=1), which must not link
    // libpython: the interpreter that imports it provides those symbols.
    pyo3_build_config::add_libpython_rpath_link_args();

    // Compile csrc/layout.c against the *target interpreter's own* headers. It records the
    // C sizes and offsets of the structs lucas hands to CPython; src/capi/layout_check.rs compares them
    // with pyo3-ffi's Rust declarations in `cargo test`. Only the tests reference the table,
    // so the extension module itself (PYO3_BUILD_EXTENSION_MODULE, set by setup.py and the
    // wheel builder) skips it: building the module then needs neither Python.h nor an
    // interpreter, which lets one host build wheels for CPython versions it does not have.
    println!("cargo:rerun-if-env-changed=PYO3_BUILD_EXTENSION_MODULE");
    if std::env::var_os("PYO3_BUILD_EXTENSION_MODULE").is_some() {
        return;
    }
    let include = pyo3_build_config::get()
        .run_python_script("import sysconfig; print(sysconfig.get_paths()['include'])")
        .expect("the target interpreter reports its include directory");
    let include = std::path::Path::new(include.trim());
    if !include.join("Python.h").is_file() {
        // Without this check the C compiler would stop at `#include <Python.h>` with a page
        // of output; one line saying what to install is more use.
        fail(&format!(
            "Python.h not found in {}: install the Python development headers for this \
             interpreter (Debian/Ubuntu: apt-get install python3-dev; Fedora: dnf install python3-devel)",
            include.display()
        ));
    }
    let mut c = cc::Build::new();
    // A free-threaded interpreter's pyconfig.h defines Py_GIL_DISABLED itself; a pyo3 config
    // file may ask for that build while only the default build's headers are installed, and
    // the macro then selects the free-threaded structs in the same headers.
    if pyo3_build_config::get().is_free_threaded() {
        c.define("Py_GIL_DISABLED", "1");
    }
    c.file("csrc/layout.c").include(include).warnings(true).extra_warnings(true).compile("lucas_layout");
    println!("cargo:rerun-if-changed=csrc/layout.c");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
// ANCHOR_END: build_script

/// Stops the build with a one-line message (cargo shows a failed build script's stderr).
fn fail(message: &str) -> ! {
    eprintln!("error: lucas: {message}");
    std::process::exit(1);
}
