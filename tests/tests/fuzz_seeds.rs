//! The seed corpus of the fuzz targets in `fuzz/`, written from the spec's
//! examples and files. Not run by default; to rewrite `fuzz/corpus/`:
//!
//! ```sh
//! cargo test -p freedompay-tests --test integration fuzz_seeds -- --ignored
//! ```
//!
//! Each seed starts with the selector byte its target reads (see the doc
//! comment at the top of each file of `fuzz/fuzz_targets/`).

use std::path::Path;

use freedompay::registry::{self, Direction};
use freedompay::signature::{self, SecretKey};
use freedompay::{Params, form, xml};

use crate::support::{spec, workspace};

const SECRET: &str = codegen::ir::TEST_SECRET_KEY;

/// The endpoints `xml_answer` reads, in the order of its selector.
const XML_ANSWER_ENDPOINTS: [&str; 6] = [
    "init_payment",
    "payments_status",
    "payments_refund",
    "card_storage_list",
    "payout_card",
    "payout_status_v2",
];

/// `params` with its `pg_sig` made again for `script` with the test key.
fn resigned(script: &str, mut params: Params) -> Params {
    params.remove(signature::SIG);
    let sig = signature::sign(script, &params, &SecretKey::new(SECRET));
    params.push(signature::SIG, sig);
    params
}

fn write(dir: &Path, name: &str, selector: u8, body: &str) {
    let mut bytes = vec![selector];
    bytes.extend_from_slice(body.as_bytes());
    std::fs::write(dir.join(name), bytes).expect("a seed file");
}

#[test]
#[ignore = "writes fuzz/corpus; run on purpose"]
fn write_fuzz_seed_corpus() {
    let corpus = workspace().join("fuzz").join("corpus");
    let dir = |target: &str| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("a corpus directory");
        dir
    };
    let api = spec();

    // xml_answer: each example answer of its endpoints, as documented and re-signed.
    let xml_dir = dir("xml_answer");
    for (index, id) in XML_ANSWER_ENDPOINTS.iter().enumerate() {
        let endpoint = api.endpoints.iter().find(|e| e.id == *id).expect(id);
        let selector = u8::try_from(index).expect("a small index");
        for example in &endpoint.examples {
            let Some(body) = &example.response else {
                continue;
            };
            let name = format!("{id}-{}", example.name);
            write(&xml_dir, &format!("{name}-documented"), selector, body);
            let message = xml::parse(body).expect("a documented answer parses");
            let signed = xml::write(&message.root, &resigned(&endpoint.script, message.params));
            write(&xml_dir, &format!("{name}-signed"), selector, &signed);
            write(&xml_dir, &format!("{name}-resign"), selector | 0x20, body);
        }
        let error = Params::new()
            .with("pg_status", "error")
            .with("pg_error_code", "340")
            .with("pg_error_description", "Empty merchant");
        let error = xml::write("response", &resigned(&endpoint.script, error));
        write(&xml_dir, &format!("{id}-error-signed"), selector, &error);
    }

    // callback_form and form_brackets: the callbacks' examples, signed;
    // every example request as a form.
    let callback_dir = dir("callback_form");
    let form_dir = dir("form_brackets");
    for endpoint in &api.endpoints {
        for example in &endpoint.examples {
            let params = codegen::emit::markdown::example_params(endpoint, example);
            let name = format!("{}-{}", endpoint.id, example.name);
            let body = form::encode(&params);
            write(&form_dir, &format!("{name}-form"), 0, &body);
            let pairs: Vec<String> = form::to_pairs(&params)
                .into_iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            write(&form_dir, &format!("{name}-pairs"), 1, &pairs.join("\n"));
            let selector = match endpoint.id.as_str() {
                "result" => 0,
                "check" => 1,
                _ => continue,
            };
            let signed = form::encode(&resigned(&endpoint.script, params.clone()));
            write(&callback_dir, &format!("{name}-signed"), selector, &signed);
            write(
                &callback_dir,
                &format!("{name}-resign"),
                selector | 2,
                &body,
            );
            let document = xml::write("request", &resigned(&endpoint.script, params));
            let pg_xml = form::encode(&Params::new().with("pg_xml", document));
            write(&callback_dir, &format!("{name}-pg_xml"), selector, &pg_xml);
        }
    }

    // sandbox_request: every request example, signed, at its path.
    let sandbox_dir = dir("sandbox_request");
    let served = registry::ENDPOINTS
        .iter()
        .filter(|e| e.direction != Direction::Callback && e.path.is_some());
    for (index, info) in served.enumerate() {
        let id = info.id;
        let endpoint = api.endpoints.iter().find(|e| e.id == id).expect(id);
        let get = info.method == freedompay::HttpMethod::Get;
        let selector = (u8::try_from(index).expect("a small index") << 2) | if get { 2 } else { 0 };
        for example in &endpoint.examples {
            let params = codegen::emit::markdown::example_params(endpoint, example);
            let name = format!("{id}-{}", example.name);
            let signed = form::encode(&resigned(&endpoint.script, params.clone()));
            write(&sandbox_dir, &format!("{name}-signed"), selector, &signed);
            write(
                &sandbox_dir,
                &format!("{name}-resign"),
                selector | 1,
                &form::encode(&params),
            );
        }
    }

    // spec_loader: the spec's own files (shared ones marked as such).
    let loader_dir = dir("spec_loader");
    let root = workspace().join("spec");
    for group in ["shared", "merchant"] {
        for entry in walk(&root.join(group)) {
            let text = std::fs::read_to_string(&entry).expect("a spec file");
            let file = entry.file_name().and_then(|n| n.to_str()).expect("a name");
            let (name, seed) = if group == "shared" {
                (
                    format!("shared-{file}"),
                    format!("# shared: {file}\n{text}"),
                )
            } else {
                let parent = entry
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str());
                (format!("{}-{file}", parent.unwrap_or_default()), text)
            };
            std::fs::write(loader_dir.join(name), seed).expect("a seed file");
        }
    }
}

/// The YAML files under `dir`, in path order.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a spec directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    files
}
