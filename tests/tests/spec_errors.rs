//! Spec validation: each file of a corpus of bad spec files, compiled with a
//! small set of shared definitions, gives located error messages, all at once.
//! The messages are snapshotted; the spec files themselves validate against
//! the format's JSON Schema.

use std::path::Path;

use crate::support::workspace;

fn fixtures() -> std::path::PathBuf {
    workspace().join("tests/fixtures/spec-errors")
}

fn compile_fixture(path: &Path) -> String {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let text = std::fs::read_to_string(path).expect("fixture");
    let name = format!(
        "spec/fixtures/{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    );
    match codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        (&name, &text, false),
    ]) {
        Ok(_) => panic!("{name} compiled, but it is meant to fail"),
        Err(diagnostics) => {
            assert!(
                diagnostics.iter().all(|d| d.line.is_some()),
                "an error without a line:\n{diagnostics}"
            );
            diagnostics.to_string()
        }
    }
}

#[test]
fn bad_spec_files_give_located_errors() {
    insta::glob!("../fixtures/spec-errors", "*.yaml", |path| {
        if path.file_name().is_some_and(|n| n == "_shared.yaml") {
            return;
        }
        insta::assert_snapshot!(compile_fixture(path));
    });
}

#[test]
fn every_error_of_a_file_is_reported_at_once() {
    let report = compile_fixture(&fixtures().join("contradicting-constraints.yaml"));
    let count = report.lines().filter(|l| l.starts_with("error: ")).count();
    assert!(count >= 6, "expected every problem, got:\n{report}");
}

#[test]
fn duplicate_ids_across_files_are_reported() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let endpoint = "id: same\nrust_name: Same\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\npath: /same.php\ncompleteness: F\nrequest:\n  encoding: form\n  fields: []\n";
    let err = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/a.yaml", endpoint, false),
        ("spec/b.yaml", endpoint, false),
    ])
    .expect_err("duplicate ids must fail")
    .to_string();
    assert!(
        err.contains("spec/b.yaml:1:1: same: endpoint id `same` is also used by spec/a.yaml"),
        "{err}"
    );
}

#[test]
fn the_real_spec_compiles_cleanly() {
    crate::support::spec();
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("spec dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_spec_file_validates_against_the_committed_schema() {
    let schema_text = std::fs::read_to_string(workspace().join("spec/schema.json"))
        .expect("spec/schema.json is committed");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut files = Vec::new();
    yaml_files(&workspace().join("spec"), &mut files);
    assert!(files.len() >= 6, "spec files found: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let value: serde_json::Value = serde_yaml::from_str(&text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{} breaks the schema: {errors:?}",
            file.display()
        );
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{} does not point editors at the schema",
            file.display()
        );
    }
    // And the schema rejects a typo'd key, so the test above can fail.
    let bad: serde_json::Value =
        serde_yaml::from_str("id: x\nrust_name: X\ntitl: T\n").expect("YAML");
    assert!(!validator.is_valid(&bad));
}

/// Reference data in the shared files: duplicate codes and names, a missing
/// unsigned code, bad test cards and phones, and index rows that are neither
/// covered nor explained, or name unknown endpoints; and an endpoint no row names.
#[test]
fn bad_reference_data_gives_located_errors() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let reference = "\
errors:
  - code: 10
    rust: First
    description: A meaning.
    source: freedompay
  - code: 10
    rust: Second
    description: Another meaning.
    source: paybox
  - code: 11
    rust: First
    description: A third meaning.
    source: platron
test_cards:
  - number: \"12ab\"
    use: payout
    outcome: success
    error_code: 5
    three_ds: available
    description: Not a card.
    source: nowhere
test_phones:
  - operator: KCELL
    phone: \"77-01\"
    code: \"1\"
    description: Not a phone.
    source: nowhere
reference_index:
  - number: \"1\"
    name: Neither covered nor explained
  - number: \"1\"
    name: Both
    covered_by: [nope]
    not_covered: because
";
    let endpoint = "id: lonely\nrust_name: Lonely\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\npath: /lonely.php\ncompleteness: F\nrequest:\n  encoding: form\n  fields: []\n";
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/shared/reference.yaml", reference, true),
        ("spec/lonely.yaml", endpoint, false),
    ])
    .expect_err("bad reference data must fail")
    .to_string();
    insta::assert_snapshot!(report);
}

