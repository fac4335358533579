//! The spec's rule for what a gateway message requires: a response or callback
//! field is required only when every example answer or callback of that
//! endpoint carries it. An answer the documentation shows must decode, so a
//! field that one documented answer lacks can never be required. (Whether an
//! answer carries `pg_salt` and `pg_sig` is the message's `signed` flag.)

use codegen::ir::{Endpoint, Message};
use codegen::spec::{Direction, FilledBy};
use freedompay::{Params, xml};

use crate::support::spec;

/// The message the gateway sends for `endpoint` (the response of a request,
/// the callback itself) and its documented examples' parameters.
fn gateway_messages(endpoint: &Endpoint) -> Option<(&Message, Vec<(String, Params)>)> {
    match endpoint.direction {
        Direction::Callback => {
            let examples = endpoint
                .examples
                .iter()
                .map(|example| (example.name.clone(), example.request.clone()))
                .collect();
            Some((&endpoint.request, examples))
        }
        Direction::Request | Direction::Redirect => {
            let response = endpoint.response.as_ref()?;
            let examples = endpoint
                .examples
                .iter()
                .filter_map(|example| {
                    let body = example.response.as_ref()?;
                    let parsed = xml::parse(body).unwrap_or_else(|e| {
                        panic!("{} example {}: {e}", endpoint.id, example.name)
                    });
                    Some((example.name.clone(), parsed.params))
                })
                .collect();
            Some((response, examples))
        }
    }
}

/// Whether an example is an error answer (`pg_status` = `error`): it answers
/// with the error fields only, so the success fields are not expected there.
fn is_error_answer(params: &Params) -> bool {
    params.get_text("pg_status") == Some("error")
}

#[test]
fn every_required_gateway_field_is_in_every_documented_example() {
    let mut violations = Vec::new();
    let mut checked = 0;
    for endpoint in spec().form_endpoints() {
        let Some((message, examples)) = gateway_messages(endpoint) else {
            continue;
        };
        for (name, params) in &examples {
            if is_error_answer(params) {
                continue;
            }
            checked += 1;
            // `pg_salt` and `pg_sig` follow the message's `signed` flag (the
            // examples of callbacks are stored unsigned and signed by the tests).
            let protocol = |f: &&codegen::ir::Field| {
                matches!(f.filled_by, Some(FilledBy::Salt | FilledBy::Signature))
            };
            for field in message.fields.iter().filter(|f| f.required && !protocol(f)) {
                if !params.contains(&field.wire) {
                    violations.push(format!(
                        "{}: required field {} is missing from example {name} ({})",
                        endpoint.id, field.wire, endpoint.origin.file
                    ));
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} examples checked");
    assert!(
        violations.is_empty(),
        "a field one documented example lacks cannot be required:\n{}",
        violations.join("\n")
    );
}
