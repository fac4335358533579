//! Reading the spec directory: the only place that parses YAML.
//!
//! Each file is read in three steps. Its YAML is parsed into a value, which
//! the `shape` module checks against the JSON Schema of the format, reporting
//! every shape mistake of the file (unknown keys, unknown values, wrong kinds,
//! missing keys) and repairing the value; the repaired value is then
//! deserialised into the raw model of [`crate::spec`], so the file's semantic
//! mistakes are found too, in the same run. A YAML event parser records the
//! line and column of every key and value, so every stage can point at the
//! exact place of a problem. A file that cannot be read at all (a YAML syntax
//! error, a document that is no mapping) is listed in [`RawSpec::failed`], so
//! its absence is not reported again elsewhere (an index row naming its id).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Diagnostic, Diagnostics};
use crate::shape::{self, At, Damage, Format};
use crate::spec::{EndpointFile, SharedFile};

/// A spec file as read: its name, text and the position of every YAML path.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path shown in diagnostics (`spec/merchant/page/init_payment.yaml`).
    pub name: String,
    /// The file's text.
    pub text: String,
    positions: BTreeMap<String, (usize, usize)>,
    value_positions: BTreeMap<String, (usize, usize)>,
    damage: Damage,
}

impl Source {
    /// A source from text (for tests and tools).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let recorder = record(&text);
        Source {
            name: name.into(),
            text,
            positions: recorder.positions,
            value_positions: recorder.values,
            damage: Damage::default(),
        }
    }

    /// 1-based line and column of a YAML path such as `request.fields[3].max`
    /// (of its key, for a mapping entry), or of its nearest ancestor that has one.
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

    /// 1-based line and column of the value at a YAML path, or [`Source::position`].
    pub fn value_position(&self, path: &str) -> Option<(usize, usize)> {
        self.value_positions
            .get(path)
            .copied()
            .or_else(|| self.position(path))
    }

    /// A diagnostic at `path` in this file.
    pub fn error(&self, path: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(self.position(path), field, message.into())
    }

    /// The YAML path of the last key or value that starts before `line`:`column`
    /// (what was being read when a syntax error stopped the parser).
    fn path_before(&self, line: usize, column: usize) -> Option<String> {
        self.positions
            .iter()
            .filter(|(_, p)| **p < (line, column))
            .max_by_key(|(_, p)| **p)
            .map(|(path, _)| path.clone())
    }

    /// What the shape check repaired in this file; problems it hides are
    /// consequences of mistakes already reported.
    pub(crate) fn damage(&self) -> &Damage {
        &self.damage
    }

    fn diagnostic(
        &self,
        position: Option<(usize, usize)>,
        field: &str,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            file: self.name.clone(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            field: field.to_owned(),
            message,
        }
    }
}

/// A file that could not be read into the model at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// Path shown in diagnostics.
    pub name: String,
    /// Whether it is a shared file.
    pub shared: bool,
    /// The endpoint id it declares, when it can still be made out.
    pub id: Option<String>,
}

impl Failed {
    /// The record of `source`, which could not be read (a shared file when `shared`).
    fn of(source: Source, shared: bool) -> Self {
        let id = if shared {
            None
        } else {
            declared_id(&source.text)
        };
        Failed {
            name: source.name,
            shared,
            id,
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
    /// Files that could not be read at all; their problems are reported, and
    /// what depends on them is not checked.
    pub failed: Vec<Failed>,
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
    let named: Vec<(String, bool, &PathBuf)> = files
        .iter()
        .map(|file| {
            let relative = file.strip_prefix(dir).unwrap_or(file);
            let name = prefix.join(relative).to_string_lossy().replace('\\', "/");
            (name, relative.starts_with("shared"), file)
        })
        .collect();
    // Each file is read and checked on its own, so the files are shared out
    // among the machine's cores in contiguous runs; the runs are joined in
    // path order, which keeps the result what one thread would have made.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let run = named.len().div_ceil(threads).max(1);
    let runs: Vec<&[(String, bool, &PathBuf)]> = named.chunks(run).collect();
    let loaded = crate::threads::each(&runs, |files| load_files(files));
    let mut raw = RawSpec::default();
    for (part, problems) in loaded {
        raw.shared.extend(part.shared);
        raw.endpoints.extend(part.endpoints);
        raw.failed.extend(part.failed);
        for problem in problems.iter() {
            diagnostics.push(problem.clone());
        }
    }
    raw
}

/// Reads and checks `files` (`(name, shared, path)`) in order, on one thread.
fn load_files(files: &[(String, bool, &PathBuf)]) -> (RawSpec, Diagnostics) {
    let mut raw = RawSpec::default();
    let mut diagnostics = Diagnostics::default();
    for (name, shared, file) in files {
        let (name, shared) = (name.clone(), *shared);
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                diagnostics.push(Diagnostic {
                    file: name.clone(),
                    line: None,
                    column: None,
                    field: String::new(),
                    message: format!("cannot read the file: {e}"),
                });
                raw.failed.push(Failed {
                    name,
                    shared,
                    id: None,
                });
                continue;
            }
        };
        load_text(name, text, shared, &mut raw, &mut diagnostics);
    }
    (raw, diagnostics)
}

