//! Compile-fail tests of the derive macros: each case in `ui/` misuses an
//! attribute and must fail with the message next to it; `ui/pass/` uses every
//! attribute and must compile. Run with `cargo test -p freedompay-macros-ui`.
