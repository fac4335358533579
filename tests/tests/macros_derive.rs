//! The derive macros on hand-written types: what the generated code does.

use freedompay::{
    Amount, Builder, Decimal, Decode, DecodeError, Encode, FromWire, Params, Rule, SecretKey, Sign,
    ToWire, Validate, ValidationErrors, Value, WireEnum, form, signature, xml,
};

#[derive(Debug, Clone, PartialEq, WireEnum)]
enum Language {
    #[freedompay(rename = "ru")]
    Russian,
    #[freedompay(rename = "en")]
    English,
    #[freedompay(rename = "kz")]
    Kazakh,
}

#[derive(Debug, Clone, PartialEq, WireEnum)]
enum Status {
    #[freedompay(rename = "ok")]
    Ok,
    #[freedompay(rename = "error")]
    Error,
    #[freedompay(other)]
    Unknown(String),
}

#[derive(Debug, Clone, Copy, PartialEq, WireEnum)]
enum Plain {
    Alpha,
    #[freedompay(rename = "b")]
    Beta,
    Gamma,
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
struct Position {
    #[freedompay(min_length = 1, max_length = 16)]
    name: String,
    #[freedompay(min = 1, max = 1000)]
    count: u32,
    #[freedompay(min = "0.01")]
    price: Amount,
    #[freedompay(rename = "tax_type", min = 0, max = 5)]
    tax: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode, Sign)]
