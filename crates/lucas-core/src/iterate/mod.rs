//! Iterating a recurrence term by term: one step on machine words, the window, and the
//! iterator's state machine that chooses between them.

pub mod state;
pub mod step;
pub mod window;
