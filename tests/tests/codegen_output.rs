//! Snapshots of everything generated from the real spec, per endpoint: the
//! Rust source, the docs page and the JSON Schemas. A change to the spec or to
//! an emitter shows up here as a reviewed diff.

use crate::support::spec;

#[test]
fn generated_rust_per_endpoint() {
    for endpoint in &spec().endpoints {
        let source = codegen::endpoint_rust_source(endpoint).expect("generated code parses");
        insta::assert_snapshot!(format!("rust_{}", endpoint.id), source);
    }
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
fn docs_pages_and_schemas() {
    let files = codegen::committed_files(spec());
    for (path, content) in &files {
        let name = path.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, content);
    }
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