#[freedompay(script = "init_payment.php")]
struct InitPayment {
    #[freedompay(
        rename = "pg_order_id",
        min_length = 1,
        max_length = 10,
        pattern = "^[A-Za-z0-9_-]+$"
    )]
    order_id: String,
    #[freedompay(rename = "pg_amount", min = 0.01, max = "1000000")]
    amount: Amount,
    #[freedompay(rename = "pg_description", max_length = 20)]
    description: String,
    #[freedompay(rename = "pg_lifetime", min = 300, max = 604800)]
    lifetime: Option<u32>,
    #[freedompay(rename = "pg_language")]
    language: Option<Language>,
    #[freedompay(rename = "pg_testing_mode")]
    testing: Option<bool>,
    #[freedompay(rename = "pg_user_contact_email", format = "email")]
    email: Option<String>,
    #[freedompay(rename = "pg_user_phone", format = "phone")]
    phone: Option<String>,
    #[freedompay(rename = "pg_result_url", format = "url")]
    result_url: Option<String>,
    #[freedompay(rename = "pg_user_ip", format = "ip")]
    ip: Option<String>,
    #[freedompay(rename = "pg_date", format = "datetime")]
    date: Option<String>,
    #[freedompay(rename = "pg_receipt_positions", nested, min_items = 1, max_items = 12)]
    positions: Vec<Position>,
    #[freedompay(extra)]
    extra: Params,
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
struct Card {
    #[freedompay(rename = "pg_card_id")]
    id: String,
    #[freedompay(rename = "pg_card_hash", pattern = "^[0-9]{4}-[0-9*]{4}$")]
    hash: String,
    #[freedompay(rename = "pg_status")]
    status: Status,
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
struct CardList {
    #[freedompay(rename = "pg_status")]
    status: Status,
    #[freedompay(rename = "card", repeated, max_items = 3)]
    cards: Vec<Card>,
    #[freedompay(rename = "pg_positions", nested, max_items = 2)]
    positions: Option<Vec<Position>>,
}

/// Field names as written become wire names; signed and decimal limits.
#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
struct Limits {
    #[freedompay(min = -10, max = 10)]
    delta: i64,
    #[freedompay(min = -0.5, max = 0.5)]
    ratio: Option<Decimal>,
    flag: bool,
}

/// Generic messages keep their parameters and bounds.
#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
struct Wrapper<T>
where
    T: ToWire + FromWire,
{
    #[freedompay(rename = "pg_value")]
    value: T,
}

/// A raw identifier is named on the wire without its `r#`.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
struct Raw {
    r#type: String,
}

fn position(name: &str, count: u32, price: &str) -> Position {
    Position {
        name: name.to_owned(),
        count,
        price: price.parse().unwrap(),
        tax: None,
    }
}

fn payment(positions: usize) -> InitPayment {
    InitPayment {
        order_id: "order-23".to_owned(),
        amount: "25.50".parse().unwrap(),
        description: "Mouse pad".to_owned(),
        lifetime: Some(3600),
        language: Some(Language::English),
        testing: Some(true),
        email: Some("buyer@example.com".to_owned()),
        phone: Some("+77001234567".to_owned()),
        result_url: Some("https://shop.example.com/result".to_owned()),
        ip: Some("10.0.0.1".to_owned()),
        date: Some("2024-05-01 12:30:00".to_owned()),
        positions: (0..positions)
            .map(|i| Position {
                tax: (i % 2 == 1).then_some(3),
                ..position(&format!("item {i}"), i as u32 + 1, "1.5")
            })
            .collect(),
        extra: Params::new().with("custom_a", "1").with("custom_b", "two"),
    }
}

fn names(params: &Params) -> Vec<&str> {
    params.iter().map(|(name, _)| name).collect()
}

fn pairs(params: &Params) -> Vec<(String, String)> {
    form::to_pairs(params)
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// `(field, rule)` of every recorded error, in order.
fn broken(errors: &ValidationErrors) -> Vec<(String, Rule)> {
    errors.iter().map(|e| (e.field.clone(), e.rule)).collect()
}

fn broken_rules<T: Validate>(value: &T) -> Vec<(String, Rule)> {
    match value.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => broken(&errors),
    }
}

fn one(field: &str, rule: Rule) -> Vec<(String, Rule)> {
    vec![(field.to_owned(), rule)]
}

// ---------------------------------------------------------------- encoding

#[test]
fn encode_writes_fields_in_declaration_order_with_wire_names() {
    let params = payment(2).to_params();
    assert_eq!(
        names(&params),
        [
            "pg_order_id",
            "pg_amount",
            "pg_description",
            "pg_lifetime",
            "pg_language",
            "pg_testing_mode",
            "pg_user_contact_email",
            "pg_user_phone",
            "pg_result_url",
            "pg_user_ip",
            "pg_date",
            "pg_receipt_positions",
            "custom_a",
            "custom_b",
        ]
    );
    assert_eq!(params.get_text("pg_amount"), Some("25.5"));
    assert_eq!(params.get_text("pg_lifetime"), Some("3600"));
    assert_eq!(params.get_text("pg_language"), Some("en"));
    assert_eq!(params.get_text("pg_testing_mode"), Some("1"));
}

#[test]
fn encode_leaves_out_none_and_empty_nested_lists() {
    let mut message = payment(0);
    message.lifetime = None;
    message.language = None;
    message.testing = None;
    message.email = None;
    message.phone = None;
    message.result_url = None;
    message.ip = None;
    message.date = None;
    message.extra = Params::new();
    let params = message.to_params();
    assert_eq!(
        names(&params),
        ["pg_order_id", "pg_amount", "pg_description"]
    );
}

#[test]
fn nested_list_of_two_uses_bracket_notation() {
    let params = payment(2).to_params();
    let flat = pairs(&params);
    let nested: Vec<_> = flat
        .iter()
        .filter(|(name, _)| name.starts_with("pg_receipt_positions"))
        .cloned()
        .collect();
    assert_eq!(
        nested,
        [
            pair("pg_receipt_positions[0][name]", "item 0"),
            pair("pg_receipt_positions[0][count]", "1"),
            pair("pg_receipt_positions[0][price]", "1.5"),
            pair("pg_receipt_positions[1][name]", "item 1"),
            pair("pg_receipt_positions[1][count]", "2"),
            pair("pg_receipt_positions[1][price]", "1.5"),
            pair("pg_receipt_positions[1][tax_type]", "3"),
        ]
    );
    assert_eq!(flat.last(), Some(&pair("custom_b", "two")));
}

#[test]
fn nested_list_of_twelve_keeps_order_and_numeric_names() {
    let message = payment(12);
    let params = message.to_params();
    let Some(Value::Nested(children)) = params.get("pg_receipt_positions") else {
        panic!("positions are nested");
    };
    let expected: Vec<String> = (0..12).map(|i| i.to_string()).collect();
    assert_eq!(names(children), expected);
    let flat = pairs(&params);
    assert!(flat.contains(&pair("pg_receipt_positions[11][name]", "item 11")));
    assert!(flat.contains(&pair("pg_receipt_positions[10][count]", "11")));
    assert_eq!(message.validate(), Ok(()));

    let decoded = InitPayment::decode(&form::decode(&form::encode(&params))).unwrap();
    assert_eq!(decoded, message);
}

// ---------------------------------------------------------------- decoding

#[test]
fn round_trip_through_params_and_form() {
    let message = payment(2);
    let params = message.to_params();
    assert_eq!(InitPayment::decode(&params).unwrap(), message);
    let form_body = form::encode(&params);
    assert_eq!(
        InitPayment::decode(&form::decode(&form_body)).unwrap(),
        message
    );
}

#[test]
fn round_trip_through_xml() {
    let message = payment(3);
    let document = xml::write("request", &message.to_params());
    let parsed = xml::parse(&document).unwrap();
    assert_eq!(parsed.root, "request");
    assert_eq!(InitPayment::decode(&parsed.params).unwrap(), message);
}

#[test]
fn missing_optional_fields_and_lists_decode_as_absent() {
    let params = Params::new()
        .with("pg_order_id", "42")
        .with("pg_amount", "10")
        .with("pg_description", "");
    let message = InitPayment::decode(&params).unwrap();
    assert_eq!(message.order_id, "42");
    assert_eq!(message.amount, Amount::from_minor(1000));
    assert_eq!(message.description, "");
    assert_eq!(message.lifetime, None);
    assert_eq!(message.language, None);
    assert!(message.positions.is_empty());
    assert!(message.extra.is_empty());
}

#[test]
fn empty_text_is_none_for_optional_values_but_kept_for_text() {
    let params = Params::new()
        .with("pg_order_id", "42")
        .with("pg_amount", "10")
        .with("pg_description", "x")
        .with("pg_lifetime", "")
        .with("pg_language", "")
        .with("pg_user_contact_email", "");
    let message = InitPayment::decode(&params).unwrap();
    assert_eq!(message.lifetime, None);
    assert_eq!(message.language, None);
    assert_eq!(message.email, Some(String::new()));
}

#[test]
fn missing_required_field_is_named() {
    let mut params = payment(1).to_params();
    params.remove("pg_amount");
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Missing {
            field: "pg_amount".to_owned()
        })
    );
}

