//! The codegen spec loader and checks (`codegen::compile_texts`) on any YAML
//! text, with the real spec's shared files: a list of diagnostics naming
//! those files, or an API whose Rust formats; never a panic.
//!
//! Input: YAML text. Starting with `# shared: <file>` it replaces that file
//! of `spec/shared/` (and no endpoint file is given); otherwise it is the one
//! endpoint file. The other endpoint files are left out to keep a run fast
//! (a whole spec takes about half a second here), so the index's rows report
//! their missing ids and the result is a list of diagnostics.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The real spec's files: (name as in diagnostics, text, shared).
fn spec() -> &'static [(String, String, bool)] {
    static SPEC: OnceLock<Vec<(String, String, bool)>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut files = Vec::new();
        collect(&root, &mut files);
        files.sort();
        files
            .into_iter()
            .filter(|path| {
                path.strip_prefix(&root)
                    .is_ok_and(|p| p.starts_with("shared"))
            })
            .map(|path| {
                let relative = path.strip_prefix(&root).unwrap_or(&path);
                let shared = relative.starts_with("shared");
                let name = format!("spec/{}", relative.display());
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                (name, text, shared)
            })
            .collect()
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// The `id:` an endpoint file declares on a line of its own.
fn declared_id(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|line| line.strip_prefix("id:"))
        .map(|id| id.trim().trim_matches(['"', '\'']))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let spec = spec();
    let mut files: Vec<(&str, &str, bool)> = Vec::with_capacity(spec.len() + 1);
    let mut placed = false;
    let target = match text.strip_prefix("# shared: ") {
        Some(rest) => {
            let name = rest.lines().next().unwrap_or_default().trim();
            Some(format!("spec/shared/{name}"))
        }
        None => None,
    };
    for (name, file, shared) in spec {
        if Some(name) == target.as_ref() {
            files.push((name, &text, *shared));
            placed = true;
        } else {
            files.push((name, file, *shared));
        }
    }
    let fuzzed_name = "spec/merchant/fuzz/input.yaml";
    if !placed {
        files.push((fuzzed_name, &text, false));
    }
    match codegen::compile_texts(&files) {
        Ok(api) => {
            // An accepted spec generates: the fuzzed endpoint's Rust is formatted.
            let id = declared_id(&text);
            for endpoint in api.endpoints.iter().filter(|e| Some(e.id.as_str()) == id) {
                if let Err(error) = codegen::endpoint_rust_source(endpoint) {
                    panic!(
                        "{} was accepted but its Rust does not format: {error}",
                        endpoint.id
                    );
                }
            }
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "refused without a diagnostic");
            for diagnostic in diagnostics.iter() {
                assert!(
                    files.iter().any(|(name, _, _)| *name == diagnostic.file),
                    "a diagnostic names an unknown file: {diagnostic}"
                );
                assert!(!diagnostic.message.is_empty(), "an empty diagnostic");
                let _ = diagnostic.to_string();
            }
        }
    }
});
