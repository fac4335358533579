//! Snapshots of the generated Rust, per endpoint and for the shared enums. A
//! change to the spec or to an emitter shows up here as a reviewed diff.
//!
//! The docs pages, the JSON Schemas and the README's coverage table are not
//! snapshotted: they are committed files, and `codegen check` (run by CI and
//! by `codegen_cli.rs`) fails when any of them differs from what the spec
//! generates.

use crate::support::{check_each, spec};

#[test]
fn generated_rust_per_endpoint() {
    check_each(
        &spec().endpoints,
        |endpoint| endpoint.id.clone(),
        |endpoint| {
            let source = codegen::endpoint_rust_source(endpoint).expect("generated code parses");
            insta::assert_snapshot!(format!("rust_{}", endpoint.id), source);
        },
    );
}

#[test]
fn generated_enums() {
    let api = spec();
    let whole = codegen::rust_source(api).expect("generated code parses");
    let start = whole.find("pub mod enums").expect("an enums module");
    let end = whole[start..]
        .find("\npub mod ")
        .map_or(whole.len(), |i| start + i);
    insta::assert_snapshot!("rust_enums", &whole[start..end]);
}

#[test]
fn output_is_deterministic() {
    let root = crate::support::workspace().join("spec");
    let first = codegen::compile(&root).expect("spec compiles");
    let second = codegen::compile(&root).expect("spec compiles");
    assert_eq!(codegen::rust_source(&first), codegen::rust_source(&second));
    assert_eq!(
        codegen::committed_files(&first),
        codegen::committed_files(&second)
    );
}
