"""Just enough of an ELF64 reader for the memory checks (no binutils needed).

* valgrind_check.py asks whether the lucas .so keeps a symbol table and unwind tables, so
  that valgrind can name (and walk through) lucas's frames in its reports;
* the wheel checks (.ci/wheels.py, tests/test_installed_wheel.py) ask which GLIBC_x.y symbol
  versions the .so needs, the highest of which is the oldest glibc it loads on;
* refleak.py asks which CPython symbols the .so imports, to tell a module built for the
  debug interpreter (its Py_INCREF/Py_DECREF call _Py_IncRef/_Py_DecRef or touch
  _Py_RefTotal, so they are counted in sys.gettotalrefcount()) from a release-built module
  (inlined refcount updates that the debug interpreter's totals never see).
"""

import struct
from dataclasses import dataclass, field

SHN_UNDEF = 0
STT_FUNC = 2


class NotElf(ValueError):
    pass


@dataclass
class Symbol:
    name: str
    type: int
    bind: int
    shndx: int

    @property
    def defined(self) -> bool:
        return self.shndx != SHN_UNDEF


@dataclass
class ElfInfo:
    path: str
    sections: dict = field(default_factory=dict)  # name -> (offset, size)
    symtab: list = field(default_factory=list)  # Symbol from .symtab (absent if stripped)
    dynsym: list = field(default_factory=list)  # Symbol from .dynsym
    verneed: dict = field(default_factory=dict)  # library -> symbol versions (.gnu.version_r)

    def has_section(self, name: str) -> bool:
        return name in self.sections

    def undefined_dynamic(self) -> set:
        return {s.name for s in self.dynsym if not s.defined and s.name}

    def needed_versions(self) -> dict:
        """{"libc.so.6": {"GLIBC_2.2.5", ...}, ...}: the versions the dynamic linker checks."""
        return self.verneed

    def glibc_versions(self) -> list:
        """The GLIBC_x.y versions needed, as sorted (x, y) tuples; the last is the oldest
        glibc the file loads on. A version no release has (GLIBC_PRIVATE) raises."""
        found = set()
        for lib, names in self.verneed.items():
            for name in names:
                if not name.startswith("GLIBC_"):
                    continue
                parts = name[len("GLIBC_") :].split(".")
                if len(parts) < 2 or not all(p.isdigit() for p in parts):
                    raise ValueError(f"{self.path} needs {name} of {lib}: not a glibc release")
                found.add((int(parts[0]), int(parts[1])))
        return sorted(found)

    def defined_functions(self) -> list:
        return [s for s in self.symtab if s.defined and s.type == STT_FUNC]


def _cstr(blob: bytes, off: int) -> str:
    end = blob.find(b"\0", off)
    return blob[off : end if end >= 0 else len(blob)].decode("utf-8", "replace")


def read(path: str) -> ElfInfo:
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise NotElf(f"{path} is not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise NotElf(f"{path}: only 64-bit little-endian ELF is supported")
    (e_shoff,) = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = []
    for i in range(e_shnum):
        # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info,
        # sh_addralign, sh_entsize
        headers.append(struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize))
    shstr = headers[e_shstrndx]
    names = data[shstr[4] : shstr[4] + shstr[5]]
    info = ElfInfo(path)
    by_name = {}
    for h in headers:
        name = _cstr(names, h[0])
        info.sections[name] = (h[4], h[5])
        by_name[name] = h
    for secname, attr in ((".symtab", "symtab"), (".dynsym", "dynsym")):
        h = by_name.get(secname)
        if h is None:
            continue
        strh = headers[h[6]]
        strtab = data[strh[4] : strh[4] + strh[5]]
        entsize = h[9] or 24
        syms = []
        for off in range(h[4], h[4] + h[5], entsize):
            st_name, st_info, _other, st_shndx = struct.unpack_from("<IBBH", data, off)
            syms.append(Symbol(_cstr(strtab, st_name), st_info & 0xF, st_info >> 4, st_shndx))
        setattr(info, attr, syms)
    # Version needs (the GNU symbol-versioning section): a chain of Elf64_Verneed records,
    # one per library, each with a chain of Elf64_Vernaux records naming one version; names
    # are offsets into the string table the section header links to (.dynstr).
    h = by_name.get(".gnu.version_r")
    if h is not None:
        strh = headers[h[6]]
        strtab = data[strh[4] : strh[4] + strh[5]]
        off = h[4]
        for _ in range(h[7]):  # sh_info: the number of Verneed records
            _ver, cnt, file_off, aux, nxt = struct.unpack_from("<HHIII", data, off)
            names = info.verneed.setdefault(_cstr(strtab, file_off), set())
            aux_off = off + aux
            for _ in range(cnt):
                _hash, _flags, _other, name_off, aux_next = struct.unpack_from("<IHHII", data, aux_off)
                names.add(_cstr(strtab, name_off))
                aux_off += aux_next
            if not nxt:
                break
            off += nxt
    return info
