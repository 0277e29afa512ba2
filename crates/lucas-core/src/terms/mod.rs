//! n-th terms of the Fibonacci, Lucas and Lucas (U, V) sequences by doubling.

pub mod exact;
pub mod ladder;
pub mod small;