#[test]
fn missing_required_field_of_a_nested_item_is_named_by_its_path() {
    let params = form::from_pairs([
        pair("pg_order_id", "1"),
        pair("pg_amount", "1"),
        pair("pg_description", "d"),
        pair("pg_receipt_positions[0][name]", "a"),
        pair("pg_receipt_positions[0][count]", "1"),
        pair("pg_receipt_positions[0][price]", "1"),
        pair("pg_receipt_positions[1][name]", "b"),
        pair("pg_receipt_positions[1][count]", "1"),
    ]);
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Missing {
            field: "pg_receipt_positions[1][price]".to_owned()
        })
    );
}

#[test]
fn invalid_values_are_named_with_the_reason() {
    let mut params = payment(1).to_params();
    params.set("pg_lifetime", "soon");
    let Err(DecodeError::Invalid { field, reason }) = InitPayment::decode(&params) else {
        panic!("an integer field holding text is invalid");
    };
    assert_eq!(field, "pg_lifetime");
    assert_eq!(reason, "expected an integer, got `soon`");

    let mut params = payment(1).to_params();
    params.set("pg_amount", "1.234");
    let Err(DecodeError::Invalid { field, reason }) = InitPayment::decode(&params) else {
        panic!("an amount with three fraction digits is invalid");
    };
    assert_eq!(field, "pg_amount");
    assert!(reason.contains("two fraction digits"), "{reason}");

    let mut params = payment(1).to_params();
    params.set("pg_language", "de");
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Invalid {
            field: "pg_language".to_owned(),
            reason: "expected one of `ru`, `en`, `kz`, got `de`".to_owned(),
        })
    );
}

#[test]
fn nested_where_text_is_expected_and_text_where_nested_is_expected_are_invalid() {
    let mut params = payment(1).to_params();
    params.set("pg_amount", Params::new().with("value", "1"));
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Invalid {
            field: "pg_amount".to_owned(),
            reason: "expected a text value, found nested parameters".to_owned(),
        })
    );

    let mut params = payment(1).to_params();
    params.set("pg_receipt_positions", "positions");
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Invalid {
            field: "pg_receipt_positions".to_owned(),
            reason: "expected nested parameters, found a text value".to_owned(),
        })
    );

    let mut params = payment(1).to_params();
    params.set(
        "pg_receipt_positions",
        Params::new().with("0", "not a position"),
    );
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Invalid {
            field: "pg_receipt_positions[0]".to_owned(),
            reason: "expected nested parameters, found a text value".to_owned(),
        })
    );
}

