//! Reference data: the error-code enum, the test cards and phones, and the
//! coverage table of the documentation's endpoint index, as Rust and Markdown.

use std::fmt::Write as _;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::emit::markdown::escape;
use crate::emit::{describe, markdown};
use crate::ir::{Api, Reference};
use crate::spec::{Availability, ErrorCode, ErrorSource, TestCard, TestCardUse, TestOutcome};

fn source_name(source: ErrorSource) -> &'static str {
    match source {
        ErrorSource::Freedompay => "Freedompay",
        ErrorSource::Paybox => "Paybox",
        ErrorSource::Platron => "Platron",
    }
}

fn source_title(source: ErrorSource) -> &'static str {
    match source {
        ErrorSource::Freedompay => "Freedom Pay",
        ErrorSource::Paybox => "PayBox table (predecessor)",
        ErrorSource::Platron => "Platron table (predecessor)",
    }
}

/// The rustdoc of an error code: the code and its meaning; where the meaning
/// comes from and notes about it are on `docs/errors.md`.
fn error_doc(error: &ErrorCode) -> String {
    format!(
        " `{}`: {}",
        error.code,
        describe::rustdoc_text(&error.description)
    )
}

/// The `errors` and `test_data` modules.
pub fn rust(api: &Api) -> TokenStream {
    let errors = errors_module(&api.reference);
    let test_data = test_data_module(api);
    quote! {
        #errors
        #test_data
    }
}

