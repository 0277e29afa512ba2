//! The C-API wrappers and plumbing: where raw pointers become typed values (references,
//! errors, exact ints, argument binding, the one entry point of module functions, instances
//! that carry a Rust value, the panic guard, statics, critical sections, releasing the GIL).

pub(crate) mod args;
pub(crate) mod boundary;
pub(crate) mod critical_section;
pub(crate) mod error;
pub(crate) mod exact_int;
pub(crate) mod gil;
pub(crate) mod method_def;
pub(crate) mod object_calls;
pub(crate) mod pyclass;
pub(crate) mod pyint;
pub(crate) mod refs;
pub(crate) mod static_cell;
pub(crate) mod typed_ffi;

#[cfg(test)]
mod layout_check;
#[cfg(test)]
pub(crate) mod testing;
