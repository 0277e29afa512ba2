//! Probable-prime tests on integers of any size.

pub mod prp;
