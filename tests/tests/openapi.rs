//! The OpenAPI documents (`docs/openapi/*.json`): structural facts that a
//! validator of the format does not know.

use std::collections::BTreeMap;

use codegen::emit::openapi::{self, ENDPOINTS_EXTENSION, FAMILIES};
use codegen::spec::Direction;
use serde_json::Value;

use crate::support;

/// Every `$ref` in `value`, with where it is written.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    out.push((at.clone(), target));
                }
                refs(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The spec ids each operation (`METHOD path`) or webhook stands for.
fn operations(doc: &Value) -> Vec<(String, Vec<String>)> {
    let ids = |op: &Value| -> Vec<String> {
        op[ENDPOINTS_EXTENSION]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (section, prefix) in [("paths", ""), ("webhooks", "webhook ")] {
        let Some(items) = doc[section].as_object() else {
            continue;
        };
        for (path, item) in items {
            for (method, op) in item.as_object().into_iter().flatten() {
                out.push((format!("{prefix}{} {path}", method.to_uppercase()), ids(op)));
            }
        }
    }
    out
}

#[test]
fn every_endpoint_is_one_operation_at_its_method_and_path() {
    let api = support::spec();
    for family in FAMILIES {
        let doc = openapi::document(api, family);
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (operation, ids) in operations(&doc) {
            assert!(!ids.is_empty(), "{operation} names no spec endpoint");
            for id in ids {
                seen.entry(id).or_default().push(operation.clone());
            }
        }
        for endpoint in api.endpoints.iter().filter(|e| e.api == family) {
            let expected = match endpoint.direction {
                Direction::Callback => format!("webhook POST {}", endpoint.id),
                Direction::Request | Direction::Redirect => format!(
                    "{} {}",
                    endpoint.method.name(),
                    endpoint.path.as_deref().unwrap_or_default()
                ),
            };
            assert_eq!(
                seen.remove(&endpoint.id),
                Some(vec![expected]),
                "{}: {family:?}",
                endpoint.id
            );
        }
        assert!(
            seen.is_empty(),
            "{family:?} names endpoints of no such id or of another family: {seen:?}"
        );
    }
}

#[test]
fn every_ref_resolves_and_every_schema_is_used() {
    let api = support::spec();
    for family in FAMILIES {
        let doc = openapi::document(api, family);
        let mut found = Vec::new();
        refs(&doc, String::new(), &mut found);
        assert!(!found.is_empty(), "{family:?}: no $ref at all");
        for (at, target) in &found {
            let pointer = target
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{family:?} {at}: `{target}` is not local"));
            assert!(
                doc.pointer(pointer).is_some(),
                "{family:?} {at}: `{target}` resolves to nothing"
            );
        }
        for name in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name)
        {
            let target = format!("#/components/schemas/{name}");
            assert!(
                found.iter().any(|(_, t)| *t == target),
                "{family:?}: the schema `{name}` is never referred to"
            );
        }
    }
}

#[test]
fn the_operations_use_the_declared_security_schemes_and_media_types() {
    let api = support::spec();
    for family in FAMILIES {
        let doc = openapi::document(api, family);
        let schemes = doc["components"]["securitySchemes"]
            .as_object()
            .expect("security schemes");
        for (operation, _) in operations(&doc) {
            let (method, path) = operation
                .trim_start_matches("webhook ")
                .split_once(' ')
                .expect("METHOD path");
            let section = if operation.starts_with("webhook ") {
                "webhooks"
            } else {
                "paths"
            };
            let op = &doc[section][path][method.to_lowercase()];
            for requirement in op["security"].as_array().expect("security") {
                for (name, _) in requirement.as_object().expect("a requirement") {
                    assert!(
                        schemes.contains_key(name),
                        "{operation}: `{name}` is not declared"
                    );
                }
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for media in content.keys() {
                    assert!(
                        [
                            "application/x-www-form-urlencoded",
                            "multipart/form-data",
                            "application/json"
                        ]
                        .contains(&media.as_str()),
                        "{operation}: request in {media}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_committed_documents_are_the_generated_ones() {
    let api = support::spec();
    let files = openapi::files(api);
    assert_eq!(files.len(), FAMILIES.len());
    for (path, text) in files {
        let committed = std::fs::read_to_string(support::workspace().join(&path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            committed == text,
            "{path} is stale: run `cargo run -p codegen -- generate`"
        );
    }
}
