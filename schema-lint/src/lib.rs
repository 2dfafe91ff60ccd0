//! Mercator crate (being built).
