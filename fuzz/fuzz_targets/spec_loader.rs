//! The codegen spec loader and checks on any YAML text, among the real
//! spec's files: a list of diagnostics naming those files, or an API whose
//! Rust formats; never a panic.
//!
//! Input: YAML text. Starting with `# shared: <file>` it replaces that file
//! of `spec/shared/`; otherwise it is an endpoint file that replaces the real
//! file declaring the same `id` (or joins the spec when none does). The files
//! it does not replace are read once (`codegen::load::load_text`) and cloned
//! for every input, then checked with `codegen::lower_and_check`, which gives
//! what `codegen::compile_texts` gives for the same files.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use codegen::Diagnostics;
use codegen::load::{self, RawSpec};
use libfuzzer_sys::fuzz_target;

/// The real spec's files: (name as in diagnostics, text, shared).
fn files() -> &'static [(String, String, bool)] {
    static FILES: OnceLock<Vec<(String, String, bool)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut paths = Vec::new();
        collect(&root, &mut paths);
        paths.sort();
        paths
            .into_iter()
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

/// The real spec read, and its shared files read alone (for an input that
/// replaces one of them, every endpoint file is read again).
fn loaded() -> &'static RawSpec {
    static LOADED: OnceLock<RawSpec> = OnceLock::new();
    LOADED.get_or_init(|| {
        let mut raw = RawSpec::default();
        let mut diagnostics = Diagnostics::default();
        for (name, text, shared) in files() {
            load::load_text(
                name.clone(),
                text.clone(),
                *shared,
                &mut raw,
                &mut diagnostics,
            );
        }
        assert!(diagnostics.is_empty(), "the real spec loads: {diagnostics}");
        raw
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
        .map(|id| {
            id.split('#')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches(['"', '\''])
        })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut diagnostics = Diagnostics::default();
    let mut names: Vec<String> = files().iter().map(|(name, _, _)| name.clone()).collect();
    let (raw, fuzzed) = match text.strip_prefix("# shared: ") {
        Some(rest) => {
            // A shared file: every file is read again, this one from the input.
            let file = rest.lines().next().unwrap_or_default().trim();
            let fuzzed = format!("spec/shared/{file}");
            let mut raw = RawSpec::default();
            let mut placed = false;
            for (name, original, shared) in files() {
                let text = if *name == fuzzed {
                    placed = true;
                    text.clone()
                } else {
                    original.clone()
                };
                load::load_text(name.clone(), text, *shared, &mut raw, &mut diagnostics);
            }
            if !placed {
                load::load_text(
                    fuzzed.clone(),
                    text.clone(),
                    true,
                    &mut raw,
                    &mut diagnostics,
                );
                names.push(fuzzed.clone());
            }
            (raw, fuzzed)
        }
        None => {
            // An endpoint file: it replaces the one with its id, the rest is cloned.
            let mut raw = loaded().clone();
            let id = declared_id(&text);
            let replaced = raw
                .endpoints
                .iter()
                .position(|(_, file)| Some(file.id.as_str()) == id);
            let fuzzed = match replaced {
                Some(at) => raw.endpoints.remove(at).0.name,
                None => {
                    let name = "spec/merchant/fuzz/input.yaml".to_owned();
                    names.push(name.clone());
                    name
                }
            };
            load::load_text(
                fuzzed.clone(),
                text.clone(),
                false,
                &mut raw,
                &mut diagnostics,
            );
            (raw, fuzzed)
        }
    };
    match codegen::lower_and_check(&raw, diagnostics) {
        Ok(api) => {
            // An accepted spec generates: the fuzzed endpoint's Rust formats.
            for endpoint in api.endpoints.iter().filter(|e| e.origin.file == fuzzed) {
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
                    names.contains(&diagnostic.file),
                    "a diagnostic names an unknown file: {diagnostic}"
                );
                assert!(!diagnostic.message.is_empty(), "an empty diagnostic");
                let _ = diagnostic.to_string();
            }
        }
    }
});
