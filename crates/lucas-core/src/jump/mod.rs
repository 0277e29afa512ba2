//! Jump-ahead: the n-th term of any linear recurrence in O(k² log n) ring operations.

pub mod big_rings;
pub mod fiduccia;
pub mod ntt;
