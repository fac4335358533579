//! Generates the tests' dispatcher from endpoint ids to the generated types
//! (`OUT_DIR/examples.rs`, included by `tests/support.rs`), so that the
//! `freedompay` crate itself carries no test-only code.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec = manifest.join("..").join("spec");
    println!("cargo::rerun-if-changed={}", spec.display());
    let result = codegen::compile(&spec)
        .map_err(|diagnostics| diagnostics.to_string())
        .and_then(|api| codegen::example_dispatch_source(&api));
    let source = match result {
        Ok(source) => source,
        Err(message) => {
            for line in message.lines() {
                println!("cargo::error={line}");
            }
            return ExitCode::FAILURE;
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("examples.rs");
    if let Err(e) = std::fs::write(&out, source) {
        println!("cargo::error=cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
