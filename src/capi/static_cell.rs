//! Static C structures that CPython reads and writes: `PyTypeObject`, `PyModuleDef`,
//! `PyMethodDef` tables.
//!
//! In C these are plain mutable globals. `PyType_Ready` fills in a static type's inherited
//! slots, and `PyModule_Create` keeps a pointer to its `PyModuleDef`, so Rust cannot make
//! them immutable `static`s, and `static mut` invites references that alias those writes.
//! `StaticCell` is the honest middle: it hands out only a raw pointer, and `Sync` is justified
//! by the GIL, which serialises every access CPython makes. lucas's own process-wide state
//! (the guard depth, the small-term cache) lives in the same kind of cell under the same rule:
//! touched only with the GIL held.

use std::cell::UnsafeCell;

// ANCHOR: static_cell
#[repr(transparent)]
pub struct StaticCell<T>(UnsafeCell<T>);

// SAFETY: the contents are only touched with the GIL held (by CPython, module init, or
// lucas code running inside a call from the interpreter), which serialises all access; no
// reference to them is kept across a point where the GIL could be released.
unsafe impl<T> Sync for StaticCell<T> {}

impl<T> StaticCell<T> {
    pub const fn new(value: T) -> StaticCell<T> {
        StaticCell(UnsafeCell::new(value))
    }

    /// The address CPython is given, e.g. `&LucasIter_Type` in C.
    pub const fn get(&self) -> *mut T {
        self.0.get()
    }
}
// ANCHOR_END: static_cell
