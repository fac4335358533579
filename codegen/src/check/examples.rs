//! The examples' rules, over the IR: an example's request must give every
//! required field and hold values its fields accept; read by the generated
//! type and sent again, it must come out unchanged: fields in the message's
//! wire order, merchant parameters last, each value written as it is sent. Its
//! response must be well-formed XML carrying every required response field.
//! The generated tests then prove the same with the generated types.
//!
//! Lowering has read the YAML into [`Params`], reporting and leaving out what
//! it could not read (and the `pg_` names the message does not define).

use freedompay_core::rules;
use freedompay_core::{Params, ValidationErrors, Value};

use super::Report;
use crate::ir::{Endpoint, Example, Field, LeftOut, Message, Origin, Type};
use crate::spec::{FilledBy, ListStyle};
use crate::values::{sent_as, value_problems};

/// Reports at paths below one example.
struct At<'r, 'a> {
    report: &'r mut Report<'a>,
    origin: &'r Origin,
}

impl At<'_, '_> {
    fn error(&mut self, path: &str, field: &str, message: impl Into<String>) {
        self.report.error(self.origin, path, field, message);
    }
}

/// Checks the examples of `endpoint` against its messages. While some entry
/// of its messages could not be lowered (the IR records which, in `left_out`),
/// an example is not resent: it may set that entry.
pub(super) fn endpoint(report: &mut Report<'_>, endpoint: &Endpoint, left_out: &LeftOut) {
    let complete = !left_out.unlowered.contains_key(&endpoint.origin.file);
    for example in &endpoint.examples {
        let mut at = At {
            report,
            origin: &example.origin,
        };
        check(&mut at, example, endpoint, complete);
    }
}

fn check(at: &mut At<'_, '_>, example: &Example, endpoint: &Endpoint, complete: bool) {
    let request = &endpoint.request;
    if endpoint.is_json() {
        let mut problems = Vec::new();
        if let Some(body) = &example.body {
            super::json_examples::body("request", body, &request.fields, &mut problems);
        }
        if let Some(text) = &example.response {
            match &endpoint.response {
                Some(response) => super::json_examples::answer(text, response, &mut problems),
                None => problems.push((
                    "response".to_owned(),
                    String::new(),
                    "the endpoint has no response message to check this example against".to_owned(),
                )),
            }
        }
        if let (Some(jws), Some(body)) = (&example.jws, &example.body) {
            jws_vector(endpoint, jws, body, &mut problems);
        }
        if example.string_to_sign.is_some() {
            problems.push((
                "string_to_sign".to_owned(),
                String::new(),
                "a JSON request is signed by its `jws`, not a string to sign".to_owned(),
            ));
        }
        for (path, field, message) in problems {
            at.error(&path, &field, message);
        }
        return;
    }
    values(at, "request", &example.request, &request.fields);
    if complete {
        resent(
            at,
            "request",
            &example.request,
            &request.fields,
            endpoint.direction.outgoing(),
        );
    }
    for field in request
        .fields
        .iter()
        .filter(|f| f.required && f.filled_by.is_none())
    {
        if !example.request.contains(&field.wire) {
            at.error(
                "request",
                &field.wire,
                format!("the example lacks the required field `{}`", field.wire),
            );
        }
    }
    if let Some(body) = &example.response {
        response(at, body, endpoint.response.as_ref());
    }
}

/// A documented `X-JWS-Signature` must be the signature of the body as the
/// generated type sends it (compact, in the example's order, which the
/// checks above hold to the message's), with the endpoint's path, method and
/// algorithm.
fn jws_vector(
    endpoint: &Endpoint,
    jws: &crate::spec::JwsExample,
    body: &serde_json::Value,
    problems: &mut Vec<(String, String, String)>,
) {
    use freedompay_core::jws::{self, Expected};
    let expected = Expected {
        uri: endpoint.path.as_deref().unwrap_or_default(),
        method: endpoint.method.name(),
        alg: endpoint.jws_algorithm(),
    };
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let key = freedompay_core::signature::SecretKey::new(jws.key.as_str());
    match jws::verify(&jws.signature, &bytes, &key, &expected) {
        Ok(header) if header.auth_id != jws.auth_id => problems.push((
            "jws.auth_id".to_owned(),
            String::new(),
            format!("the signature's header names auth_id `{}`", header.auth_id),
        )),
        Ok(_) => {}
        Err(error) => problems.push((
            "jws.signature".to_owned(),
            String::new(),
            format!("the documented signature does not verify over the compact body with this endpoint's path, method and algorithm: {error}"),
        )),
    }
}