/// An endpoint file with three typos of different kinds, and the index row
/// that names it.
const THREE_TYPOS: &str = "\
id: three_typos
rust_name: ThreeTypos
title: Fixture
description: A fixture endpoint with three typos.
api: merchant
group: fixtures
direction: request
path: /three_typos.php
completeness: F
request:
  encoding: form
  fields:
    - ref: merchant_id
    - name: pg_description
      type: strng
      description: What is paid for.
    - name: pg_order_id
      type: string
      max_lenght: 50
      description: Order id.
    - name: pg_language
      type: enum
      enum: langauge
      description: Page language.
    - ref: salt
    - ref: sig
examples:
  - name: documented
    request:
      pg_description: test
      pg_order_id: \"23\"
      pg_language: ru
      pg_salt: molbulak
";

const INDEX: &str = "\
reference_index:
  - number: \"1\"
    name: Three typos
    covered_by: [three_typos]
";

/// A misspelt type, a misspelt key and an unknown enum id are reported
/// together, each with its line and field; nothing else is (neither what the
/// broken fields would break in the example, nor the index row naming the file).
#[test]
fn every_mistake_of_a_file_is_reported_and_nothing_else() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/shared/index.yaml", INDEX, true),
        ("spec/fixtures/three-typos.yaml", THREE_TYPOS, false),
    ])
    .expect_err("three typos")
    .to_string();
    assert_eq!(
        report,
        "\
error: spec/fixtures/three-typos.yaml:15:13: request.fields[1].type: unknown value `strng`, expected one of `string`, `integer`, `amount`, `decimal`, `flag`, `boolean`, `enum`, `url`, `email`, `phone`, `ip`, `date_time`, `card_number`, `card_cvc`, `card_month`, `card_year`, `list`, `text_list`, `object` (did you mean `string`?)
error: spec/fixtures/three-typos.yaml:19:7: request.fields[2].max_lenght: unknown field `max_lenght` (did you mean `max_length`?)
error: spec/fixtures/three-typos.yaml:23:7: pg_language: unknown enum `langauge` (did you mean `language`?)
3 errors in the spec"
    );
}

/// A file that cannot be read at all reports why, and only that: the index
/// row naming its id is not an error of its own.
#[test]
fn an_unreadable_file_is_not_reported_again_elsewhere() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let broken = THREE_TYPOS.replace("title: Fixture", "title: [Fixture");
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/shared/index.yaml", INDEX, true),
        ("spec/fixtures/three-typos.yaml", &broken, false),
    ])
    .expect_err("a syntax error")
    .to_string();
    assert_eq!(report.lines().count(), 2, "{report}");
    assert!(
        report.starts_with("error: spec/fixtures/three-typos.yaml:4:"),
        "{report}"
    );

    // A shared file that cannot be read: what may refer into it (shared
    // fields, enums, the implied salt and signature) is not reported as
    // unknown; the endpoint's shape mistakes still are.
    let typo = THREE_TYPOS.replace("- ref: salt", "- ref: slat");
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", "fields: [", true),
        ("spec/fixtures/three-typos.yaml", &typo, false),
    ])
    .expect_err("a syntax error")
    .to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 4, "{report}");
    assert!(
        lines[0].starts_with("error: spec/fixtures/three-typos.yaml:15:13: request.fields[1].type: unknown value `strng`")
            && lines[1].starts_with("error: spec/fixtures/three-typos.yaml:19:7: request.fields[2].max_lenght: unknown field")
            && lines[2].starts_with("error: spec/shared/fixtures.yaml:2:1: ")
            && lines[2].ends_with("did not find expected node content"),
        "{report}"
    );
}