#[test]
fn nested_children_are_taken_in_order_whatever_their_names() {
    let children = Params::new()
        .with(
            "b",
            Params::new()
                .with("name", "second")
                .with("count", "2")
                .with("price", "2"),
        )
        .with(
            "a",
            Params::new()
                .with("name", "first")
                .with("count", "x")
                .with("price", "1"),
        );
    let params = Params::new()
        .with("pg_order_id", "1")
        .with("pg_amount", "1")
        .with("pg_description", "d")
        .with("pg_receipt_positions", children.clone());
    // The child's own name is its path.
    assert_eq!(
        InitPayment::decode(&params),
        Err(DecodeError::Invalid {
            field: "pg_receipt_positions[a][count]".to_owned(),
            reason: "expected an integer, got `x`".to_owned(),
        })
    );
    let mut fixed = children;
    fixed.set(
        "a",
        Params::new()
            .with("name", "first")
            .with("count", "1")
            .with("price", "1"),
    );
    let mut params = params;
    params.set("pg_receipt_positions", fixed);
    let message = InitPayment::decode(&params).unwrap();
    let positions: Vec<_> = message.positions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(positions, ["second", "first"]);
}

const CARDS_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<response>
  <pg_status>ok</pg_status>
  <card>
    <pg_card_id>101</pg_card_id>
    <pg_card_hash>4405-****</pg_card_hash>
    <pg_status>approved</pg_status>
  </card>
  <pg_merchant_id>552</pg_merchant_id>
  <card>
    <pg_card_id>102</pg_card_id>
    <pg_card_hash>5169-****</pg_card_hash>
    <pg_status>error</pg_status>
  </card>
  <pg_sig>0123456789abcdef</pg_sig>
</response>"#;

#[test]
fn repeated_elements_decode_from_xml_in_order() {
    let parsed = xml::parse(CARDS_XML).unwrap();
    let list = CardList::decode(&parsed.params).unwrap();
    assert_eq!(
        list,
        CardList {
            status: Status::Ok,
            cards: vec![
                Card {
                    id: "101".to_owned(),
                    hash: "4405-****".to_owned(),
                    status: Status::Unknown("approved".to_owned()),
                },
                Card {
                    id: "102".to_owned(),
                    hash: "5169-****".to_owned(),
                    status: Status::Error,
                },
            ],
            positions: None,
        }
    );
    assert_eq!(list.validate(), Ok(()));

    // Encoding writes one element per item, each under the wire name.
    let params = list.to_params();
    assert_eq!(names(&params), ["pg_status", "card", "card"]);
    let reparsed = xml::parse(&xml::write("response", &params)).unwrap();
    assert_eq!(CardList::decode(&reparsed.params).unwrap(), list);
}

#[test]
fn repeated_items_are_named_by_index() {
    let xml = CARDS_XML.replace("<pg_card_id>102</pg_card_id>", "");
    let parsed = xml::parse(&xml).unwrap();
    assert_eq!(
        CardList::decode(&parsed.params),
        Err(DecodeError::Missing {
            field: "card[1][pg_card_id]".to_owned()
        })
    );
    let none = xml::parse("<response><pg_status>ok</pg_status></response>").unwrap();
    assert_eq!(CardList::decode(&none.params).unwrap().cards, []);
}

#[test]
fn optional_nested_list_is_none_when_absent_and_some_when_present() {
    let list = CardList {
        status: Status::Ok,
        cards: Vec::new(),
        positions: Some(vec![position("a", 1, "1"), position("b", 2, "2")]),
    };
    let params = list.to_params();
    assert_eq!(
        pairs(&params)[1..3],
        [
            pair("pg_positions[0][name]", "a"),
            pair("pg_positions[0][count]", "1")
        ]
    );
    assert_eq!(CardList::decode(&params).unwrap(), list);
    let empty = CardList {
        positions: Some(Vec::new()),
        ..list
    };
    assert_eq!(names(&empty.to_params()), ["pg_status"]);
}

// ---------------------------------------------------------------- validation

#[test]
fn a_valid_message_passes() {
    assert_eq!(payment(1).validate(), Ok(()));
    assert_eq!(payment(12).validate(), Ok(()));
}

#[test]
fn min_and_max_reject_out_of_range_numbers() {
    let mut message = payment(1);
    message.amount = Amount::ZERO;
    assert_eq!(broken_rules(&message), one("pg_amount", Rule::Min));
    message.amount = "1000000".parse().unwrap();
    assert_eq!(broken_rules(&message), []);
    message.amount = "1000000.01".parse().unwrap();
    assert_eq!(broken_rules(&message), one("pg_amount", Rule::Max));

    let mut message = payment(1);
    message.lifetime = Some(299);
    assert_eq!(broken_rules(&message), one("pg_lifetime", Rule::Min));
    message.lifetime = Some(300);
    assert_eq!(broken_rules(&message), []);
    message.lifetime = Some(604801);
    let errors = message.validate().unwrap_err();
    assert_eq!(broken(&errors), one("pg_lifetime", Rule::Max));
    assert_eq!(errors.0[0].message, "must be at most 604800, got 604801");
}

