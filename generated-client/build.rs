//! Generates the API types from the YAML spec at build time.
//!
//! The spec ships inside the package (`spec/`, a link to the workspace's
//! `spec/` in the repository), so a build from the published tarball
//! generates the same code.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec = manifest.join("spec");
    println!("cargo::rerun-if-changed={}", spec.display());
    let result = codegen::compile(&spec)
        .map_err(|diagnostics| diagnostics.to_string())
        .and_then(|api| codegen::rust_source(&api));
    let source = match result {
        Ok(source) => source,
        Err(message) => {
            for line in message.lines() {
                let line = line.strip_prefix("error: ").unwrap_or(line);
                println!("cargo::error={line}");
            }
            return ExitCode::FAILURE;
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("api.rs");
    if let Err(e) = std::fs::write(&out, source) {
        println!("cargo::error=cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
