//! Keeps the sandbox's modules depending only downward (see the crate's
//! documentation, "Layers"): reads every source file and fails when a module
//! names one of a higher layer, when the store names a gateway error code,
//! or when a code is written by number.

use std::path::{Path, PathBuf};

/// Each module of the crate with its layer; a module may name modules of its
/// own layer and the layers below. Items of the crate root (`crate::Name`
/// that is no module) are in the top layer, with `lib.rs`.
const LAYERS: &[(&str, u8)] = &[
    ("values", 0),
    ("merchant", 0),
    ("config", 0),
    ("payer", 0),
    ("rates", 0),
    ("routes", 0),
    ("store", 1),
    ("ops", 2),
    ("notify", 3),
    ("page", 4),
    ("payout_page", 4),
    ("token_page", 4),
    ("acs_page", 4),
    ("json_api", 4),
    ("freedom_id", 4),
    ("debugger_page", 4),
    ("home_page", 4),
    ("gateway", 5),
    ("lib", 6),
    ("layers", 6),
];

/// The layer of the crate root, and of any `crate::` name that is no module.
const TOP: u8 = 6;

fn layer(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

/// The module a source file belongs to (its top-level module under `src/`),
/// `None` for the binary's `main.rs`, a crate of its own.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "main.rs" => None,
        "lib.rs" => Some("lib".to_owned()),
        file => Some(file.trim_end_matches(".rs").to_owned()),
    }
}

/// The first segment of each path a `crate::` in `code` names:
/// `crate::page::show` names `page`, `use crate::{ops::App, store}` names
/// `ops` and `store`.
fn named_modules(code: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| ident(c) || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The names at the group's top level, up to its closing brace.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && ident(c) => {
                        let name: String = group[i..].chars().take_while(|&c| ident(c)).collect();
                        names.push(name);
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(rest.chars().take_while(|&c| ident(c)).collect());
        }
    }
    names
}

/// What is wrong with `source`, a file of `module`.
fn violations(module: &str, source: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!(
            "module `{module}` has no layer: add it to LAYERS in src/layers.rs and to the crate docs"
        )];
    };
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let at = number + 1;
        for name in named_modules(line) {
            let theirs = layer(&name).unwrap_or(TOP);
            if theirs > own {
                found.push(format!(
                    "line {at}: `{module}` (layer {own}) names `crate::{name}` (layer {theirs})"
                ));
            }
        }
        if module == "store" && (line.contains("freedompay::errors") || line.contains("ErrorCode"))
        {
            found.push(format!(
                "line {at}: the store names a gateway error code; return a StoreError"
            ));
        }
        if let Some((_, after)) = line.split_once("from_code(")
            && after.starts_with(|c: char| c.is_ascii_digit())
        {
            found.push(format!(
                "line {at}: an error code by number; use its ErrorCode variant"
            ));
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("the sandbox's sources are readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_depend_only_downward() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    assert!(files.len() > 20, "the sources were found: {files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under src");
        let Some(module) = module_of(relative) else {
            continue;
        };
        let source = std::fs::read_to_string(file).expect("a readable source file");
        for problem in violations(&module, &source) {
            problems.push(format!("src/{}: {problem}", relative.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "the sandbox's layers are broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_finds_upward_names() {
    // Upward, through a path or a group, and crate-root items.
    assert_eq!(
        violations("ops", "    crate::page::spawn_result(app, p);").len(),
        1
    );
    assert_eq!(
        violations("store", "created_at: crate::ops::now(),").len(),
        1
    );
    assert_eq!(violations("ops", "use crate::{App, Merchant};").len(), 2);
    assert_eq!(
        violations("notify", "use crate::{store::Payment, gateway::{self, x}};").len(),
        1
    );
    assert_eq!(violations("page", "use crate::gateway::Site;").len(), 1);
    // The store names no gateway code; no code is written by number.
    assert_eq!(
        violations("store", "use freedompay::errors::ErrorCode;").len(),
        1
    );
    // (Written in two halves, or this file would fail the check.)
    let by_number = concat!("ErrorCode::from", "_code(11068)");
    assert_eq!(violations("ops", by_number).len(), 1);
    // Downward and sideways names, data converted to a code, comments and
    // other crates' `crate::` are fine.
    assert!(violations("page", "use crate::{ops::App, store::{Payment, Payout}};").is_empty());
    assert!(violations("token_page", "use crate::page::not_found;").is_empty());
    assert!(violations("ops", "ErrorCode::from_code(*code)").is_empty());
    assert!(violations("store", "/// Unlike crate::ops::Failure, ...").is_empty());
    assert!(violations("store", "x = freedompay_crate::ops::y;").is_empty());
    assert!(violations("lib", "use crate::gateway::router;").is_empty());
    // A module without a layer is refused.
    assert_eq!(violations("newcomer", "").len(), 1);
}