#[test]
fn negative_and_fractional_limits() {
    let ok = Limits {
        delta: -10,
        ratio: Some("0.5".parse().unwrap()),
        flag: true,
    };
    assert_eq!(broken_rules(&ok), []);
    let bad = Limits {
        delta: -11,
        ratio: Some("-0.51".parse().unwrap()),
        flag: false,
    };
    assert_eq!(
        broken_rules(&bad),
        [
            ("delta".to_owned(), Rule::Min),
            ("ratio".to_owned(), Rule::Min)
        ]
    );
    let params = bad.to_params();
    assert_eq!(
        pairs(&params),
        [
            pair("delta", "-11"),
            pair("ratio", "-0.51"),
            pair("flag", "0")
        ]
    );
    assert_eq!(Limits::decode(&params).unwrap(), bad);
}

#[test]
fn length_rules_count_characters() {
    let mut message = payment(1);
    message.order_id = String::new();
    // Every rule runs: the empty text is also too short for the pattern's `+`.
    assert_eq!(
        broken_rules(&message),
        [
            ("pg_order_id".to_owned(), Rule::MinLength),
            ("pg_order_id".to_owned(), Rule::Pattern),
        ]
    );
    message.order_id = "0123456789".to_owned();
    assert_eq!(broken_rules(&message), []);
    message.order_id = "0123456789a".to_owned();
    assert_eq!(broken_rules(&message), one("pg_order_id", Rule::MaxLength));

    let mut message = payment(1);
    // 20 Cyrillic characters are 40 bytes but pass a 20-character limit.
    message.description = "Ж".repeat(20);
    assert_eq!(broken_rules(&message), []);
    message.description = "Ж".repeat(21);
    assert_eq!(
        broken_rules(&message),
        one("pg_description", Rule::MaxLength)
    );
}

#[test]
fn pattern_rejects_non_matching_text() {
    let mut message = payment(1);
    message.order_id = "a b".to_owned();
    let errors = message.validate().unwrap_err();
    assert_eq!(broken(&errors), one("pg_order_id", Rule::Pattern));
    assert_eq!(
        errors.0[0].message,
        "must match the pattern ^[A-Za-z0-9_-]+$"
    );
    message.order_id = "A_b-9".to_owned();
    assert_eq!(broken_rules(&message), []);
}

#[test]
fn every_format_rejects_bad_text_and_accepts_good_text() {
    type Setter = fn(&mut InitPayment, &str);
    let cases: [(&str, Setter, &str, &str); 5] = [
        (
            "pg_user_contact_email",
            |m, v| m.email = Some(v.into()),
            "a@b.kz",
            "a@b",
        ),
        (
            "pg_user_phone",
            |m, v| m.phone = Some(v.into()),
            "77001234567",
            "+7 700 123",
        ),
        (
            "pg_result_url",
            |m, v| m.result_url = Some(v.into()),
            "http://x.kz/r?a=1",
            "ftp://x.kz",
        ),
        (
            "pg_user_ip",
            |m, v| m.ip = Some(v.into()),
            "::1",
            "300.1.1.1",
        ),
        (
            "pg_date",
            |m, v| m.date = Some(v.into()),
            "2024-05-01T12:30:00+05:00",
            "01.05.2024",
        ),
    ];
    for (field, set, good, bad) in cases {
        let mut message = payment(1);
        set(&mut message, good);
        assert_eq!(broken_rules(&message), [], "{field} = {good}");
        set(&mut message, bad);
        assert_eq!(
            broken_rules(&message),
            one(field, Rule::Format),
            "{field} = {bad}"
        );
    }
}

#[test]
fn none_fields_are_not_checked() {
    let mut message = payment(1);
    message.email = None;
    message.lifetime = None;
    message.date = None;
    assert_eq!(broken_rules(&message), []);
}

#[test]
fn item_counts_are_limited() {
    assert_eq!(
        broken_rules(&payment(0)),
        one("pg_receipt_positions", Rule::MinItems)
    );
    assert_eq!(
        broken_rules(&payment(13)),
        one("pg_receipt_positions", Rule::MaxItems)
    );
    let mut list = CardList::decode(&xml::parse(CARDS_XML).unwrap().params).unwrap();
    list.cards.extend(list.cards.clone());
    assert_eq!(broken_rules(&list), one("card", Rule::MaxItems));
    list.cards.truncate(3);
    list.positions = Some(vec![position("a", 1, "1"); 3]);
    assert_eq!(broken_rules(&list), one("pg_positions", Rule::MaxItems));
}

