//! Adding an endpoint takes YAML alone: in a copy of the workspace, a new
//! endpoint file and its index row are written, the copy is built (codegen
//! runs in the client's build script), and a small program calls the new
//! endpoint through the client against the sandbox, which answers it from the
//! spec, signed.
//!
//! The copy builds in the workspace's own target directory (cargo releases it
//! while tests run), so only the workspace's crates are compiled again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The new endpoint, as a maintainer writes it: shared fields only.
const ENDPOINT: &str = r#"# yaml-language-server: $schema=../../schema.json
id: payments_order_lookup
rust_name: OrderLookup
title: Order lookup
description: |
  Looks an order up by the merchant's order id (an endpoint added by the YAML-only test).
api: merchant
group: payments
direction: request
method: POST
path: /order_lookup.php
completeness: S
sources:
  - "[test] yaml_only"
request:
  encoding: form
  fields:
    - ref: merchant_id
    - ref: order_id
      required: true
      example: "00102"
      description: The merchant's identifier of the order.
    - ref: salt
    - ref: sig
response:
  encoding: xml
  fields:
    - ref: status
      required: true
    - ref: payment_id
      required: true
      description: Freedom Pay's identifier of the payment.
    - ref: order_id
      required: true
      description: The merchant's identifier of the order.
    - ref: salt
    - ref: sig
examples:
  - name: documented
    request:
      pg_order_id: "00102"
      pg_salt: some random string
    response: |
      <?xml version="1.0" encoding="utf-8"?>
      <response>
          <pg_status>ok</pg_status>
          <pg_payment_id>4567</pg_payment_id>
          <pg_order_id>00102</pg_order_id>
          <pg_salt>some random string</pg_salt>
          <pg_sig>placeholder</pg_sig>
      </response>
"#;

/// Its row in the documentation's index.
const INDEX_ROW: &str = r#"
  - number: "T1"
    name: Order lookup (YAML-only test)
    path: /order_lookup.php
    covered_by: [payments_order_lookup]
"#;

/// The program that calls it: the test's Rust, not the maintainer's.
const PROGRAM: &str = r#"
use freedompay::merchant::payments::OrderLookupRequest;
use freedompay::{Client, Config};

#[tokio::main]
async fn main() {
    let sandbox = freedompay_sandbox::Sandbox::start().await.expect("the sandbox starts");
    let client = Client::new(Config::new("12345", "mysecret").host(sandbox.host()))
        .expect("a client");
    let answer = client
        .send(&OrderLookupRequest::new("order-77"))
        .await
        .expect("the sandbox answers the new endpoint, signed");
    println!(
        "status={} payment_id={} order_id={}",
        answer.status, answer.payment_id, answer.order_id
    );
}
"#;

const MANIFEST: &str = r#"[package]
name = "yaml-only"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
freedompay.workspace = true
freedompay-sandbox.workspace = true
tokio = { workspace = true }
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace")
        .to_owned()
}

/// Copies `from` into `to`, symbolic links as links, leaving out build output.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&source).unwrap(), &dest).unwrap();
        } else if kind.is_dir() {
            copy_tree(&source, &dest);
        } else {
            fs::copy(&source, &dest).unwrap();
        }
    }
}

#[test]
fn a_new_endpoint_needs_only_its_yaml() {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let copy = target.join("yaml-only-workspace");
    let _ = fs::remove_dir_all(&copy);
    for part in ["codegen", "macros", "generated-client", "sandbox", "spec"] {
        copy_tree(&root.join(part), &copy.join(part));
    }
    fs::copy(root.join("Cargo.lock"), copy.join("Cargo.lock")).unwrap();
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = r#"["codegen", "macros", "generated-client", "generated-client/core", "sandbox", "yaml-only"]"#;
    let manifest: String = manifest
        .lines()
        .map(|line| {
            if line.starts_with("members =") {
                format!("members = {members}")
            } else if line.starts_with("default-members =") {
                format!("default-members = {members}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(copy.join("Cargo.toml"), manifest).unwrap();

    // What the maintainer writes: the endpoint file and its index row.
    fs::write(
        copy.join("spec/merchant/payments/order_lookup.yaml"),
        ENDPOINT,
    )
    .unwrap();
    let index = copy.join("spec/shared/index.yaml");
    let mut rows = fs::read_to_string(&index).unwrap();
    rows.push_str(INDEX_ROW);
    fs::write(&index, rows).unwrap();

    // What the test adds to call it.
    fs::create_dir_all(copy.join("yaml-only/src")).unwrap();
    fs::write(copy.join("yaml-only/Cargo.toml"), MANIFEST).unwrap();
    fs::write(copy.join("yaml-only/src/main.rs"), PROGRAM).unwrap();

    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "-p", "yaml-only"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTC_WRAPPER")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the copy with the new endpoint did not build or run:\n{stderr}\n{stdout}"
    );
    // The spec's example answer, with the request's own order id put in.
    assert_eq!(
        stdout.trim(),
        "status=ok payment_id=4567 order_id=order-77",
        "{stderr}"
    );
    let _ = fs::remove_dir_all(&copy);
}
