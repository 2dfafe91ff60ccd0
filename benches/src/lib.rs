//! Benches.

pub mod timed;