#[test]
fn nested_items_are_validated_under_their_path() {
    let mut message = payment(3);
    message.positions[1].price = Amount::ZERO;
    message.positions[2].name = String::new();
    message.positions[2].count = 0;
    message.positions[2].tax = Some(6);
    assert_eq!(
        broken_rules(&message),
        [
            ("pg_receipt_positions[1][price]".to_owned(), Rule::Min),
            ("pg_receipt_positions[2][name]".to_owned(), Rule::MinLength),
            ("pg_receipt_positions[2][count]".to_owned(), Rule::Min),
            ("pg_receipt_positions[2][tax_type]".to_owned(), Rule::Max),
        ]
    );
}

#[test]
fn repeated_items_are_validated_under_their_index() {
    let mut list = CardList::decode(&xml::parse(CARDS_XML).unwrap().params).unwrap();
    list.cards[1].hash = "5169 ****".to_owned();
    assert_eq!(
        broken_rules(&list),
        one("card[1][pg_card_hash]", Rule::Pattern)
    );
}

#[test]
fn all_broken_rules_are_reported_at_once() {
    let mut message = payment(2);
    message.order_id = "has space and is long".to_owned();
    message.amount = Amount::ZERO;
    message.email = Some("nobody".to_owned());
    message.positions[0].count = 1001;
    message.extra.push("pg_amount", "1");
    let errors = message.validate().unwrap_err();
    assert_eq!(
        broken(&errors),
        [
            ("pg_order_id".to_owned(), Rule::MaxLength),
            ("pg_order_id".to_owned(), Rule::Pattern),
            ("pg_amount".to_owned(), Rule::Min),
            ("pg_user_contact_email".to_owned(), Rule::Format),
            ("pg_receipt_positions[0][count]".to_owned(), Rule::Max),
            ("pg_amount".to_owned(), Rule::ExtraName),
        ]
    );
    assert!(
        errors
            .to_string()
            .starts_with("invalid request: pg_order_id: ")
    );
}

// ---------------------------------------------------------------- extras

#[test]
fn extras_are_encoded_after_the_typed_fields() {
    let params = payment(1).to_params();
    let flat = pairs(&params);
    assert_eq!(
        flat[flat.len() - 2..],
        [pair("custom_a", "1"), pair("custom_b", "two")]
    );
}

#[test]
fn extras_decode_every_unknown_top_level_parameter_but_salt_and_signature() {
    let params = payment(1)
        .to_params()
        .with("pg_salt", "salty")
        .with("custom_c", Params::new().with("deep", "x"))
        .with("pg_sig", "abc");
    let message = InitPayment::decode(&params).unwrap();
    assert_eq!(
        message.extra,
        Params::new()
            .with("custom_a", "1")
            .with("custom_b", "two")
            .with("custom_c", Params::new().with("deep", "x"))
    );
}

#[test]
fn extras_may_not_repeat_typed_or_signature_names() {
    let mut message = payment(1);
    message.extra = Params::new()
        .with("pg_description", "again")
        .with("pg_sig", "x")
        .with("ok_name", "fine")
        .with("bad[name]", "x");
    assert_eq!(
        broken_rules(&message),
        [
            ("pg_description".to_owned(), Rule::ExtraName),
            ("pg_sig".to_owned(), Rule::ExtraName),
            ("bad[name]".to_owned(), Rule::ExtraName),
        ]
    );
}

// ---------------------------------------------------------------- signing

#[test]
fn sign_uses_the_script_attribute() {
    assert_eq!(InitPayment::SCRIPT, "init_payment.php");
}

