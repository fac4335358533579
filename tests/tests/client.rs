//! See tests.rs.
