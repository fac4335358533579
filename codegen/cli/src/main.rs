//! `codegen`: regenerate or check every committed artifact of the spec.
//!
//! `cargo run -p codegen -- generate` rewrites `spec/schema.json` and `docs/`;
//! `cargo run -p codegen -- check` fails, naming the stale files, when what is
//! committed differs from what `generate` would write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "codegen",
    about = "Generate docs and schemas from the Freedom Pay YAML spec"
)]
struct Args {
    /// The workspace root (holds `spec/` and `docs/`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite every generated artifact.
    Generate,
    /// Exit non-zero, naming the stale files, when anything committed is out of date.
    Check,
    /// Print the generated Rust to standard output.
    Rust,
}

/// Generated directories: a file here that `generate` would not write is stale.
const GENERATED_DIRS: &[&str] = &["docs"];

fn main() -> ExitCode {
    let args = Args::parse();
    let root = args.root;
    let api = match codegen::compile(&root.join("spec")) {
        Ok(api) => api,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::FAILURE;
        }
    };
    match args.command {
        Command::Rust => match codegen::rust_source(&api) {
            Ok(source) => {
                print!("{source}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Generate => generate(&root, &api),
        Command::Check => check(&root, &api),
    }
}

fn existing_generated(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for dir in GENERATED_DIRS {
        walk(root, &root.join(dir), &mut out);
    }
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Every generated file, and every hand-written file with generated sections
/// spliced in, by path.
fn expected_files(root: &Path, api: &codegen::ir::Api) -> Result<BTreeMap<String, String>, String> {
    let mut files = codegen::committed_files(api);
    for section in codegen::sections(api) {
        let current = match files.get(section.path) {
            Some(text) => text.clone(),
            None => std::fs::read_to_string(root.join(section.path))
                .map_err(|e| format!("cannot read {}: {e}", section.path))?,
        };
        let spliced = codegen::splice(&current, &section).ok_or_else(|| {
            format!(
                "{} lacks the markers `<!-- {name}:start -->` and `<!-- {name}:end -->` around the generated {name} section",
                section.path,
                name = section.name
            )
        })?;
        files.insert(section.path.to_owned(), spliced);
    }
    Ok(files)
}

fn generate(root: &Path, api: &codegen::ir::Api) -> ExitCode {
    let files = match expected_files(root, api) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut written = 0;
    for (path, content) in &files {
        let target = root.join(path);
        if std::fs::read_to_string(&target).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        if let Some(parent) = target.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("error: cannot create {}: {e}", parent.display());
            return ExitCode::FAILURE;
        }
        if let Err(e) = std::fs::write(&target, content) {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        println!("wrote {path}");
        written += 1;
    }
    for stale in existing_generated(root) {
        if !files.contains_key(&stale) {
            if let Err(e) = std::fs::remove_file(root.join(&stale)) {
                eprintln!("error: cannot remove {stale}: {e}");
                return ExitCode::FAILURE;
            }
            println!("removed {stale}");
            written += 1;
        }
    }
    println!("{} files up to date, {written} changed", files.len());
    ExitCode::SUCCESS
}

fn check(root: &Path, api: &codegen::ir::Api) -> ExitCode {
    let files = match expected_files(root, api) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = Vec::new();
    for (path, content) in &files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(existing) if existing == *content => {}
            Ok(_) => stale.push(format!("{path} (differs)")),
            Err(_) => stale.push(format!("{path} (missing)")),
        }
    }
    for path in existing_generated(root) {
        if !files.contains_key(&path) {
            stale.push(format!("{path} (no longer generated)"));
        }
    }
    if stale.is_empty() {
        println!("{} generated files are up to date", files.len());
        return ExitCode::SUCCESS;
    }
    eprintln!("stale generated files:");
    for path in &stale {
        eprintln!("  {path}");
    }
    eprintln!("run `cargo run -p codegen -- generate` and commit the result");
    ExitCode::FAILURE
}
