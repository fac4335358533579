//! How long the generator takes over the whole spec (target: under 100 ms).
//!
//! ```sh
//! cargo bench -p freedompay-codegen --bench codegen
//! ```
//!
//! - **load and check** and **emit Rust**: the two halves of the build
//!   script's work, measured apart.
//! - **build script**: what the client's `build.rs` does on every build that
//!   touches the spec: load and validate every YAML file, lower them to the
//!   IR, check it, and emit the formatted Rust.
//! - **generate**: that, plus every committed file `codegen generate`
//!   writes (the endpoint pages, the JSON Schemas, the coverage tables), in
//!   memory.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};

fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn whole_spec(c: &mut Criterion) {
    let spec = spec();
    let mut group = c.benchmark_group("codegen over the whole spec");
    group.sample_size(20);
    group.bench_function("load and check (YAML to the checked IR)", |b| {
        b.iter(|| codegen::compile(black_box(&spec)).expect("the spec compiles"))
    });
    let api = codegen::compile(&spec).expect("the spec compiles");
    group.bench_function("emit Rust (IR to formatted source)", |b| {
        b.iter(|| codegen::rust_source(black_box(&api)).expect("the Rust formats"))
    });
    group.bench_function("build script (load, check, emit Rust)", |b| {
        b.iter(|| {
            let api = codegen::compile(black_box(&spec)).expect("the spec compiles");
            codegen::rust_source(&api).expect("the Rust formats")
        })
    });
    group.bench_function("generate (and every committed file)", |b| {
        b.iter(|| {
            let api = codegen::compile(black_box(&spec)).expect("the spec compiles");
            let rust = codegen::rust_source(&api).expect("the Rust formats");
            (rust, codegen::committed_files(&api))
        })
    });
    group.finish();
}

criterion_group!(benches, whole_spec);
criterion_main!(benches);
