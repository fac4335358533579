//! Derive macros (see the crate description).
