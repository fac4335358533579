//! What a name must look like, and the nearest known name for a typo: a leaf
//! module, used by every stage that reads names (`shape` for keys and refs,
//! `lower` for references and error codes, `check` for the IR's names).

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Names the generated code reserves on every message struct.
const RESERVED_FIELDS: &[&str] = &["extra", "new"];

/// Suggests the closest known name, for typos in references.
pub(crate) fn did_you_mean(name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(k) => format!(" (did you mean `{k}`?)"),
        None if known.is_empty() => String::new(),
        None => format!(" (known: {})", known.join(", ")),
    }
}

/// The known name nearest to `name`, when it is near enough to be what a typo meant.
pub(crate) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Type and variant names become Rust identifiers as written, so they must be
/// UpperCamelCase and not keywords.
pub(crate) fn rust_type_name(name: &str) -> Option<String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !RUST_KEYWORDS.contains(&name);
    (!ok).then(|| format!("`{name}` is not an UpperCamelCase Rust type name"))
}

/// Ids name files, modules and docs pages; snake_case keeps them all valid.
pub(crate) fn snake_case_id(id: &str) -> Option<String> {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RUST_KEYWORDS.contains(&id);
    (!ok).then(|| format!("`{id}` is not a snake_case id"))
}

/// Field names become struct fields and setter methods.
pub(crate) fn rust_field_name(name: &str) -> Option<String> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        Some(format!(
            "`{name}` is not a snake_case Rust field name; set `rust:`"
        ))
    } else if RUST_KEYWORDS.contains(&name) || RESERVED_FIELDS.contains(&name) {
        Some(format!(
            "`{name}` is reserved in Rust or in the generated code; set `rust:` to another name"
        ))
    } else {
        None
    }
}

/// Wire names travel in forms and as XML element names: no brackets, spaces or markup.
pub(crate) fn wire_name(wire: &str) -> Option<String> {
    let ok = !wire.is_empty()
        && wire
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    (!ok).then(|| format!("`{wire}` is not a usable wire name (letters, digits, `_`, `-`, `.`)"))
}
