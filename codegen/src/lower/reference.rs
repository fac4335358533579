//! Lowering the reference data of the shared files: error codes, test cards
//! and phones, and the index of every endpoint the documentation lists.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostics;
use crate::ir::{Endpoint, Reference};
use crate::load::RawSpec;
use crate::lower::Ctx;
use crate::names::{did_you_mean, rust_type_name};
use crate::spec::{self, TestCardUse, TestOutcome};

fn trimmed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowers and checks the reference data of every shared file.
pub(crate) fn lower(
    raw: &RawSpec,
    endpoints: &[Endpoint],
    mobile_operators: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) -> Reference {
    let mut reference = Reference::default();
    let mut codes: BTreeMap<i64, String> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    let mut rows: BTreeSet<(spec::ApiName, String)> = BTreeSet::new();
    let mut covered: BTreeMap<String, String> = BTreeMap::new();
    // Every id a file declares counts, also when its endpoint could not be
    // lowered or its file not read: its own problems are reported there.
    let ids: Vec<&str> = raw
        .endpoints
        .iter()
        .map(|(_, file)| file.id.as_str())
        .chain(raw.failed.iter().filter_map(|f| f.id.as_deref()))
        .collect();
    let ids_unknown = raw.failed.iter().any(|f| !f.shared && f.id.is_none())
        || raw.endpoints.iter().any(|(s, _)| s.damage().hides("id"));
    // Checks across a section are left out when part of it could not be read.
    let shared_failed = raw.failed.iter().any(|f| f.shared);
    let damaged =
        |section: &str| shared_failed || raw.shared.iter().any(|(s, _)| s.damage().within(section));
    let mut index_seen = false;

    for (source, file) in &raw.shared {
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        for (i, error) in file.errors.iter().enumerate() {
            let path = format!("errors[{i}]");
            let field = error.code.to_string();
            if let Some(problem) = rust_type_name(&error.rust) {
                cx.error(&format!("{path}.rust"), &field, problem);
            }
            if error.rust == "Unknown" {
                cx.error(
                    &format!("{path}.rust"),
                    &field,
                    "`Unknown` is reserved for codes the spec does not list",
                );
            }
            if let Some(first) = codes.get(&error.code) {
                cx.error(
                    &format!("{path}.code"),
                    &field,
                    format!("code {} is already listed as `{first}`", error.code),
                );
                continue;
            }
            if !names.insert(error.rust.clone()) {
                cx.error(
                    &format!("{path}.rust"),
                    &field,
                    format!("variant name `{}` is used twice", error.rust),
                );
            }
            codes.insert(error.code, error.rust.clone());
            reference.errors.push(spec::ErrorCode {
                description: trimmed(&error.description),
                note: error.note.as_deref().map(trimmed),
                ..error.clone()
            });
        }
        for (i, card) in file.test_cards.iter().enumerate() {
            let path = format!("test_cards[{i}]");
            test_card(&mut cx, &path, card, &mut numbers);
            reference.test_cards.push(spec::TestCard {
                description: trimmed(&card.description),
                ..card.clone()
            });
        }
        for (i, phone) in file.test_phones.iter().enumerate() {
            let path = format!("test_phones[{i}]");
            if !mobile_operators.contains(&phone.operator) && !damaged("enums") {
                let known: Vec<&str> = mobile_operators.iter().map(String::as_str).collect();
                cx.error(
                    &format!("{path}.operator"),
                    &phone.phone,
                    format!(
                        "`{}` is not a value of the `mobile_operator` enum{}",
                        phone.operator,
                        did_you_mean(&phone.operator, &known)
                    ),
                );
            }
            let digits = phone.phone.strip_prefix('+').unwrap_or(&phone.phone);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                cx.error(
                    &format!("{path}.phone"),
                    &phone.phone,
                    "a phone number is digits with an optional leading `+`",
                );
            }
            if !numbers.insert(phone.phone.clone()) {
                cx.error(
                    &format!("{path}.phone"),
                    &phone.phone,
                    "this number is listed twice",
                );
            }
            reference.test_phones.push(spec::TestPhone {
                description: trimmed(&phone.description),
                ..phone.clone()
            });
        }
        for (i, entry) in file.reference_index.iter().enumerate() {
            index_seen = true;
            let path = format!("reference_index[{i}]");
            if !rows.insert((entry.api, entry.number.clone())) {
                cx.error(
                    &format!("{path}.number"),
                    &entry.number,
                    "this row number is listed twice",
                );
            }
            match (&entry.covered_by[..], &entry.not_covered) {
                ([], None) => cx.error(
                    &path,
                    &entry.number,
                    "a row needs `covered_by` (spec ids) or `not_covered` (the reason)",
                ),
                ([_, ..], Some(_)) => cx.error(
                    &format!("{path}.not_covered"),
                    &entry.number,
                    "a covered row has no `not_covered` reason",
                ),
                (_, Some(reason)) if reason.trim().is_empty() => cx.error(
                    &format!("{path}.not_covered"),
                    &entry.number,
                    "the reason is empty",
                ),
                _ => {}
            }
            for (j, id) in entry.covered_by.iter().enumerate() {
                if !ids.contains(&id.as_str()) && !ids_unknown {
                    cx.error(
                        &format!("{path}.covered_by[{j}]"),
                        &entry.number,
                        format!("no endpoint has the id `{id}`{}", did_you_mean(id, &ids)),
                    );
                }
                covered.insert(id.clone(), entry.number.clone());
            }
            reference.index.push(spec::IndexEntry {
                not_covered: entry.not_covered.as_deref().map(trimmed),
                ..entry.clone()
            });
        }
    }

    let unsigned: Vec<i64> = reference
        .errors
        .iter()
        .filter(|e| e.unsigned)
        .map(|e| e.code)
        .collect();
    if !reference.errors.is_empty()
        && !damaged("errors")
        && unsigned.len() != 1
        && let Some((source, _)) = raw.shared.iter().find(|(_, f)| !f.errors.is_empty())
    {
        Ctx {
            source,
            diagnostics,
        }
        .error(
            "errors",
            "",
            format!(
                "exactly one error code needs `unsigned: true` (the code an unsigned error answer stands for); found {}",
                unsigned.len()
            ),
        );
    }
    if !codes.is_empty() && !damaged("errors") {
        for (source, file) in &raw.shared {
            for (i, card) in file.test_cards.iter().enumerate() {
                if let Some(code) = card.error_code
                    && !codes.contains_key(&code)
                {
                    Ctx {
                        source,
                        diagnostics,
                    }
                    .error(
                        &format!("test_cards[{i}].error_code"),
                        &card.number,
                        format!("error code {code} is not in the error table"),
                    );
                }
            }
        }
    }
    if index_seen && !damaged("reference_index") {
        for endpoint in endpoints {
            if !covered.contains_key(&endpoint.id) {
                let (source, _) = raw
                    .endpoints
                    .iter()
                    .find(|(s, _)| s.name == endpoint.origin.file)
                    .expect("every endpoint comes from a file");
                Ctx {
                    source,
                    diagnostics,
                }
                .error(
                    "id",
                    &endpoint.id,
                    "no row of the reference index (`reference_index` in spec/shared/) names this endpoint in `covered_by`",
                );
            }
        }
    }
    reference.errors.sort_by_key(|e| e.code);
    reference
}

