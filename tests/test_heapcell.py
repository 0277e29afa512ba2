"""The heap-type example (examples/heaptype/heapcell.c) does what docs/extension/ says it does:
compiled against this interpreter's headers (warnings are errors) and imported, its type is a
GC-tracked, immutable heap type, a reference cycle through a Cell is collected, Cells take weak
references, every module object has its own type and state, and a docstring without the `--`
line gives no `__text_signature__`. The contrast with lucas (one static type, single-phase
init) is checked beside it."""

import gc
import importlib.util
import inspect
import sys
import weakref

import pytest
from support import cexample

HEAPTYPE = 1 << 9
IMMUTABLETYPE = 1 << 8
HAVE_GC = 1 << 14


@pytest.fixture(scope="module")
def heapcell():
    folder = str(cexample.build("heapcell"))
    sys.path.insert(0, folder)
    try:
        import heapcell

        yield heapcell
    finally:
        sys.path.remove(folder)


def fresh_module(spec):
    """A second module object from the same spec, as another interpreter would get."""
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cell_is_a_gc_immutable_heap_type(heapcell):
    cell = heapcell.Cell
    assert type(cell) is type
    assert cell.__flags__ & HEAPTYPE and cell.__flags__ & IMMUTABLETYPE and cell.__flags__ & HAVE_GC
    assert (cell.__module__, cell.__name__) == ("heapcell", "Cell")
    assert gc.is_tracked(cell(1))
    with pytest.raises(TypeError, match="immutable type"):
        cell.extra = 1


def test_every_instance_holds_a_reference_to_its_heap_type(heapcell):
    cell = heapcell.Cell
    before = sys.getrefcount(cell)
    cells = [cell(i) for i in range(10)]
    assert sys.getrefcount(cell) == before + 10
    del cells
    assert sys.getrefcount(cell) == before


def test_a_cycle_through_a_cell_is_collected(heapcell):
    box = heapcell.Cell([])
    box.value.append(box)  # box -> list -> box
    ref = weakref.ref(box)
    del box
    assert ref() is not None, "reference counting alone cannot free a cycle"
    gc.collect()
    assert ref() is None


def test_weak_references_and_their_callbacks(heapcell):
    called = []
    box = heapcell.Cell(1)
    ref = weakref.ref(box, called.append)
    assert ref() is box
    del box
    assert ref() is None and called == [ref]


def test_each_module_object_has_its_own_type_and_state(heapcell):
    other = fresh_module(heapcell.__spec__)
    assert other is not heapcell and other.Cell is not heapcell.Cell
    before = heapcell.created()
    assert other.created() == 0
    other.Cell(1)
    assert (other.created(), heapcell.created()) == (1, before)
    assert not isinstance(other.Cell(1), heapcell.Cell)


def test_lucas_single_phase_module_shares_its_static_type():
    import lucas

    other = fresh_module(lucas.__spec__)
    assert other.LucasIter is lucas.LucasIter
    assert not lucas.LucasIter.__flags__ & HEAPTYPE


def test_the_dashes_end_the_text_signature(heapcell):
    assert heapcell.with_marker.__text_signature__ == "($module, obj, /)"
    assert heapcell.with_marker.__doc__ == "Return obj."
    assert str(inspect.signature(heapcell.with_marker)) == "(obj, /)"
    assert heapcell.without_marker.__text_signature__ is None
    assert heapcell.without_marker.__doc__ == "without_marker($module, obj, /)\nReturn obj."
    with pytest.raises(ValueError, match="no signature found"):
        inspect.signature(heapcell.without_marker)
    assert heapcell.Cell.__text_signature__ == "(value, /)"


def test_cell_arguments(heapcell):
    with pytest.raises(TypeError):
        heapcell.Cell()
    with pytest.raises(TypeError, match="keyword"):
        heapcell.Cell(value=1)
    assert heapcell.Cell(5).value == 5
    with pytest.raises(AttributeError):
        heapcell.Cell(5).value = 6