fn errors_module(reference: &Reference) -> TokenStream {
    let variants = reference.errors.iter().map(|e| {
        let name = format_ident!("{}", e.rust);
        let doc = error_doc(e);
        quote! { #[doc = #doc] #name, }
    });
    let rows = reference.errors.iter().map(|e| {
        let name = format_ident!("{}", e.rust);
        let code = Literal::i64_unsuffixed(e.code);
        let source = format_ident!("{}", source_name(e.source));
        quote! { (ErrorCode::#name, #code, Source::#source) }
    });
    let all = reference.errors.iter().map(|e| {
        let name = format_ident!("{}", e.rust);
        quote! { ErrorCode::#name }
    });
    let count = Literal::usize_unsuffixed(reference.errors.len());
    let descriptions = reference.errors.iter().map(|e| &e.description);
    let unsigned = match reference.errors.iter().find(|e| e.unsigned) {
        Some(e) => {
            let name = format_ident!("{}", e.rust);
            quote! { ErrorCode::#name }
        }
        None => quote! { ErrorCode::from_code(error.code) },
    };
    quote! {
        /// The error codes the gateway reports in `pg_error_code` (and
        /// `pg_failure_code`), generated from `spec/shared/errors.yaml`; where each
        /// meaning comes from, with notes, is in `docs/errors.md`.
        pub mod errors {
            use std::fmt;

            use crate::GatewayError;

            pub use freedompay_core::reference::Source;

            /// An error code with its documented meaning.
            ///
            /// Codes the spec does not list are kept in `Unknown`.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum ErrorCode {
                #(#variants)*
                /// A code this version of the spec does not list.
                Unknown(i64),
            }

            /// Every listed code with its number and the source of its meaning, by code.
            const CODES: [(ErrorCode, i64, Source); #count] = [#(#rows),*];

            /// The documented meaning of each code, in the order of `CODES`.
            const DESCRIPTIONS: [&str; #count] = [#(#descriptions),*];

            impl ErrorCode {
                /// Every listed code, by code.
                pub const ALL: &'static [ErrorCode] = &[#(#all),*];

                /// The variant of a numeric code.
                pub fn from_code(code: i64) -> Self {
                    CODES
                        .iter()
                        .find(|row| row.1 == code)
                        .map_or(ErrorCode::Unknown(code), |row| row.0)
                }

                /// The position of a listed code in `CODES`.
                fn index(self) -> Option<usize> {
                    CODES.iter().position(|row| row.0 == self)
                }

                /// The row of a listed code.
                fn row(self) -> Option<&'static (ErrorCode, i64, Source)> {
                    CODES.get(self.index()?)
                }

                /// The numeric code.
                pub fn code(self) -> i64 {
                    match self {
                        ErrorCode::Unknown(code) => code,
                        // Every listed code has its row.
                        listed => listed.row().map_or(0, |row| row.1),
                    }
                }

                /// The documented meaning, or `None` for an unknown code.
                pub fn description(self) -> Option<&'static str> {
                    DESCRIPTIONS.get(self.index()?).copied()
                }

                /// Which table the meaning comes from, or `None` for an unknown code.
                pub fn source(self) -> Option<Source> {
                    self.row().map(|row| row.2)
                }

                /// The code of a gateway error. An unsigned error answer means the
                /// gateway could not identify the merchant, whatever code it carries.
                pub fn of(error: &GatewayError) -> Self {
                    if error.signed {
                        ErrorCode::from_code(error.code)
                    } else {
                        #unsigned
                    }
                }
            }

            impl fmt::Display for ErrorCode {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    match self.description() {
                        Some(text) => write!(f, "{}: {}", self.code(), text),
                        None => write!(f, "{} (not documented)", self.code()),
                    }
                }
            }
        }
    }
}

fn availability(value: Option<Availability>) -> TokenStream {
    match value {
        None => quote! { None },
        Some(a) => {
            let name = format_ident!(
                "{}",
                match a {
                    Availability::Available => "Available",
                    Availability::NotAvailable => "NotAvailable",
                    Availability::Impossible => "Impossible",
                }
            );
            quote! { Some(Availability::#name) }
        }
    }
}

fn outcome_name(outcome: TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Success => "Success",
        TestOutcome::Declined => "Declined",
        TestOutcome::PendingThenSuccess => "PendingThenSuccess",
        TestOutcome::PendingThenDeclined => "PendingThenDeclined",
    }
}

fn card_tokens(card: &TestCard) -> TokenStream {
    let number = &card.number;
    let usage = format_ident!(
        "{}",
        match card.usage {
            TestCardUse::Purchase => "Purchase",
            TestCardUse::Payout => "Payout",
        }
    );
    let outcome = format_ident!("{}", outcome_name(card.outcome));
    let error_code = match card.error_code {
        Some(code) => {
            let code = Literal::i64_unsuffixed(code);
            quote! { Some(#code) }
        }
        None => quote! { None },
    };
    let three_ds = availability(card.three_ds);
    let clearing = availability(card.clearing);
    let reverse = availability(card.reverse);
    let refund = availability(card.refund);
    let card_add = availability(card.card_add);
    let description = &card.description;
    let source = &card.source;
    quote! {
        TestCard {
            number: #number,
            usage: CardUse::#usage,
            outcome: Outcome::#outcome,
            error_code: #error_code,
            three_ds: #three_ds,
            clearing: #clearing,
            reverse: #reverse,
            refund: #refund,
            card_add: #card_add,
            description: #description,
            source: #source,
        }
    }
}

fn test_data_module(api: &Api) -> TokenStream {
    let cards = api.reference.test_cards.iter().map(card_tokens);
    let operators = api.enums.iter().find(|e| e.id == "mobile_operator");
    let phones = api.reference.test_phones.iter().filter_map(|p| {
        let operators = operators?;
        let value = operators.values.iter().find(|v| v.wire == p.operator)?;
        let ty = format_ident!("{}", operators.rust_name);
        let variant = format_ident!("{}", value.rust);
        let phone = &p.phone;
        let code = &p.code;
        let description = &p.description;
        let source = &p.source;
        Some(quote! {
            TestPhone {
                operator: #ty::#variant,
                phone: #phone,
                code: #code,
                description: #description,
                source: #source,
            }
        })
    });
    let operator_ty = match operators {
        Some(e) => {
            let ty = format_ident!("{}", e.rust_name);
            quote! { #ty }
        }
        None => quote! { &'static str },
    };
    let operator_use = operators.map(|e| {
        let ty = format_ident!("{}", e.rust_name);
        quote! { use crate::enums::#ty; }
    });
    quote! {
        /// The documented test cards and test phone numbers, generated from
        /// `spec/shared/test_data.yaml`, for tests against the test hosts or a sandbox.
        pub mod test_data {
            #operator_use

            pub use freedompay_core::reference::{Availability, CardUse, Outcome};

            /// A documented test card.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct TestCard {
                /// The card number, digits only.
                pub number: &'static str,
                /// What the card is for.
                pub usage: CardUse,
                /// The outcome of an authorisation or a payout.
                pub outcome: Outcome,
                /// The error code of a decline, when documented.
                pub error_code: Option<i64>,
                /// Whether the payment goes through 3-D Secure (purchase cards).
                pub three_ds: Option<Availability>,
                /// Clearing (capture) after authorisation.
                pub clearing: Option<Availability>,
                /// Reversal (cancel) after authorisation.
                pub reverse: Option<Availability>,
                /// Refund after clearing.
                pub refund: Option<Availability>,
                /// Saving the card in card storage.
                pub card_add: Option<Availability>,
                /// What the card does.
                pub description: &'static str,
                /// Where the card is documented.
                pub source: &'static str,
            }

            /// A documented test phone number for mobile-balance payments.
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            pub struct TestPhone {
                /// The mobile operator.
                pub operator: #operator_ty,
                /// The phone number as documented.
                pub phone: &'static str,
                /// The one-time code that approves the debit.
                pub code: &'static str,
                /// What the number does.
                pub description: &'static str,
                /// Where the number is documented.
                pub source: &'static str,
            }

            /// Every documented test card, purchase cards first.
            pub const TEST_CARDS: &[TestCard] = &[#(#cards),*];

            /// Every documented test phone number.
            pub const TEST_PHONES: &[TestPhone] = &[#(#phones),*];

            impl TestCard {
                /// The test card with this number.
                pub fn find(number: &str) -> Option<&'static TestCard> {
                    TEST_CARDS.iter().find(|card| card.number == number)
                }

                /// The first test card for `usage` with `outcome`.
                pub fn first(usage: CardUse, outcome: Outcome) -> Option<&'static TestCard> {
                    TEST_CARDS
                        .iter()
                        .find(|card| card.usage == usage && card.outcome == outcome)
                }
            }
        }
    }
}

/// `docs/errors.md`: every error code.
pub fn errors_page(reference: &Reference) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo run -p codegen -- generate`; do not edit. -->\n"
    );
    let _ = writeln!(out, "# Error codes\n");
    let _ = writeln!(
        out,
        "The codes the gateway reports in `pg_error_code` (and `pg_failure_code`), as `freedompay::errors::ErrorCode`. Freedom Pay publishes no complete table: where its own pages give a meaning, that one is used; otherwise the predecessors' tables (PayBox, then Platron), which may be outdated. Codes not listed are kept as `ErrorCode::Unknown(code)`."
    );
    if let Some(e) = reference.errors.iter().find(|e| e.unsigned) {
        let _ = writeln!(
            out,
            "\nAn unsigned error answer means the gateway could not identify the merchant; the client reports it as `{}` ({}) whatever code it carries.",
            e.rust, e.code
        );
    }
    let _ = writeln!(
        out,
        "\n| Code | Variant | Meaning | Source | Note |\n|---|---|---|---|---|"
    );
    for e in &reference.errors {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            e.code,
            e.rust,
            escape(&e.description),
            source_title(e.source),
            escape(e.note.as_deref().unwrap_or(""))
        );
    }
    out
}

fn mark(value: Option<Availability>) -> &'static str {
    match value {
        None => "",
        Some(Availability::Available) => "yes",
        Some(Availability::NotAvailable) => "no",
        Some(Availability::Impossible) => "—",
    }
}

/// `docs/test-data.md`: test cards and phones.
pub fn test_data_page(api: &Api) -> String {
    let reference = &api.reference;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo run -p codegen -- generate`; do not edit. -->\n"
    );
    let _ = writeln!(out, "# Test cards and phone numbers\n");
    let _ = writeln!(
        out,
        "As `freedompay::test_data::{{TEST_CARDS, TEST_PHONES}}`. \"—\" marks an operation that cannot arise because the card never gets that far.\n"
    );
    let _ = writeln!(out, "## Purchase cards\n");
    let _ = writeln!(
        out,
        "| Card | Outcome | 3-DS | Clearing | Reverse | Refund | Card add | Notes |\n|---|---|---|---|---|---|---|---|"
    );
    for card in reference
        .test_cards
        .iter()
        .filter(|c| c.usage == TestCardUse::Purchase)
    {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            card.number,
            outcome_name(card.outcome),
            mark(card.three_ds),
            mark(card.clearing),
            mark(card.reverse),
            mark(card.refund),
            mark(card.card_add),
            escape(&card.description)
        );
    }
    let _ = writeln!(out, "\n## Payout cards\n");
    let _ = writeln!(
        out,
        "| Card | Outcome | Error code | Notes |\n|---|---|---|---|"
    );
    for card in reference
        .test_cards
        .iter()
        .filter(|c| c.usage == TestCardUse::Payout)
    {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            card.number,
            outcome_name(card.outcome),
            card.error_code.map(|c| c.to_string()).unwrap_or_default(),
            escape(&card.description)
        );
    }
    let _ = writeln!(out, "\n## Mobile-balance phones\n");
    let _ = writeln!(
        out,
        "| Operator | Phone | Code | Notes |\n|---|---|---|---|"
    );
    for phone in &reference.test_phones {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | `{}` | {} |",
            phone.operator,
            phone.phone,
            phone.code,
            escape(&phone.description)
        );
    }
    out
}

/// The README's coverage tables: every row of each API's documentation
/// index, one table per API (the Merchant API first).
pub fn coverage_table(api: &Api) -> String {
    use crate::spec::ApiName;
    let mut out = String::new();
    for family in [
        ApiName::Merchant,
        ApiName::Gateway,
        ApiName::Card,
        ApiName::Partner,
    ] {
        let rows: Vec<&crate::spec::IndexEntry> = api
            .reference
            .index
            .iter()
            .filter(|e| e.api == family)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let title = describe::api_title_by_module(describe::api_module(family));
        let _ = writeln!(out, "#### {title} API\n");
        family_table(api, &rows, &mut out);
        out.push('\n');
    }
    let covered = api
        .reference
        .index
        .iter()
        .filter(|e| !e.covered_by.is_empty())
        .count();
    let _ = writeln!(
        out,
        "{covered} of {} rows of the documentation's indexes are in the spec ({} endpoints and callbacks).",
        api.reference.index.len(),
        api.endpoints.len()
    );
    out
}

/// One API's coverage table.
fn family_table(api: &Api, rows: &[&crate::spec::IndexEntry], out: &mut String) {
    let _ = writeln!(
        out,
        "| # | Endpoint | Path | Group | Completeness | In the spec |\n|---|---|---|---|---|---|"
    );
    for entry in rows.iter().copied() {
        let covering: Vec<_> = entry
            .covered_by
            .iter()
            .filter_map(|id| api.endpoints.iter().find(|e| &e.id == id))
            .collect();
        let path = entry
            .path
            .as_deref()
            .map(|p| format!("`{}`", escape(p)))
            .unwrap_or_default();
        if covering.is_empty() {
            let _ = writeln!(
                out,
                "| {} | {} | {path} | — | not covered | {} |",
                entry.number,
                escape(&entry.name),
                escape(entry.not_covered.as_deref().unwrap_or_default())
            );
            continue;
        }
        let groups: Vec<String> = covering.iter().map(|e| e.group.clone()).collect();
        let mut groups_unique = groups.clone();
        groups_unique.dedup();
        let marks: Vec<&str> = covering
            .iter()
            .map(|e| {
                describe::completeness(e.completeness)
                    .split(' ')
                    .next()
                    .unwrap_or_default()
            })
            .collect();
        let mut marks_unique = marks.clone();
        marks_unique.dedup();
        let links: Vec<String> = covering
            .iter()
            .map(|e| format!("[`{}`](docs/{})", e.id, markdown::page_path(e)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {path} | {} | {} | {} |",
            entry.number,
            escape(&entry.name),
            groups_unique.join(", "),
            marks_unique.join(", "),
            links.join(", ")
        );
    }
    let covered = rows.iter().filter(|e| !e.covered_by.is_empty()).count();
    let _ = writeln!(
        out,
        "\n{covered} of {} rows of this index are in the spec.",
        rows.len()
    );
}
