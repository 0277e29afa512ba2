"""The wheel builder (.ci/wheels.py, `make wheels`) agrees with setup.py, and writes wheels
that pip's format rules accept: checked here on a stand-in module, without cargo or zig.
The real wheels are checked where they are installed (tests/test_installed_wheel.py)."""

import ast
import base64
import hashlib
import importlib.util
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.source_tree


@pytest.fixture(scope="module")
def wheels():
    spec = importlib.util.spec_from_file_location("ci_wheels", ROOT / ".ci" / "wheels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup_py_constant(name):
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"setup.py has no {name}")


def test_a_wheel_for_every_version_setup_py_declares(wheels):
    declared = setup_py_constant("PYTHON_VERSIONS")
    assert [v for v in wheels.VERSIONS if not v.endswith("t")] == declared
    assert wheels.VERSIONS["3.14t"] == "Py_GIL_DISABLED"


def test_the_wheels_are_compiled_with_the_flags_of_the_source_build(wheels):
    assert wheels.RUSTFLAGS in (ROOT / "setup.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("version, tag", [("3.11", "cp311"), ("3.14t", "cp314t"), ("3.15", "cp315")])
def test_tags(wheels, version, tag):
    assert wheels.tag_of(version) == tag
    config = dict(line.split("=", 1) for line in wheels.pyo3_config(version).splitlines())
    assert config["version"] == version.rstrip("t")
    assert config["build_flags"] == ("Py_GIL_DISABLED" if version.endswith("t") else "")


def test_a_written_wheel_has_the_layout_and_record_pip_expects(wheels, tmp_path, monkeypatch):
    so = tmp_path / "liblucas.so"
    so.write_bytes(b"\x7fELF stand-in")
    info = tmp_path / "lucas_recurrences-9.8.7.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: lucas-recurrences\nVersion: 9.8.7\n")
    monkeypatch.setattr(wheels, "DIST", tmp_path / "dist")
    out = wheels.write_wheel("3.14t", so, info)
    assert out.name == "lucas_recurrences-9.8.7-cp314-cp314t-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "lucas.cpython-314t-x86_64-linux-gnu.so" in names
        assert "lucas-stubs/__init__.pyi" in names
        wheel = zf.read("lucas_recurrences-9.8.7.dist-info/WHEEL").decode()
        assert "Root-Is-Purelib: false" in wheel
        assert "Tag: cp314-cp314t-manylinux_2_17_x86_64" in wheel
        record = zf.read("lucas_recurrences-9.8.7.dist-info/RECORD").decode().splitlines()
        listed = {}
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            listed[path] = (digest, size)
        assert set(listed) == set(names)
        for name in names:
            if name.endswith("/RECORD"):
                assert listed[name] == ("", "")
                continue
            data = zf.read(name)
            expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert listed[name] == (expected, str(len(data))), name
