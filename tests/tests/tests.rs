//! The workspace's integration tests, one binary.

// Derive macros on hand-written types: behaviour.
mod macros_derive;
// Derive macros: misuse is a compile error at the attribute (trybuild).
mod macros_ui;
// The `freedompay` command-line tool.
mod cli;
// Signing cases: documented vectors, nesting, ordering edge cases, XML.
mod signing;
