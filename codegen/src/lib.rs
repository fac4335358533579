//! Freedom Pay code generator: YAML spec → validated IR → Rust, Markdown, JSON Schema.
//!
//! The stages, one module each: [`load`] reads the YAML, checks each file's
//! shape against the format's JSON Schema (every mistake at once) and
//! deserialises it into the raw model of [`spec`]; [`ir`] lowers it into the
//! validated intermediate representation,
//! recording every problem as a [`Diagnostic`]; the emitters in [`emit`] read
//! the IR only. Output is deterministic: the same spec gives byte-identical files.
#![deny(missing_docs)]

pub mod diag;
pub mod load;
mod shape;
pub mod spec;

pub use diag::{Diagnostic, Diagnostics};
mod check;
mod examples;
pub mod ir;
pub mod reference;

pub use check::value_problems;
pub mod emit;
pub mod format;

use std::collections::BTreeMap;
use std::path::Path;

/// Loads and validates the spec in `dir`, returning its IR or every problem found.
pub fn compile(dir: &Path) -> Result<ir::Api, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let raw = load::load_dir(dir, &mut diagnostics);
    let api = ir::lower(&raw, &mut diagnostics);
    match api {
        Some(api) if diagnostics.is_empty() => Ok(api),
        _ => Err(diagnostics.sorted()),
    }
}

/// Loads and validates spec files given as `(name, text, shared)` (for tests and tools).
pub fn compile_texts(files: &[(&str, &str, bool)]) -> Result<ir::Api, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut raw = load::RawSpec::default();
    for (name, text, shared) in files {
        load::load_text(
            (*name).to_owned(),
            (*text).to_owned(),
            *shared,
            &mut raw,
            &mut diagnostics,
        );
    }
    let api = ir::lower(&raw, &mut diagnostics);
    match api {
        Some(api) if diagnostics.is_empty() => Ok(api),
        _ => Err(diagnostics.sorted()),
    }
}

/// The generated Rust for the whole API, formatted.
pub fn rust_source(api: &ir::Api) -> Result<String, String> {
    format::rust(emit::rust::api(api))
}

/// The generated Rust for one endpoint, formatted (for snapshots).
pub fn endpoint_rust_source(endpoint: &ir::Endpoint) -> Result<String, String> {
    format::rust(emit::rust::endpoint_items(endpoint))
}

/// Every committed artifact (docs pages, schemas) by path relative to the workspace root.
pub fn committed_files(api: &ir::Api) -> BTreeMap<String, String> {
    emit::committed_files(api)
}

/// A generated section inside a hand-written file, between
/// `<!-- <name>:start -->` and `<!-- <name>:end -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The file, relative to the workspace root.
    pub path: &'static str,
    /// The marker name.
    pub name: &'static str,
    /// The generated text between the markers.
    pub content: String,
}

/// The generated sections of hand-written files: the README's coverage table.
pub fn sections(api: &ir::Api) -> Vec<Section> {
    vec![Section {
        path: "README.md",
        name: "coverage",
        content: emit::reference::coverage_table(api),
    }]
}

/// `text` with the section's markers enclosing `section.content`, or `None`
/// when the markers are missing or out of order.
pub fn splice(text: &str, section: &Section) -> Option<String> {
    let start = format!("<!-- {}:start -->", section.name);
    let end = format!("<!-- {}:end -->", section.name);
    let open = text.find(&start)? + start.len();
    let close = open + text[open..].find(&end)?;
    Some(format!(
        "{}\n{}{}",
        &text[..open],
        section.content,
        &text[close..]
    ))
}