/// Examples that the generated type would not send back unchanged: codegen
/// reports each place with its line and the reason, as the generated-type test
/// (`spec_examples`) would only fail on.
#[test]
fn examples_that_do_not_re_encode_to_themselves_are_reported() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml")).expect("shared fixture");
    let endpoint = "\
id: not_as_sent
rust_name: NotAsSent
title: Fixture
description: A fixture endpoint whose examples do not re-encode to themselves.
api: merchant
group: fixtures
direction: request
path: /not_as_sent.php
completeness: F
request:
  encoding: form
  fields:
    - ref: merchant_id
    - ref: amount
    - name: pg_description
      type: string
      required: true
      description: What is paid for.
    - name: pg_lifetime
      type: integer
      description: Seconds.
    - name: pg_items
      type: list
      max_items: 1
      items:
        - name: count
          type: integer
          required: true
          description: How many.
        - name: name
          type: string
          required: true
          description: What.
      description: Items.
    - ref: salt
    - ref: sig
examples:
  - name: out-of-order
    request:
      pg_description: test
      pg_amount: \"10\"
      pg_salt: molbulak
  - name: not-as-sent
    request:
      pg_amount: \"10.50\"
      pg_description: test
      pg_lifetime: \"\"
      pg_items:
        - name: pen
          count: \"01\"
        - count: \"2\"
          name: cup
      cart: A-17
      \"bad[name]\": x
  - name: as-sent
    request:
      pg_merchant_id: \"1\"
      pg_amount: \"10.5\"
      pg_description: test
      pg_lifetime: \"300\"
      pg_items:
        - count: \"1\"
          name: pen
      pg_salt: molbulak
      cart: A-17
";
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/fixtures/not-as-sent.yaml", endpoint, false),
    ])
    .expect_err("examples that do not re-encode")
    .to_string();
    assert_eq!(
        report,
        "\
error: spec/fixtures/not-as-sent.yaml:40:7: pg_description: the example lists `pg_description` before `pg_amount`, but the generated type sends `pg_amount` first: list the fields in the message's wire order, merchant parameters last
error: spec/fixtures/not-as-sent.yaml:45:7: pg_amount: the example value `10.50` is sent as `10.5`: write it as it is sent, or the example does not re-encode to itself
error: spec/fixtures/not-as-sent.yaml:47:7: pg_lifetime: an empty value reads as absent and is not sent: leave the field out, or the example does not re-encode to itself
error: spec/fixtures/not-as-sent.yaml:48:7: pg_items: the example list breaks its field's rules: must have at most 1 items, got 2
error: spec/fixtures/not-as-sent.yaml:49:11: name: the example lists `name` before `count`, but the generated type sends `count` first: list the fields in the message's wire order, merchant parameters last
error: spec/fixtures/not-as-sent.yaml:50:11: count: the example value `01` is sent as `1`: write it as it is sent, or the example does not re-encode to itself
error: spec/fixtures/not-as-sent.yaml:54:7: bad[name]: the example's merchant parameter breaks a rule: an extra parameter name may not contain brackets, spaces, `<`, `>`, `&` or `=`
7 errors in the spec"
    );
}

/// A shared definition with a shape mistake is reported once, in its file;
/// the endpoints using it, and their examples, are not reported for it.
#[test]
fn a_broken_shared_definition_is_reported_once() {
    let shared = std::fs::read_to_string(fixtures().join("_shared.yaml"))
        .expect("shared fixture")
        .replace("type: amount", "type: amonut")
        .replace("filled_by: salt", "filled_by: slat");
    let endpoint = "\
id: uses_amount
rust_name: UsesAmount
title: Fixture
description: A fixture endpoint using broken shared fields.
api: merchant
group: fixtures
direction: request
path: /uses_amount.php
completeness: F
request:
  encoding: form
  fields:
    - ref: amount
    - ref: salt
examples:
  - name: documented
    request:
      pg_amount: \"10.50\"
      pg_salt: molbulak
";
    let report = codegen::compile_texts(&[
        ("spec/shared/fixtures.yaml", &shared, true),
        ("spec/fixtures/uses-amount.yaml", endpoint, false),
    ])
    .expect_err("broken shared fields")
    .to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 3, "{report}");
    assert!(
        lines[0].starts_with(
            "error: spec/shared/fixtures.yaml:13:16: fields[1].filled_by: unknown value `slat`"
        ) && lines[1].starts_with(
            "error: spec/shared/fixtures.yaml:23:11: fields[3].type: unknown value `amonut`"
        ) && lines[2] == "2 errors in the spec",
        "{report}"
    );
}
