//! Iterating a recurrence term by term: one step on machine words, and the window.

pub mod step;
pub mod window;
