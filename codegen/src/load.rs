//! Reading the spec directory: the only place that parses YAML.
//!
//! Each file is parsed twice over the same text: once by serde (through
//! `serde_path_to_error`, so a shape error names its key) into the raw model
//! of [`crate::spec`], and once by a YAML event parser that records the line
//! and column of every key and value, so later stages can point at the exact
//! place of a semantic error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{EndpointFile, SharedFile};

/// A spec file as read: its name, text and the position of every YAML path.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path shown in diagnostics (`spec/merchant/page/init_payment.yaml`).
    pub name: String,
    /// The file's text.
    pub text: String,
    positions: BTreeMap<String, (usize, usize)>,
}

impl Source {
    /// A source from text (for tests and tools).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let positions = positions(&text);
        Source {
            name: name.into(),
            text,
            positions,
        }
    }

    /// 1-based line and column of a YAML path such as `request.fields[3].max`,
    /// or of its nearest ancestor that has one.
    pub fn position(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path;
        loop {
            if let Some(&pos) = self.positions.get(path) {
                return Some(pos);
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                // A key that is absent: point at the start of the document.
                None if !path.is_empty() => path = "",
                None => return None,
            }
        }
    }

    /// A diagnostic at `path` in this file.
    pub fn error(&self, path: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        let position = self.position(path);
        Diagnostic {
            file: self.name.clone(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Everything read from the spec directory, before any meaning is given to it.
#[derive(Debug, Clone, Default)]
pub struct RawSpec {
    /// Files under `shared/`.
    pub shared: Vec<(Source, SharedFile)>,
    /// Endpoint and callback files.
    pub endpoints: Vec<(Source, EndpointFile)>,
}

/// Reads every `*.yaml` file under `dir` (files under `dir/shared/` are shared
/// definitions). Files are read in path order, so the result is deterministic.
pub fn load_dir(dir: &Path, diagnostics: &mut Diagnostics) -> RawSpec {
    let mut files = Vec::new();
    if let Err(e) = collect_yaml(dir, &mut files) {
        diagnostics.push(Diagnostic {
            file: dir.display().to_string(),
            line: None,
            column: None,
            field: String::new(),
            message: format!("cannot read the spec directory: {e}"),
        });
    }
    files.sort();
    let prefix = dir
        .file_name()
        .map_or_else(|| PathBuf::from("spec"), PathBuf::from);
    let mut raw = RawSpec::default();
    for file in files {
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        let name = prefix.join(relative).to_string_lossy().replace('\\', "/");
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                diagnostics.push(Diagnostic {
                    file: name,
                    line: None,
                    column: None,
                    field: String::new(),
                    message: format!("cannot read the file: {e}"),
                });
                continue;
            }
        };
        let shared = relative.starts_with("shared");
        load_text(name, text, shared, &mut raw, diagnostics);
    }
    raw
}

/// Parses one file's text into `raw`, recording problems in `diagnostics`.
pub fn load_text(
    name: String,
    text: String,
    shared: bool,
    raw: &mut RawSpec,
    diagnostics: &mut Diagnostics,
) {
    let source = Source::new(name, text);
    if shared {
        if let Some(file) = parse::<SharedFile>(&source, diagnostics) {
            raw.shared.push((source, file));
        }
    } else if let Some(file) = parse::<EndpointFile>(&source, diagnostics) {
        raw.endpoints.push((source, file));
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    source: &Source,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let deserializer = serde_yaml::Deserializer::from_str(&source.text);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(value) => Some(value),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let location = inner.location();
            let mut message = inner.to_string();
            // serde_yaml appends " at line L column C"; the diagnostic says it already.
            if let Some(cut) = message.find(" at line ") {
                message.truncate(cut);
            }
            // serde_yaml starts with its own copy of the path; the diagnostic names it already.
            if let Some((head, rest)) = message.split_once(": ")
                && !head.contains(' ')
                && !path.is_empty()
                && path.starts_with(head.trim_end_matches('.'))
            {
                message = rest.to_owned();
            }
            let field = if path == "." { String::new() } else { path };
            let (line, column) = match location {
                Some(l) => (Some(l.line()), Some(l.column())),
                None => match source.position(&field) {
                    Some((l, c)) => (Some(l), Some(c)),
                    None => (None, None),
                },
            };
            diagnostics.push(Diagnostic {
                file: source.name.clone(),
                line,
                column,
                field,
                message,
            });
            None
        }
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Positions of every key and value, by YAML path (`a.b[2].c`).
fn positions(text: &str) -> BTreeMap<String, (usize, usize)> {
    let mut recorder = Recorder::default();
    // A syntax error stops the recording early; serde reports it with its place.
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder.positions
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, index: usize },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    positions: BTreeMap<String, (usize, usize)>,
}

impl Recorder {
    /// The path of the value about to be read, or `None` when a mapping key is expected.
    fn value_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Mapping { key: None, .. }) => None,
            Some(Frame::Mapping {
                path,
                key: Some(key),
            }) => Some(if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            }),
            Some(Frame::Sequence { path, index }) => Some(format!("{path}[{index}]")),
        }
    }

    fn finish_value(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Mapping { key, .. }) => *key = None,
            Some(Frame::Sequence { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, path: String, mark: Marker) {
        self.positions
            .entry(path)
            .or_insert((mark.line(), mark.col() + 1));
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => match self.value_path() {
                None => {
                    if let Some(Frame::Mapping { path, key }) = self.stack.last_mut() {
                        *key = Some(value.clone());
                        let full = if path.is_empty() {
                            value
                        } else {
                            format!("{path}.{value}")
                        };
                        self.record(full, mark);
                    }
                }
                Some(path) => {
                    self.record(path, mark);
                    self.finish_value();
                }
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.value_path().unwrap_or_default();
                self.record(path.clone(), mark);
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping { path, key: None }
                    } else {
                        Frame::Sequence { path, index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.finish_value();
            }
            Event::Alias(_) => self.finish_value(),
            _ => {}
        }
    }
}
