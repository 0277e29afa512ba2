//! The `LucasIter` type: `slots.rs` is its CPython side (the static `PyTypeObject`, its slots,
//! methods and getters), `state.rs` how an instance keeps its window and takes one step.

pub(crate) mod slots;
pub(crate) mod state;