fn response(at: &mut At<'_, '_>, body: &str, response: Option<&Message>) {
    let Some(message) = response else {
        at.error(
            "response",
            "",
            "the endpoint has no response message to check this example against",
        );
        return;
    };
    match freedompay_core::xml::parse(body) {
        Err(e) => at.error(
            "response",
            "",
            format!("the example response is not well-formed XML: {e}"),
        ),
        Ok(parsed) => {
            let parsed = parsed.params;
            for field in message
                .fields
                .iter()
                .filter(|f| f.required && f.filled_by.is_none())
            {
                if !parsed.contains(&field.wire) {
                    at.error(
                        "response",
                        &field.wire,
                        format!(
                            "the example response lacks the required field `{}`",
                            field.wire
                        ),
                    );
                }
            }
        }
    }
}

/// The values of `params` against their `fields`: each value under its
/// field's rules, each list under its length limits, each item complete.
/// Names without a field (merchant parameters, entries not lowered) are not
/// checked here.
fn values(at: &mut At<'_, '_>, path: &str, params: &Params, fields: &[Field]) {
    for (name, value) in params.iter() {
        let Some(field) = fields.iter().find(|f| f.wire == name) else {
            continue;
        };
        let vpath = format!("{path}.{name}");
        match (&field.ty, value) {
            (ty, Value::Nested(list)) if ty.is_list() => {
                let items: Vec<&Value> = list.iter().map(|(_, item)| item).collect();
                let mut broken = ValidationErrors::default();
                if let Some(min) = field.constraints.min_items {
                    rules::min_items(&mut broken, name, &items, min as usize);
                }
                if let Some(max) = field.constraints.max_items {
                    rules::max_items(&mut broken, name, &items, max as usize);
                }
                for problem in broken.iter() {
                    at.error(
                        &vpath,
                        name,
                        format!(
                            "the example list breaks its field's rules: {}",
                            problem.message
                        ),
                    );
                }
                let Type::List {
                    fields: item_fields,
                    ..
                } = ty
                else {
                    // A list of text values: any text is an item.
                    for (i, item) in list.iter() {
                        if let Value::Nested(_) = item {
                            at.error(
                                &format!("{vpath}[{i}]"),
                                name,
                                "an item of a `text_list` is a text value",
                            );
                        }
                    }
                    continue;
                };
                for (i, item) in list.iter() {
                    let Value::Nested(item) = item else { continue };
                    let ipath = format!("{vpath}[{i}]");
                    values(at, &ipath, item, item_fields);
                    for f in item_fields.iter().filter(|f| f.required) {
                        if !item.contains(&f.wire) {
                            at.error(
                                &ipath,
                                &f.wire,
                                format!("the example item lacks the required field `{}`", f.wire),
                            );
                        }
                    }
                }
            }
            // Filled fields (salt, signature) take any text; the salt is part of the example.
            (_, Value::Text(text)) if field.filled_by.is_none() => {
                for problem in value_problems(field, text) {
                    at.error(
                        &vpath,
                        name,
                        format!("the example value `{text}` breaks its field's rules: {problem}"),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Reads `params` as the generated type of `fields` does and writes it back,
/// reporting where the result would differ from the example: a value not
/// written as it is sent (`10.50` goes out as `10.5`), an empty optional value
/// (read as absent, not sent), and fields out of the message's wire order
/// (typed fields go out in that order, then the merchant parameters). Salt,
/// signature and, for what the client sends, the merchant id are filled by the
/// client and left out; unknown `pg_` names are reported by lowering, which leaves them out.
fn resent(at: &mut At<'_, '_>, path: &str, params: &Params, fields: &[Field], outgoing: bool) {
    let typed = |name: &str| {
        fields.iter().find(|f| {
            f.wire == name
                && match f.filled_by {
                    None => true,
                    Some(FilledBy::MerchantId) => !outgoing,
                    Some(FilledBy::Salt | FilledBy::Signature) => false,
                }
        })
    };
    let mut given = Vec::new();
    let mut extras = Vec::new();
    for (name, value) in params.iter() {
        let Some(field) = typed(name) else {
            let filled = fields.iter().any(|f| f.wire == name)
                || matches!(name, "pg_salt" | "pg_sig" | "pg_merchant_id");
            if !filled && !name.starts_with("pg_") {
                given.push(name);
                extras.push(name);
            }
            continue;
        };
        let vpath = format!("{path}.{name}");
        match (&field.ty, value) {
            (Type::List { fields: items, style, .. }, Value::Nested(list)) => {
                if *style == ListStyle::Indexed {
                    for (i, (_, item)) in list.iter().enumerate() {
                        if let Value::Nested(item) = item {
                            resent(at, &format!("{vpath}[{i}]"), item, items, outgoing);
                        }
                    }
                }
                given.push(name);
            }
            (_, Value::Text(text)) => match sent_as(field, text) {
                Ok(Some(sent)) if sent != *text => {
                    at.error(
                        &vpath,
                        name,
                        format!(
                            "the example value `{text}` is sent as `{sent}`: write it as it is sent, or the example does not re-encode to itself"
                        ),
                    );
                    given.push(name);
                }
                Ok(None) => at.error(
                    &vpath,
                    name,
                    "an empty value reads as absent and is not sent: leave the field out, or the example does not re-encode to itself",
                ),
                // Reported as a broken rule of the value, or of its kind, by `values`.
                Ok(Some(_)) | Err(_) => given.push(name),
            },
            _ => given.push(name),
        }
    }
    // Merchant parameters travel as the generated type's extras, under its rules.
    let mut broken = ValidationErrors::default();
    let extra: Params = extras.iter().map(|name| (*name, "")).collect();
    let known: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    rules::extra_names(&mut broken, "", &extra, &known);
    for problem in broken.iter() {
        at.error(
            &format!("{path}.{}", problem.field),
            &problem.field,
            format!(
                "the example's merchant parameter breaks a rule: {}",
                problem.message
            ),
        );
    }
    let sent: Vec<&str> = fields
        .iter()
        .map(|f| f.wire.as_str())
        .filter(|wire| given.contains(wire) && !extras.contains(wire))
        .chain(extras.iter().copied())
        .collect();
    if let Some((early, first)) = given.iter().zip(&sent).find(|(given, sent)| given != sent) {
        at.error(
            &format!("{path}.{early}"),
            early,
            format!(
                "the example lists `{early}` before `{first}`, but the generated type sends `{first}` first: list the fields in the message's wire order, merchant parameters last"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_example_must_give_the_required_fields_and_a_readable_response() {
        let endpoint = "id: e\nrust_name: E\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\npath: /e.php\ncompleteness: F\nrequest:\n  encoding: form\n  signed: false\n  fields:\n    - name: pg_a\n      type: string\n      required: true\n      description: A.\nresponse:\n  encoding: xml\n  signed: false\n  fields:\n    - name: pg_b\n      type: string\n      required: true\n      description: B.\nexamples:\n  - name: empty\n    request: {}\n    response: <response><pg_c>1</pg_c></response>\n  - name: broken\n    request: {pg_a: x}\n    response: <response>\n";
        let errors = crate::compile_texts(&[("spec/e.yaml", endpoint, false)])
            .expect_err("broken examples")
            .to_string();
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 4, "{errors}");
        for expected in [
            "pg_a: the example lacks the required field `pg_a`",
            "pg_b: the example response lacks the required field `pg_b`",
            "the example response is not well-formed XML",
        ] {
            assert!(errors.contains(expected), "{expected}: {errors}");
        }
    }
}