/// Parses one file's text into `raw`, recording problems in `diagnostics`.
pub fn load_text(
    name: String,
    text: String,
    shared: bool,
    raw: &mut RawSpec,
    diagnostics: &mut Diagnostics,
) {
    let mut source = Source::new(name, text);
    let format = if shared {
        Format::Shared
    } else {
        Format::Endpoint
    };
    let loaded = match parse_yaml(&source, diagnostics) {
        Some(mut value) => {
            let (problems, damage) = shape::check(&mut value, format);
            for problem in &problems {
                let position = match problem.at {
                    At::Key => source.position(&problem.path),
                    At::Value => source.value_position(&problem.path),
                };
                diagnostics.push(source.diagnostic(
                    position,
                    &problem.path,
                    problem.message.clone(),
                ));
            }
            source.damage = damage;
            if source.damage.whole() {
                None
            } else {
                Some((value, problems.is_empty()))
            }
        }
        None => None,
    };
    let Some((value, clean)) = loaded else {
        raw.failed.push(Failed::of(source, shared));
        return;
    };
    if shared {
        if let Some(file) = deserialize::<SharedFile>(&source, value, clean, diagnostics) {
            raw.shared.push((source, file));
            return;
        }
    } else if let Some(file) = deserialize::<EndpointFile>(&source, value, clean, diagnostics) {
        raw.endpoints.push((source, file));
        return;
    }
    raw.failed.push(Failed::of(source, shared));
}

/// The file's YAML as a value, or its syntax error.
fn parse_yaml(source: &Source, diagnostics: &mut Diagnostics) -> Option<serde_yaml::Value> {
    match serde_yaml::from_str(&source.text) {
        Ok(value) => Some(value),
        Err(error) => {
            let location = error.location();
            let mut message = error.to_string();
            // serde_yaml appends " at line L column C"; the diagnostic says it already.
            if let Some(cut) = message.find(" at line ") {
                message.truncate(cut);
            }
            // serde_yaml starts with the key it was reading; the field names it.
            let mut field = String::new();
            if let Some((head, rest)) = message.split_once(": ")
                && !head.contains(' ')
            {
                field = head.trim_end_matches('.').to_owned();
                message = rest.to_owned();
            }
            let position = location.map(|l| (l.line(), l.column()));
            if field.is_empty()
                && let Some((line, column)) = position
            {
                field = source.path_before(line, column).unwrap_or_default();
            }
            diagnostics.push(source.diagnostic(position, &field, message));
            None
        }
    }
}

/// The repaired value as the raw model. After a clean shape check this cannot
/// fail unless the schema and the model disagree; the error is then reported
/// as serde sees it. After a repair, a failure is not reported again: the
/// shape problems already explain the file.
fn deserialize<T: serde::de::DeserializeOwned>(
    source: &Source,
    value: serde_yaml::Value,
    clean: bool,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Some(value),
        Err(_) if !clean => None,
        Err(error) => {
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            let field = if path == "." { String::new() } else { path };
            diagnostics.push(source.error(&field, &field, message));
            None
        }
    }
}

/// The `id:` of an endpoint file that could not be parsed, read from its text.
fn declared_id(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("id:")?;
        let id = rest.split('#').next()?.trim().trim_matches(['"', '\'']);
        (!id.is_empty()).then(|| id.to_owned())
    })
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
fn record(text: &str) -> Recorder {
    let mut recorder = Recorder::default();
    // A syntax error stops the recording early; serde reports it with its place.
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, index: usize },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    /// Where each path starts: its key, for a mapping entry.
    positions: BTreeMap<String, (usize, usize)>,
    /// Where each path's value starts.
    values: BTreeMap<String, (usize, usize)>,
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

    fn record_key(&mut self, path: String, mark: Marker) {
        self.positions
            .entry(path)
            .or_insert((mark.line(), mark.col() + 1));
    }

    fn record_value(&mut self, path: String, mark: Marker) {
        self.values
            .entry(path.clone())
            .or_insert((mark.line(), mark.col() + 1));
        self.record_key(path, mark);
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
                        self.record_key(full, mark);
                    }
                }
                Some(path) => {
                    self.record_value(path, mark);
                    self.finish_value();
                }
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.value_path().unwrap_or_default();
                self.record_value(path.clone(), mark);
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