#[test]
fn signed_params_carry_the_signature_of_the_encoded_message() {
    let secret = SecretKey::new("very-secret");
    let message = payment(2);
    let signed = message.signed_params(Some("552"), &secret, "salt-1");

    // The same parameters written by hand, in the order the derive must use.
    let positions = Params::new()
        .with(
            "0",
            Params::new()
                .with("name", "item 0")
                .with("count", "1")
                .with("price", "1.5"),
        )
        .with(
            "1",
            Params::new()
                .with("name", "item 1")
                .with("count", "2")
                .with("price", "1.5")
                .with("tax_type", "3"),
        );
    let by_hand = Params::new()
        .with("pg_merchant_id", "552")
        .with("pg_order_id", "order-23")
        .with("pg_amount", "25.5")
        .with("pg_description", "Mouse pad")
        .with("pg_lifetime", "3600")
        .with("pg_language", "en")
        .with("pg_testing_mode", "1")
        .with("pg_user_contact_email", "buyer@example.com")
        .with("pg_user_phone", "+77001234567")
        .with("pg_result_url", "https://shop.example.com/result")
        .with("pg_user_ip", "10.0.0.1")
        .with("pg_date", "2024-05-01 12:30:00")
        .with("pg_receipt_positions", positions)
        .with("custom_a", "1")
        .with("custom_b", "two")
        .with("pg_salt", "salt-1");
    let expected = signature::sign("init_payment.php", &by_hand, &secret);
    assert_eq!(expected.len(), 32);
    assert_eq!(signed.get_text("pg_sig"), Some(expected.as_str()));

    let mut unsigned = signed.clone();
    unsigned.remove("pg_sig");
    assert_eq!(unsigned, by_hand);
    // A different script signs differently.
    assert_ne!(
        signature::sign("get_status.php", &by_hand, &secret),
        expected
    );
}

// ---------------------------------------------------------------- wire enums

#[test]
fn wire_enum_values_and_text() {
    assert_eq!(Language::VALUES, ["ru", "en", "kz"]);
    assert_eq!(Status::VALUES, ["ok", "error"]);
    assert_eq!(Plain::VALUES, ["Alpha", "b", "Gamma"]);
    assert_eq!(Language::Kazakh.as_str(), "kz");
    assert_eq!(Language::Russian.to_string(), "ru");
    assert_eq!(Plain::Beta.to_wire(), "b");
    assert_eq!(Plain::Gamma.to_string(), "Gamma");
    assert_eq!(Status::Unknown("pending".to_owned()).as_str(), "pending");
    assert_eq!(Status::Unknown("pending".to_owned()).to_wire(), "pending");
}

#[test]
fn wire_enum_parsing_without_other_rejects_unknown_values() {
    assert_eq!(Language::from_wire("en"), Ok(Language::English));
    assert_eq!(" kz ".parse::<Language>(), Ok(Language::Kazakh));
    assert_eq!(
        "English".parse::<Language>(),
        Err("expected one of `ru`, `en`, `kz`, got `English`".to_owned())
    );
    assert_eq!("Alpha".parse::<Plain>(), Ok(Plain::Alpha));
    assert_eq!(
        Plain::from_wire("Beta"),
        Err("expected one of `Alpha`, `b`, `Gamma`, got `Beta`".to_owned())
    );
    assert_eq!(Language::from_wire_optional(""), Ok(None));
}

#[test]
fn wire_enum_parsing_with_other_keeps_unknown_text() {
    assert_eq!(Status::from_wire("ok"), Ok(Status::Ok));
    assert_eq!("error".parse::<Status>(), Ok(Status::Error));
    assert_eq!(
        "partial".parse::<Status>(),
        Ok(Status::Unknown("partial".to_owned()))
    );
    // Round trip of every value.
    for value in Status::VALUES {
        assert_eq!(value.parse::<Status>().unwrap().as_str(), *value);
    }
}

#[test]
fn generic_messages_derive_too() {
    let wrapper = Wrapper { value: 7_u64 };
    let params = wrapper.to_params();
    assert_eq!(pairs(&params), [pair("pg_value", "7")]);
    assert_eq!(Wrapper::<u64>::decode(&params).unwrap(), wrapper);
    assert_eq!(wrapper.validate(), Ok(()));
    assert_eq!(
        Wrapper::<bool>::decode(&Params::new().with("pg_value", "maybe")),
        Err(DecodeError::Invalid {
            field: "pg_value".to_owned(),
            reason: "expected 0 or 1, got `maybe`".to_owned(),
        })
    );
}

#[test]
fn raw_identifiers_lose_their_prefix_on_the_wire() {
    let raw = Raw {
        r#type: "card".to_owned(),
    };
    let params = raw.to_params();
    assert_eq!(pairs(&params), [pair("type", "card")]);
    assert_eq!(Raw::decode(&params).unwrap(), raw);
}

#[test]
fn an_empty_element_counts_as_an_empty_list_or_an_empty_item() {
    let parsed =
        xml::parse("<response><pg_status>ok</pg_status><pg_positions/></response>").unwrap();
    assert_eq!(
        CardList::decode(&parsed.params).unwrap().positions,
        Some(Vec::new())
    );
    // An empty repeated element is an item with no parameters.
    let parsed = xml::parse("<response><pg_status>ok</pg_status><card/></response>").unwrap();
    assert_eq!(
        CardList::decode(&parsed.params),
        Err(DecodeError::Missing {
            field: "card[0][pg_card_id]".to_owned()
        })
    );
}

