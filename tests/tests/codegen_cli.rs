//! The maintainers' `codegen` command, run as a process: it finds the spec
//! from the directory it runs in (or `--spec DIR`), writes its outputs
//! relative to that workspace, and `check` pins every committed generated
//! file (docs pages, schemas, the README's coverage table).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::{built_binary, workspace};

fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| built_binary("codegen", "codegen", &[]))
}

/// What a run gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `codegen` with `args` in `dir`.
fn codegen(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the codegen binary runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copy");
        }
    }
}

/// A copy of the workspace's spec, docs and README under `dir`, with a
/// workspace manifest: what `codegen` needs, and nothing of the real repository.
fn copy_workspace(dir: &Path) {
    let real = workspace();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").expect("a manifest");
    copy_dir(&real.join("spec"), &dir.join("spec"));
    copy_dir(&real.join("docs"), &dir.join("docs"));
    std::fs::copy(real.join("README.md"), dir.join("README.md")).expect("the README");
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).expect("readable")
}

/// `codegen check` in a subdirectory of this repository finds the workspace
/// above it, and every committed generated file is up to date.
#[test]
fn check_passes_on_the_repository_from_a_subdirectory() {
    let run = codegen(&workspace().join("docs/merchant"), &["check"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout.ends_with("generated files are up to date\n"),
        "{run:#?}"
    );
}

/// In a copy of the workspace, `check` names what is stale and `generate`,
/// run from deep inside the copy, rewrites exactly that, in the copy.
#[test]
fn generate_writes_into_the_workspace_it_finds() {
    let dir = scratch("generate");
    copy_workspace(&dir);
    let readme = read(dir.join("README.md"));
    let errors = read(dir.join("docs/errors.md"));
    let schema = read(dir.join("spec/schema.json"));
    std::fs::remove_file(dir.join("docs/errors.md")).expect("removed");
    std::fs::remove_file(dir.join("spec/schema.json")).expect("removed");
    std::fs::write(dir.join("docs/stale.md"), "old\n").expect("written");
    let table = "<!-- coverage:start -->";
    std::fs::write(
        dir.join("README.md"),
        readme.replace(table, &format!("{table}\n| a row by hand |")),
    )
    .expect("written");
    let inside = dir.join("spec/merchant/page");

    let check = codegen(&inside, &["check"]);
    assert_eq!(check.code, 1, "{check:#?}");
    assert_eq!(
        check.stderr,
        "stale generated files:\n  README.md (differs)\n  docs/errors.md (missing)\n  spec/schema.json (missing)\n  docs/stale.md (no longer generated)\nrun `cargo run -p codegen -- generate` and commit the result\n"
    );

    let generate = codegen(&inside, &["generate"]);
    assert_eq!(generate.code, 0, "{generate:#?}");
    assert!(
        generate.stdout.starts_with(
            "wrote README.md\nwrote docs/errors.md\nwrote spec/schema.json\nremoved docs/stale.md\n"
        ),
        "{generate:#?}"
    );
    assert_eq!(read(dir.join("README.md")), readme);
    assert_eq!(read(dir.join("docs/errors.md")), errors);
    assert_eq!(read(dir.join("spec/schema.json")), schema);
    assert!(!dir.join("docs/stale.md").exists());
    assert_eq!(codegen(&inside, &["check"]).code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--spec DIR` works from anywhere, without a workspace manifest; the
/// outputs go next to the spec directory, its schema into it, whatever the
/// directory is called.
#[test]
fn spec_dir_can_be_given() {
    let dir = scratch("spec-flag");
    copy_workspace(&dir);
    std::fs::remove_file(dir.join("Cargo.toml")).expect("removed");
    std::fs::remove_file(dir.join("spec/schema.json")).expect("removed");
    let elsewhere = scratch("elsewhere");
    let spec = dir.join("spec");
    let spec = spec.to_str().expect("a UTF-8 path");

    let generate = codegen(&elsewhere, &["--spec", spec, "generate"]);
    assert_eq!(generate.code, 0, "{generate:#?}");
    assert!(
        generate.stdout.starts_with("wrote spec/schema.json\n")
            && generate.stdout.ends_with(" files up to date, 1 changed\n"),
        "{generate:#?}"
    );
    let schema = read(workspace().join("spec/schema.json"));
    assert_eq!(read(dir.join("spec/schema.json")), schema);
    assert_eq!(codegen(&elsewhere, &["--spec", spec, "check"]).code, 0);
    assert!(
        std::fs::read_dir(&elsewhere)
            .expect("readable")
            .next()
            .is_none(),
        "nothing is written where the command runs"
    );

    // Another name: the schema goes into it (the docs pages then name their
    // source files under it, so they change too).
    std::fs::rename(dir.join("spec"), dir.join("api")).expect("renamed");
    std::fs::remove_file(dir.join("api/schema.json")).expect("removed");
    let api = dir.join("api");
    let generate = codegen(
        &elsewhere,
        &["--spec", api.to_str().expect("a UTF-8 path"), "generate"],
    );
    assert_eq!(generate.code, 0, "{generate:#?}");
    assert!(
        generate.stdout.contains("\nwrote api/schema.json\n"),
        "{generate:#?}"
    );
    assert_eq!(read(dir.join("api/schema.json")), schema);
    assert!(!dir.join("spec").exists());

    let missing = codegen(&elsewhere, &["--spec", "no-such-dir", "check"]);
    assert_eq!(missing.code, 1, "{missing:#?}");
    assert!(missing.stderr.starts_with("error: --spec "), "{missing:#?}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&elsewhere);
}

/// Outside any workspace holding a spec the command says so, without a panic.
#[test]
fn no_workspace_is_an_error_not_a_panic() {
    let dir = scratch("nowhere");
    let run = codegen(&dir, &["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        run.stderr,
        format!(
            "error: no spec found: neither {} nor any directory above it is a Cargo workspace (a Cargo.toml with [workspace]) holding spec/; run codegen inside the repository or pass --spec DIR\n",
            dir.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a maintainer sees after three typos in one endpoint file of the real
/// spec: the three, each with its place, and nothing else.
#[test]
fn spec_errors_as_a_maintainer_sees_them() {
    let dir = scratch("typos");
    copy_workspace(&dir);
    let file = dir.join("spec/merchant/mobile_balance/approve.yaml");
    let text = read(&file)
        .replacen(
            "- name: pg_approval_code\n      type: string",
            "- name: pg_approval_code\n      type: strng",
            1,
        )
        .replacen("      example: 12345\n", "      exampel: 12345\n", 1)
        .replacen(
            "enum: mobile_balance_approve_status",
            "enum: mobile_balance_aprove_status",
            1,
        );
    std::fs::write(&file, text).expect("written");
    let run = codegen(&dir, &["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    insta::assert_snapshot!("three_typos", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