fn test_card(cx: &mut Ctx<'_>, path: &str, card: &spec::TestCard, numbers: &mut BTreeSet<String>) {
    if !(12..=19).contains(&card.number.len()) || !card.number.chars().all(|c| c.is_ascii_digit()) {
        cx.error(
            &format!("{path}.number"),
            &card.number,
            "a card number is 12 to 19 digits",
        );
    }
    if !numbers.insert(card.number.clone()) {
        cx.error(
            &format!("{path}.number"),
            &card.number,
            "this card is listed twice",
        );
    }
    let declines = matches!(
        card.outcome,
        TestOutcome::Declined | TestOutcome::PendingThenDeclined
    );
    if card.error_code.is_some() && !declines {
        cx.error(
            &format!("{path}.error_code"),
            &card.number,
            "only a declining card has an error code",
        );
    }
    let purchase_only = [
        ("three_ds", card.three_ds),
        ("clearing", card.clearing),
        ("reverse", card.reverse),
        ("refund", card.refund),
        ("card_add", card.card_add),
    ];
    if card.usage == TestCardUse::Payout {
        for (name, value) in purchase_only {
            if value.is_some() {
                cx.error(
                    &format!("{path}.{name}"),
                    &card.number,
                    format!("`{name}` describes purchase cards only"),
                );
            }
        }
    }
}