/// A pattern without `^…$` still has to match the whole value, not a part of it.
#[test]
fn an_unanchored_pattern_matches_the_whole_value() {
    #[derive(Debug, Validate)]
    struct Digits {
        #[freedompay(rename = "pg_code", pattern = "[0-9]{4}|[0-9]{6}")]
        code: String,
    }
    for good in ["1234", "123456"] {
        let value = Digits { code: good.into() };
        assert!(value.validate().is_ok(), "{good}");
    }
    for bad in ["12345", "a1234", "1234b", "1234567", ""] {
        let errors = Digits { code: bad.into() }.validate().unwrap_err();
        assert_eq!(
            errors.0[0].message, "must match the pattern [0-9]{4}|[0-9]{6}",
            "{bad}"
        );
    }
}

/// `Builder`: `new` takes the required fields in order (text as `impl Into<String>`),
/// each optional field and list has a setter, `with_extra` appends.
#[test]
fn builder_sets_required_fields_by_argument_and_the_rest_by_setters() {
    #[derive(Debug, Clone, PartialEq, Encode, Builder)]
    struct Payment {
        #[freedompay(rename = "pg_amount")]
        amount: Amount,
        #[freedompay(rename = "pg_description")]
        description: String,
        #[freedompay(rename = "pg_language")]
        language: Option<Language>,
        #[freedompay(rename = "pg_user_phone")]
        phone: Option<String>,
        #[freedompay(rename = "pg_positions", nested)]
        positions: Vec<Position>,
        #[freedompay(rename = "pg_cards", nested)]
        cards: Option<Vec<Position>>,
        #[freedompay(extra)]
        extra: Params,
    }
    let bare = Payment::new(Amount::from_minor(2500), "Ticket");
    assert_eq!(bare.description, "Ticket");
    assert_eq!(bare.language, None);
    assert_eq!(bare.phone, None);
    assert!(bare.positions.is_empty() && bare.cards.is_none() && bare.extra.is_empty());
    let full = bare
        .language(Language::English)
        .phone(String::from("+77001234567"))
        .positions(vec![position("Pad", 1, "25")])
        .cards(Vec::new())
        .with_extra("cart", "A-17");
    assert_eq!(
        names(&full.to_params()),
        [
            "pg_amount",
            "pg_description",
            "pg_language",
            "pg_user_phone",
            "pg_positions",
            "cart"
        ]
    );
    assert_eq!(full.cards, Some(Vec::new()));
}

/// `Builder` with `required = Type`: `new` takes the named required fields;
/// without required fields there is `Default`.
#[test]
fn builder_takes_a_struct_of_required_fields_when_named() {
    #[derive(Debug, Clone, PartialEq, Builder)]
    #[freedompay(required = RefundRequired)]
    struct Refund {
        payment_id: i64,
        reason: String,
        note: Option<String>,
    }
    struct RefundRequired {
        payment_id: i64,
        reason: String,
    }
    let refund = Refund::new(RefundRequired {
        payment_id: 7,
        reason: "returned".to_owned(),
    })
    .note("by post");
    assert_eq!(refund.payment_id, 7);
    assert_eq!(refund.reason, "returned");
    assert_eq!(refund.note.as_deref(), Some("by post"));

    #[derive(Debug, PartialEq, Builder)]
    struct Filter {
        status: Option<Status>,
    }
    assert_eq!(Filter::default(), Filter::new());
    assert_eq!(Filter::new().status(Status::Ok).status, Some(Status::Ok));
}

/// `prefix` names every field without `rename` by the prefix and its own name.
#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
#[freedompay(prefix = "pg_")]
struct Prefixed {
    order_id: String,
    #[freedompay(min = "0.01")]
    amount: Amount,
    #[freedompay(rename = "custom")]
    merchant_note: Option<String>,
    #[freedompay(extra)]
    extra: Params,
}

#[test]
fn a_prefix_names_the_fields_without_rename() {
    let message = Prefixed {
        order_id: "42".into(),
        amount: "10".parse().unwrap(),
        merchant_note: Some("tea".into()),
        extra: Params::new(),
    };
    let params = message.to_params();
    let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["pg_order_id", "pg_amount", "custom"]);
    assert_eq!(Prefixed::decode(&params).unwrap(), message);
    let errors = Prefixed {
        amount: "0".parse().unwrap(),
        ..message
    }
    .validate()
    .unwrap_err();
    assert_eq!(errors.iter().next().unwrap().field, "pg_amount");
}
