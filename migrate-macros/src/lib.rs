//! Compile-time embedding of migration directories.
