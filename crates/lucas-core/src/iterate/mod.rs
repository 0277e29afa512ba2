//! Iterating a recurrence term by term: one step on machine words, one on limbs modulo a
//! larger m, the window, and the iterator's state machine that chooses between them.

pub mod limbs;
pub mod state;
pub mod step;
pub mod window;
