//! Test-only crate. Its documentation is the workspace README, so the README's
//! Rust examples compile (and run) as doctests with `cargo test --workspace`.
#![doc = include_str!("../README.md")]
