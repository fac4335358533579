//! Helpers shared by the test modules.

use std::path::PathBuf;
use std::process::{Command, Stdio};
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

/// Runs `check` on every item and then fails once, naming each item whose
/// check panicked. An insta assertion panics at its first mismatch, so a loop
/// of snapshots would otherwise stop there; this way one run shows (and, with
/// `INSTA_UPDATE`, writes) every changed snapshot of the loop.
pub fn check_each<T>(
    items: impl IntoIterator<Item = T>,
    name: impl Fn(&T) -> String,
    check: impl Fn(&T),
) {
    let mut failed = Vec::new();
    for item in items {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&item)));
        if outcome.is_err() {
            failed.push(name(&item));
        }
    }
    assert!(
        failed.is_empty(),
        "{} item(s) failed (each failure is printed above): {}",
        failed.len(),
        failed.join(", ")
    );
}

/// Builds binary `bin` of package `package` with cargo and returns its path.
/// A binary of another package has no `CARGO_BIN_EXE_…` here, so it is found
/// through cargo's JSON messages (which honour `CARGO_TARGET_DIR`).
pub fn built_binary(package: &str, bin: &str) -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "-q",
            "-p",
            package,
            "--bin",
            bin,
            "--message-format=json",
        ])
        .current_dir(workspace())
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build of the {bin} binary failed"
    );
    let messages = String::from_utf8(output.stdout).expect("cargo prints UTF-8");
    let target = format!(r#""name":"{bin}","src_path""#);
    messages
        .lines()
        .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
        .filter(|line| line.contains(&target))
        .find_map(|line| {
            let start = line.find(r#""executable":""#)? + r#""executable":""#.len();
            let end = start + line[start..].find('"')?;
            Some(PathBuf::from(&line[start..end]))
        })
        .unwrap_or_else(|| panic!("cargo reports the {bin} executable"))
}
