//! Helpers shared by the test modules.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The real spec, compiled once.
pub fn spec() -> &'static codegen::ir::Api {
    static SPEC: OnceLock<codegen::ir::Api> = OnceLock::new();
    SPEC.get_or_init(|| match codegen::compile(&workspace().join("spec")) {
        Ok(api) => api,
        Err(diagnostics) => panic!("the spec does not compile:\n{diagnostics}"),
    })
}
