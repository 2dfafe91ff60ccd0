//! Atlas project files: atlas.hcl, plan files and test files.
