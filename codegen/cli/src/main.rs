//! `codegen`: regenerate or check every committed artifact of the spec.
//!
//! `cargo run -p codegen -- generate` rewrites `spec/schema.json`, `docs/` and
//! the README's coverage table; `cargo run -p codegen -- check` fails, naming
//! the stale files, when what is committed differs from what `generate` would
//! write. The spec is found from the directory the command runs in: the
//! nearest enclosing Cargo workspace with a `spec/` directory (or `--spec DIR`);
//! every output path is relative to that workspace.

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
    /// The spec directory. By default `spec/` of the workspace the current
    /// directory is in: the nearest directory, from here upwards, whose
    /// `Cargo.toml` declares `[workspace]` and which holds `spec/`. Outputs
    /// (`docs/`, `README.md`, the spec's `schema.json`) go to the spec
    /// directory's parent.
    #[arg(long, value_name = "DIR")]
    spec: Option<PathBuf>,
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

/// Where the spec is and where its outputs go.
struct Workspace {
    /// The workspace root: outputs are relative to it.
    root: PathBuf,
    /// The spec directory (`<root>/spec` unless `--spec` names another).
    spec: PathBuf,
}

impl Workspace {
    /// The workspace of `--spec DIR`, or the one enclosing `current`.
    fn locate(spec: Option<&Path>, current: &Path) -> Result<Workspace, String> {
        match spec {
            Some(dir) => {
                let dir = std::path::absolute(current.join(dir))
                    .map_err(|e| format!("cannot resolve {}: {e}", dir.display()))?;
                if !dir.is_dir() {
                    return Err(format!("--spec {}: no such directory", dir.display()));
                }
                let root = dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
                Ok(Workspace { root, spec: dir })
            }
            None => current
                .ancestors()
                .find(|dir| dir.join("spec").is_dir() && declares_workspace(dir))
                .map(|root| Workspace {
                    root: root.to_path_buf(),
                    spec: root.join("spec"),
                })
                .ok_or_else(|| {
                    format!(
                        "no spec found: neither {} nor any directory above it is a Cargo workspace (a Cargo.toml with [workspace]) holding spec/; run codegen inside the repository or pass --spec DIR",
                        current.display()
                    )
                }),
        }
    }

    /// Where a generated file goes: `spec/…` into the spec directory, the
    /// rest relative to the workspace root.
    fn target(&self, path: &str) -> PathBuf {
        match path.strip_prefix("spec/") {
            Some(rest) => self.spec.join(rest),
            None => self.root.join(path),
        }
    }

    /// A generated file's path as printed: relative to the workspace root.
    fn shown(&self, path: &str) -> String {
        let target = self.target(path);
        target
            .strip_prefix(&self.root)
            .unwrap_or(&target)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

/// Whether `dir/Cargo.toml` declares a workspace.
fn declares_workspace(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let workspace = match std::env::current_dir()
        .map_err(|e| format!("cannot read the current directory: {e}"))
        .and_then(|current| Workspace::locate(args.spec.as_deref(), &current))
    {
        Ok(workspace) => workspace,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let api = match codegen::compile(&workspace.spec) {
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
        Command::Generate => generate(&workspace, &api),
        Command::Check => check(&workspace, &api),
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
fn expected_files(
    workspace: &Workspace,
    api: &codegen::ir::Api,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = codegen::committed_files(api);
    for section in codegen::sections(api) {
        let current = match files.get(section.path) {
            Some(text) => text.clone(),
            None => std::fs::read_to_string(workspace.target(section.path))
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

fn generate(workspace: &Workspace, api: &codegen::ir::Api) -> ExitCode {
    let files = match expected_files(workspace, api) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut written = 0;
    for (path, content) in &files {
        let target = workspace.target(path);
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
            eprintln!("error: cannot write {}: {e}", workspace.shown(path));
            return ExitCode::FAILURE;
        }
        println!("wrote {}", workspace.shown(path));
        written += 1;
    }
    for stale in existing_generated(&workspace.root) {
        if !files.contains_key(&stale) {
            if let Err(e) = std::fs::remove_file(workspace.target(&stale)) {
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

fn check(workspace: &Workspace, api: &codegen::ir::Api) -> ExitCode {
    let files = match expected_files(workspace, api) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = Vec::new();
    for (path, content) in &files {
        match std::fs::read_to_string(workspace.target(path)) {
            Ok(existing) if existing == *content => {}
            Ok(_) => stale.push(format!("{} (differs)", workspace.shown(path))),
            Err(_) => stale.push(format!("{} (missing)", workspace.shown(path))),
        }
    }
    for path in existing_generated(&workspace.root) {
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
