//! Emitters: Rust, Markdown, JSON Schema and OpenAPI from the IR.

pub mod client;
pub mod describe;
pub mod example_dispatch;
pub mod features;
pub mod markdown;
pub mod openapi;
pub mod reference;
pub mod registry;
pub mod rust;
pub mod schema;
pub mod scope;

use std::collections::BTreeMap;

use crate::ir::Api;

/// The items of the `freedompay` crate root that generated code imports by name.
pub(crate) const CRATE_ITEMS: &[&str] = &[
    "Amount",
    "Builder",
    "CardNumber",
    "Callback",
    "Client",
    "Decimal",
    "Decode",
    "Effect",
    "Encode",
    "Endpoint",
    "Error",
    "GatewayError",
    "HttpMethod",
    "Params",
    "Redirect",
    "Replied",
    "Response",
    "Sensitive",
    "Sign",
    "ToWire",
    "Validate",
    "WireEnum",
    "form",
];

/// Every committed artifact, by path relative to the workspace root.
pub fn committed_files(api: &Api) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("spec/schema.json".to_owned(), schema::spec_format());
    files.insert("docs/README.md".to_owned(), markdown::index(api));
    files.insert(
        "docs/errors.md".to_owned(),
        reference::errors_page(&api.reference),
    );
    files.insert(
        "docs/test-data.md".to_owned(),
        reference::test_data_page(api),
    );
    for endpoint in &api.endpoints {
        let mut page = markdown::page(endpoint);
        page.push('\n');
        files.insert(format!("docs/{}", markdown::page_path(endpoint)), page);
        for (name, json) in schema::endpoint(endpoint) {
            files.insert(format!("docs/schemas/{name}"), json);
        }
    }
    files.extend(openapi::files(api));
    files
}
