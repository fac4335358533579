//! Signing cases against the core: the gateway's documented vectors (every MD5
//! checked with `md5sum`), ordering edge cases of the sort-key rule, XML
//! parsing as the signature sees it, and codec round trips.
//!
//! Each case asserts the exact string to sign and snapshots it together with
//! the sort keys, so a change in ordering shows up as a readable diff.

use freedompay_core::signature::{self, SecretKey, SignatureError};
use freedompay_core::{Params, Value, form, xml};

/// Top-level text parameters, in order.
fn flat(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|&(name, value)| (name, value)).collect()
}

/// A tree from bracket-notation pairs, in order (as a form body arrives).
fn bracketed(pairs: &[(&str, &str)]) -> Params {
    form::from_pairs(
        pairs
            .iter()
            .map(|&(name, value)| (name.to_owned(), value.to_owned())),
    )
}

/// Sort keys with their values, then the string to sign: what the snapshots show.
fn explain(script: &str, params: &Params, secret: &SecretKey) -> String {
    let mut out = String::new();
    for (key, value) in signature::ordered_values(params) {
        out.push_str(&key);
        out.push_str(" = ");
        out.push_str(value);
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(&signature::string_to_sign(script, params, secret));
    out.push('\n');
    out
}

/// The values in signing order.
fn order(params: &Params) -> Vec<&str> {
    signature::ordered_values(params)
        .into_iter()
        .map(|(_, value)| value)
        .collect()
}

/// A naive order: names sorted alphabetically (depth first), positions ignored.
fn naive_order(params: &Params) -> Vec<String> {
    let mut entries: Vec<(&str, &Value)> = params.iter().filter(|(n, _)| *n != "pg_sig").collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
        .into_iter()
        .flat_map(|(_, value)| match value {
            Value::Text(text) => vec![text.clone()],
            Value::Nested(children) => naive_order(children),
        })
        .collect()
}

/// Asserts the string to sign, snapshots it with its sort keys, checks the MD5
/// when given, and returns the signature.
#[track_caller]
fn case(
    name: &str,
    script: &str,
    params: &Params,
    secret: &str,
    expected: &str,
    md5: Option<&str>,
) -> String {
    let secret = SecretKey::new(secret);
    let string = signature::string_to_sign(script, params, &secret);
    assert_eq!(string, expected, "string to sign of {name}");
    insta::assert_snapshot!(name, explain(script, params, &secret));
    let sig = signature::sign(script, params, &secret);
    assert_eq!(sig, signature::md5_hex(expected));
    // The debugger's explanation is the signer's: same string, same signature.
    let explanation = signature::explain(script, params, &secret);
    assert_eq!(explanation.expected, sig, "explained signature of {name}");
    assert_eq!(explanation.string_to_sign(&secret), expected);
    assert_eq!(
        explanation
            .steps
            .iter()
            .map(|step| (step.sort_key.clone(), step.value.as_str()))
            .collect::<Vec<_>>(),
        signature::ordered_values(params)
    );
    if let Some(md5) = md5 {
        assert_eq!(sig, md5, "pg_sig of {name}");
    }
    sig
}

/// `params` with `pg_sig` set (in place, or appended) to `sig`.
fn with_sig(mut params: Params, sig: &str) -> Params {
    params.set("pg_sig", sig);
    params
}

// ---------------------------------------------------------------------------
// Documented vectors.
// ---------------------------------------------------------------------------

#[test]
fn documented_init_payment_short() {
    let params = flat(&[
        ("pg_order_id", "23"),
        ("pg_merchant_id", "12345"),
        ("pg_amount", "25"),
        ("pg_description", "test"),
        ("pg_salt", "molbulak"),
    ]);
    let sig = case(
        "documented_init_payment_short",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;25;test;12345;23;molbulak;mysecret",
        Some("02a4d571f7ac768f3e7e51e1b4afa122"),
    );
    let signed = with_sig(params, &sig);
    assert_eq!(
        signature::verify("init_payment.php", &signed, &"mysecret".into()),
        Ok(())
    );
}

#[test]
fn documented_init_payment_order_description() {
    let params = flat(&[
        ("pg_order_id", "23"),
        ("pg_merchant_id", "12345"),
        ("pg_amount", "25"),
        ("pg_description", "Order description"),
        ("pg_salt", "some_random_string"),
    ]);
    case(
        "documented_init_payment_order_description",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;25;Order description;12345;23;some_random_string;mysecret",
        Some("b2451543f9a6d09a818194a9bc369e29"),
    );
}

#[test]
fn documented_get_status3() {
    let params = flat(&[
        ("pg_merchant_id", "12345"),
        ("pg_order_id", "00102"),
        ("pg_payment_id", "123456789"),
        ("pg_salt", "some random string"),
    ]);
    case(
        "documented_get_status3",
        "get_status3.php",
        &params,
        "mysecret",
        "get_status3.php;12345;00102;123456789;some random string;mysecret",
        Some("0ca5e379fbd41e423f3d523b5a54e77b"),
    );
}

#[test]
fn documented_card_add() {
    let params = flat(&[
        ("pg_back_link", "http://site.kz/back"),
        ("pg_merchant_id", "12345"),
        ("pg_post_link", "http://site.kz/post"),
        ("pg_salt", "some random string"),
        ("pg_user_id", "1234"),
    ]);
    case(
        "documented_card_add",
        "add",
        &params,
        "mysecret",
        "add;http://site.kz/back;12345;http://site.kz/post;some random string;1234;mysecret",
        Some("c022f0cab602e540f615295fa09294d9"),
    );
}

const PAYBOX_XML: &str = "<request><pg_salt>9imM909TH820jwk387</pg_salt><pg_t_param>value3</pg_t_param>\
<pg_a_param>value1</pg_a_param><pg_z_param><pg_q_subparam>subvalue2</pg_q_subparam>\
<pg_m_subparam>subvalue1</pg_m_subparam></pg_z_param><pg_b_param>value2</pg_b_param>\
<pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig></request>";

#[test]
fn documented_paybox_nested_xml() {
    let message = xml::parse(PAYBOX_XML).expect("the documented XML parses");
    assert_eq!(message.root, "request");
    assert_eq!(
        message.params.get_text("pg_sig"),
        Some("a8a4d5a9188f24038a14a4d65c387bf7")
    );
    case(
        "documented_paybox_nested_xml",
        "script.php",
        &message.params,
        "mypasskey",
        "script.php;value1;value2;9imM909TH820jwk387;value3;subvalue1;subvalue2;mypasskey",
        Some("a8a4d5a9188f24038a14a4d65c387bf7"),
    );
    // pg_sig is the sixth child: skipped, and nothing follows it.
    assert_eq!(
        signature::verify("script.php", &message.params, &"mypasskey".into()),
        Ok(())
    );
    assert_eq!(
        signature::verify("script.php", &message.params, &"otherkey".into()),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn documented_platron_capture_notification() {
    let params = flat(&[
        ("pg_order_id", "654"),
        ("pg_payment_id", "765432"),
        ("pg_salt", "salt"),
    ]);
    case(
        "documented_platron_capture_notification",
        "capture",
        &params,
        "secret_key",
        "capture;654;765432;salt;secret_key",
        Some("febc05297677ff695ff879cdec081d8d"),
    );
    // The same fields received in another order sign the same (no name is a prefix of another).
    let shuffled = flat(&[
        ("pg_salt", "salt"),
        ("pg_order_id", "654"),
        ("pg_payment_id", "765432"),
        ("pg_sig", "febc05297677ff695ff879cdec081d8d"),
    ]);
    assert_eq!(
        signature::verify("capture", &shuffled, &"secret_key".into()),
        Ok(())
    );
}

#[test]
fn documented_platron_check_answer_xml() {
    let reply = "<response><pg_salt>salt</pg_salt><pg_sig>173d9dec3eed87c273886e17afaf8fbe</pg_sig>\
<pg_status>ok</pg_status><pg_description>Товар передан покупателю</pg_description></response>";
    let message = xml::parse(reply).expect("the documented reply parses");
    assert_eq!(message.root, "response");
    case(
        "documented_platron_check_answer_xml",
        "check",
        &message.params,
        "secret_key",
        "check;Товар передан покупателю;salt;ok;secret_key",
        Some("173d9dec3eed87c273886e17afaf8fbe"),
    );
    // pg_sig sits second: it counts for the positions of pg_status and pg_description.
    let keys: Vec<String> = signature::ordered_values(&message.params)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys, ["pg_description004", "pg_salt001", "pg_status003"]);
    assert_eq!(
        signature::verify("check", &message.params, &"secret_key".into()),
        Ok(())
    );
}

#[test]
fn documented_platron_error_answers() {
    let reply = |sig: &str| {
        format!(
            "<response><pg_salt>salt</pg_salt><pg_status>error</pg_status>\
<pg_description>System error</pg_description><pg_sig>{sig}</pg_sig></response>"
        )
    };
    let refund = xml::parse(&reply("cbfae354859a2472188d958ca768ea0c")).expect("parses");
    case(
        "documented_platron_refund_error_answer",
        "refund",
        &refund.params,
        "secret_key",
        "refund;System error;salt;error;secret_key",
        Some("cbfae354859a2472188d958ca768ea0c"),
    );
    assert_eq!(
        signature::verify("refund", &refund.params, &"secret_key".into()),
        Ok(())
    );

    let capture = xml::parse(&reply("c1e39ce17fd285618cceee215ce857f7")).expect("parses");
    case(
        "documented_platron_capture_error_answer",
        "capture",
        &capture.params,
        "secret_key",
        "capture;System error;salt;error;secret_key",
        Some("c1e39ce17fd285618cceee215ce857f7"),
    );
    assert_eq!(
        signature::verify("capture", &capture.params, &"secret_key".into()),
        Ok(())
    );
    // The script name is signed: the refund answer does not verify as a capture answer.
    assert_eq!(
        signature::verify("capture", &refund.params, &"secret_key".into()),
        Err(SignatureError::Mismatch)
    );
}

/// The old documentation's full init_payment request, in the PHP sample's order.
const FULL_INIT_PAYMENT: &[(&str, &str)] = &[
    ("pg_order_id", "23"),
    ("pg_merchant_id", "12345"),
    ("pg_amount", "25"),
    ("pg_description", "test"),
    ("pg_salt", "molbulak"),
    ("pg_currency", "KZT"),
    ("pg_check_url", "http://site.kz/check"),
    ("pg_result_url", "http://site.kz/result"),
    ("pg_request_method", "POST"),
    ("pg_success_url", "http://site.kz/success"),
    ("pg_failure_url", "http://site.kz/failure"),
    ("pg_success_url_method", "GET"),
    ("pg_failure_url_method", "GET"),
    ("pg_state_url", "http://site.kz/state"),
    ("pg_state_url_method", "GET"),
    ("pg_site_url", "http://site.kz/return"),
    ("pg_payment_system", "EPAYWEBKZT"),
    ("pg_lifetime", "86400"),
    ("pg_user_phone", "77777777777"),
    ("pg_user_contact_email", "mail@customer.kz"),
    ("pg_user_ip", "127.0.0.1"),
    ("pg_postpone_payment", "0"),
    ("pg_language", "ru"),
    ("pg_testing_mode", "1"),
    ("pg_user_id", "1"),
    ("pg_recurring_start", "1"),
    ("pg_recurring_lifetime", "156"),
    ("pg_receipt_positions[0][count]", "1"),
    ("pg_receipt_positions[0][name]", "product name"),
    ("pg_receipt_positions[0][tax_type]", "3"),
    ("pg_receipt_positions[0][price]", "900"),
    ("pg_param1", "additional data"),
    ("pg_param2", "additional data"),
    ("pg_param3", "additional data"),
];

const FULL_INIT_PAYMENT_STRING: &str = "init_payment.php;25;http://site.kz/check;KZT;test;\
http://site.kz/failure;GET;ru;86400;12345;23;additional data;additional data;additional data;\
EPAYWEBKZT;0;1;product name;900;3;156;1;POST;http://site.kz/result;molbulak;\
http://site.kz/return;http://site.kz/state;GET;http://site.kz/success;GET;1;mail@customer.kz;1;\
127.0.0.1;77777777777;mysecret";

#[test]
fn documented_full_init_payment_31_fields() {
    let params = bracketed(FULL_INIT_PAYMENT);
    assert_eq!(params.len(), 31, "31 top-level fields");
    assert_eq!(
        params
            .get("pg_receipt_positions")
            .and_then(Value::as_nested)
            .and_then(|list| list.get("0"))
            .and_then(Value::as_nested)
            .map(Params::len),
        Some(4)
    );
    case(
        "documented_full_init_payment_31_fields",
        "init_payment.php",
        &params,
        "mysecret",
        FULL_INIT_PAYMENT_STRING,
        Some("7644292f41d22956d73f693dd2ca51b0"),
    );
}

#[test]
fn documented_full_init_payment_string_holds_for_any_field_order() {
    // No name in that request is another name followed by a digit, so the
    // positions never decide the order: the documented string is what the PHP
    // order gives, and what the reversed or a rotated order gives too.
    let secret = SecretKey::new("mysecret");
    let mut reversed: Vec<(&str, &str)> = FULL_INIT_PAYMENT.to_vec();
    reversed.reverse();
    let mut rotated: Vec<(&str, &str)> = FULL_INIT_PAYMENT.to_vec();
    rotated.rotate_left(13);
    for pairs in [reversed, rotated] {
        assert_eq!(
            signature::string_to_sign("init_payment.php", &bracketed(&pairs), &secret),
            FULL_INIT_PAYMENT_STRING
        );
    }
}

// ---------------------------------------------------------------------------
// Values.
// ---------------------------------------------------------------------------

#[test]
fn unicode_values_are_signed_as_utf8() {
    let params = flat(&[
        ("pg_order_id", "Заказ №7"),
        ("pg_amount", "1500"),
        ("pg_description", "Оплата: кофе ☕ и чай 🍵 (Қазақстан)"),
        ("pg_salt", "ñandú"),
    ]);
    case(
        "unicode_values",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;1500;Оплата: кофе ☕ и чай 🍵 (Қазақстан);Заказ №7;ñandú;mysecret",
        Some("3f0c8fb1461024631de01b0e129cfae1"),
    );
}

#[test]
fn empty_values_keep_their_place() {
    let params = flat(&[
        ("pg_order_id", "23"),
        ("pg_description", ""),
        ("pg_amount", "25"),
        ("pg_salt", ""),
    ]);
    case(
        "empty_values",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;25;;23;;mysecret",
        Some("ddb44069766e92598af4dd51b2b0f62b"),
    );
    // No parameters at all: script and key only.
    case(
        "no_parameters",
        "get_status3.php",
        &Params::new(),
        "mysecret",
        "get_status3.php;mysecret",
        Some("68c84f559de89e3a291fdeef58686c7a"),
    );
}

#[test]
fn semicolon_inside_a_value_is_not_escaped() {
    let first = flat(&[("pg_description", "a;b"), ("pg_salt", "c")]);
    let second = flat(&[("pg_description", "a"), ("pg_salt", "b;c")]);
    let sig = case(
        "semicolon_in_value",
        "init_payment.php",
        &first,
        "mysecret",
        "init_payment.php;a;b;c;mysecret",
        Some("906e937e288250bf9b55a3a4ca19c4fd"),
    );
    // The scheme joins without escaping, so both messages carry the same signature.
    assert_eq!(
        signature::sign("init_payment.php", &second, &"mysecret".into()),
        sig
    );
}

// ---------------------------------------------------------------------------
// Nesting and ordering.
// ---------------------------------------------------------------------------

#[test]
fn nested_list_of_two_positions() {
    let params = bracketed(&[
        ("pg_order_id", "23"),
        ("pg_receipt_positions[0][count]", "1"),
        ("pg_receipt_positions[0][name]", "Mouse pad"),
        ("pg_receipt_positions[0][tax_type]", "3"),
        ("pg_receipt_positions[0][price]", "900"),
        ("pg_receipt_positions[1][count]", "2"),
        ("pg_receipt_positions[1][name]", "Cable"),
        ("pg_receipt_positions[1][tax_type]", "0"),
        ("pg_receipt_positions[1][price]", "150"),
        ("pg_salt", "x"),
    ]);
    assert_eq!(params.len(), 3);
    case(
        "nested_list_of_two",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;23;1;Mouse pad;900;3;2;Cable;150;0;x;mysecret",
        Some("78614c02fdff3fcb09a5088d99700b2c"),
    );
    let keys: Vec<String> = signature::ordered_values(&params)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys[1], "pg_receipt_positions0020001count001");
    assert_eq!(keys[8], "pg_receipt_positions0021002tax_type003");
}

#[test]
fn nested_list_of_twelve_positions_sorts_by_suffixed_keys() {
    let names: Vec<String> = (0..12)
        .map(|i| format!("pg_receipt_positions[{i}][name]"))
        .collect();
    let values: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
    let mut pairs: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    pairs.push(("pg_salt", "s"));
    let params = bracketed(&pairs);
    // Item `i` is child `i` at position i+1: `10` gets `…00110011…` and `1`
    // gets `…0011002…`, so the tenth-and-later items slot in after `0` and `1`:
    // 0, 10, 1, 11, 2, …, 9. Not 0‥11 (numeric), not 0, 1, 10, 11, 2 (by name).
    case(
        "nested_list_of_twelve",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;p0;p10;p1;p11;p2;p3;p4;p5;p6;p7;p8;p9;s;mysecret",
        Some("67f47819b87c286d05bf43ff4c56a53d"),
    );
    let naive = naive_order(&params);
    assert_eq!(
        naive,
        [
            "p0", "p1", "p10", "p11", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "s"
        ]
    );
    assert_ne!(order(&params), naive);
}

#[test]
fn prefix_names_item1_and_item10() {
    // item1 at 1, item10 at 2: `item10002` < `item1001`, item10 first; by name item1 would be.
    let adjacent = flat(&[("item1", "A"), ("item10", "B")]);
    case(
        "prefix_item1_then_item10",
        "s",
        &adjacent,
        "k",
        "s;B;A;k",
        Some("ff32ef11b1f6d8c7d37062ca16b22009"),
    );
    assert_eq!(naive_order(&adjacent), ["A", "B"]);

    // Reversed: `item10001` < `item1002`, item10 still first.
    let reversed = flat(&[("item10", "B"), ("item1", "A")]);
    assert_eq!(order(&reversed), ["B", "A"]);

    // item1 at 1, item10 at 12: `item1001` is a prefix of `item10012`, item1 first.
    let mut far = flat(&[("item1", "A")]);
    for i in 2..=11 {
        far.push(format!("x{i:02}"), format!("x{i}"));
    }
    far.push("item10", "B");
    case(
        "prefix_item1_then_item10_at_12",
        "s",
        &far,
        "k",
        "s;A;B;x2;x3;x4;x5;x6;x7;x8;x9;x10;x11;k",
        None,
    );
}

#[test]
fn prefix_names_pg_param1_and_pg_param10() {
    // Positions 1, 2, 3: `pg_param10003` < `pg_param1001` < `pg_param2002`.
    let three = flat(&[
        ("pg_param1", "one"),
        ("pg_param2", "two"),
        ("pg_param10", "ten"),
    ]);
    case(
        "prefix_pg_param_1_2_10",
        "init_payment.php",
        &three,
        "mysecret",
        "init_payment.php;ten;one;two;mysecret",
        Some("b5d2482a2b22e6da6e39acdb9487f397"),
    );
    assert_eq!(naive_order(&three), ["one", "ten", "two"]);

    // pg_param1..pg_param10 at positions 1..10: `pg_param1001` is a prefix of
    // `pg_param10010`, and here the result happens to equal the naive order.
    let ten: Params = (1..=10)
        .map(|i| (format!("pg_param{i}"), format!("v{i}")))
        .collect();
    case(
        "prefix_pg_param_1_to_10",
        "init_payment.php",
        &ten,
        "mysecret",
        "init_payment.php;v1;v10;v2;v3;v4;v5;v6;v7;v8;v9;mysecret",
        None,
    );
    assert_eq!(order(&ten), naive_order(&ten));

    // pg_param10 first, then pg_param1 at position 2: `pg_param10001` < `pg_param1002`.
    let swapped = flat(&[("pg_param10", "ten"), ("pg_param1", "one")]);
    assert_eq!(order(&swapped), ["ten", "one"]);
}

#[test]
fn upper_case_names_sort_before_lower_case() {
    let params = flat(&[
        ("PG_AMOUNT", "1"),
        ("pg_amount", "2"),
        ("Pg_Zeta", "3"),
        ("pg_Amount", "4"),
    ]);
    // Bytes: 'P' (0x50) < 'p' (0x70), 'G' < 'g', 'A' < 'a'.
    case(
        "upper_case_names",
        "init_payment.php",
        &params,
        "mysecret",
        "init_payment.php;1;3;4;2;mysecret",
        Some("12201aabe68b7073fcd8ad0db130cbb9"),
    );
}

#[test]
fn pg_sig_in_the_middle_counts_for_positions() {
    let params = flat(&[("a", "1"), ("pg_sig", "deadbeef"), ("b", "2")]);
    let keys: Vec<String> = signature::ordered_values(&params)
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys, ["a001", "b003"]);
    case(
        "pg_sig_in_the_middle",
        "s",
        &params,
        "k",
        "s;1;2;k",
        Some("e5fa244533af1083eb54e9447792480b"),
    );

    // Where positions decide the order, the skipped pg_sig changes the result:
    // with it item10 is tenth (`item1001` prefixes `item10010`: A first); with
    // it removed item10 is ninth (`item10009` < `item1001`: B first).
    let mut counted = flat(&[("item1", "A"), ("pg_sig", "0")]);
    for i in 3..=9 {
        counted.push(format!("x{i}"), format!("x{i}"));
    }
    counted.push("item10", "B");
    case(
        "pg_sig_in_the_middle_decides_order",
        "s",
        &counted,
        "k",
        "s;A;B;x3;x4;x5;x6;x7;x8;x9;k",
        None,
    );
    let mut removed = counted.clone();
    removed.remove("pg_sig");
    assert_eq!(
        signature::string_to_sign("s", &removed, &"k".into()),
        "s;B;A;x3;x4;x5;x6;x7;x8;x9;k"
    );
    assert_ne!(
        signature::sign("s", &counted, &"k".into()),
        signature::sign("s", &removed, &"k".into())
    );
}

// ---------------------------------------------------------------------------
// XML as the signature sees it.
// ---------------------------------------------------------------------------

#[test]
fn xml_nested_and_repeated_elements() {
    let message = xml::parse(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>\n  <pg_status>ok</pg_status>\n  \
<pg_item><pg_name>first</pg_name><pg_price>10</pg_price></pg_item>\n  \
<pg_item><pg_name>second</pg_name><pg_price>20</pg_price></pg_item>\n  \
<pg_tag>x</pg_tag>\n  <pg_tag>y</pg_tag>\n  <pg_salt>s</pg_salt>\n</response>\n",
    )
    .expect("parses");
    assert_eq!(message.params.len(), 6);
    let tags: Vec<&str> = message
        .params
        .get_all("pg_tag")
        .filter_map(Value::as_text)
        .collect();
    assert_eq!(tags, ["x", "y"]);
    case(
        "xml_nested_and_repeated",
        "result",
        &message.params,
        "k",
        "result;first;10;second;20;s;ok;x;y;k",
        Some("9265ec988944c7f01e0f6cf631f25104"),
    );
}

#[test]
fn xml_entities_are_decoded() {
    let message = xml::parse(
        "<response><pg_description>Tom &amp; Jerry &#1090;&#x435;&#1089;&#1090; &lt;ok&gt; \
&quot;q&quot; &apos;a&apos;</pg_description><pg_salt>s</pg_salt></response>",
    )
    .expect("parses");
    assert_eq!(
        message.params.get_text("pg_description"),
        Some("Tom & Jerry тест <ok> \"q\" 'a'")
    );
    case(
        "xml_entities",
        "check",
        &message.params,
        "k",
        "check;Tom & Jerry тест <ok> \"q\" 'a';s;k",
        Some("31154bc1dbe53540774c326c4d1e00dd"),
    );
}

#[test]
fn xml_cdata_is_kept_verbatim() {
    let message = xml::parse(
        "<response><pg_description><![CDATA[<b>bold</b> & raw]]></pg_description>\
<pg_salt>a<![CDATA[b]]>c</pg_salt></response>",
    )
    .expect("parses");
    case(
        "xml_cdata",
        "check",
        &message.params,
        "k",
        "check;<b>bold</b> & raw;abc;k",
        Some("63c0b34aced8c30de617cde56b32b5d6"),
    );
}

#[test]
fn xml_write_then_parse_keeps_the_signature() {
    let message = xml::parse(PAYBOX_XML).expect("parses");
    let written = xml::write(&message.root, &message.params);
    let reparsed = xml::parse(&written).expect("written XML parses");
    assert_eq!(reparsed, message);
    assert_eq!(
        signature::verify("script.php", &reparsed.params, &"mypasskey".into()),
        Ok(())
    );
}

#[test]
fn malformed_xml_is_an_error_not_a_panic() {
    let deep_100 = format!("{}x{}", "<a>".repeat(100), "</a>".repeat(100));
    let cases: &[(&str, &str)] = &[
        ("unclosed tag", "<response><pg_salt>x</response>"),
        ("unterminated document", "<response><pg_salt>x"),
        ("garbage", "this is not XML at all"),
        ("empty input", ""),
        ("whitespace only", "  \n "),
        ("two roots", "<a><b>1</b></a><c><d>2</d></c>"),
        ("two empty roots", "<a/><b/>"),
        ("text after the root", "<a><b>1</b></a>trailing"),
        ("mismatched closing tags", "<a><b>1</a></b>"),
        ("closing tag first", "</a>"),
        ("unknown entity", "<a><b>&nosuch;</b></a>"),
        ("bad character reference", "<a><b>&#xZZ;</b></a>"),
        ("text root", "<a>just text</a>"),
        ("broken tag", "<a><b</a>"),
        ("deep nesting 100 levels", &deep_100),
    ];
    for (what, input) in cases {
        assert!(xml::parse(input).is_err(), "{what} must be rejected");
    }
    let error = xml::parse(&deep_100).unwrap_err();
    assert!(error.reason.contains("deeper"), "{error}");

    // The limit itself is accepted: a root and 31 nested levels.
    let depth = xml::MAX_DEPTH;
    let at_limit = format!("{}x{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert!(xml::parse(&at_limit).is_ok());
    let over = format!("{}x{}", "<a>".repeat(depth + 1), "</a>".repeat(depth + 1));
    assert!(xml::parse(&over).is_err());
}

// ---------------------------------------------------------------------------
// Form codec.
// ---------------------------------------------------------------------------

#[test]
fn form_round_trip_keeps_nested_order() {
    let params = bracketed(&[
        ("pg_order_id", "23"),
        ("pg_receipt_positions[0][name]", "Mouse pad & co"),
        ("pg_receipt_positions[0][count]", "1"),
        ("pg_receipt_positions[1][name]", "Кабель"),
        ("pg_receipt_positions[1][count]", "2"),
        ("pg_amount", "25"),
        ("pg_description", "a=b;c d+e"),
    ]);
    let body = form::encode(&params);
    insta::assert_snapshot!("form_encoded_nested", body);
    let decoded = form::decode(&body);
    assert_eq!(decoded, params);
    let names: Vec<&str> = decoded.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "pg_order_id",
            "pg_receipt_positions",
            "pg_amount",
            "pg_description"
        ]
    );
    let secret = SecretKey::new("k");
    assert_eq!(
        signature::sign("init_payment.php", &decoded, &secret),
        signature::sign("init_payment.php", &params, &secret)
    );
}

// ---------------------------------------------------------------------------
// Verification.
// ---------------------------------------------------------------------------

#[test]
fn verify_rejects_any_change() {
    let secret = SecretKey::new("mysecret");
    let base = flat(&[
        ("pg_order_id", "23"),
        ("pg_merchant_id", "12345"),
        ("pg_amount", "25"),
        ("pg_description", "test"),
        ("pg_salt", "molbulak"),
        ("pg_sig", "02a4d571f7ac768f3e7e51e1b4afa122"),
    ]);
    assert_eq!(
        signature::verify("init_payment.php", &base, &secret),
        Ok(())
    );

    let rename = |from: &str, to: &str| -> Params {
        base.clone()
            .into_iter()
            .map(|(name, value)| {
                (
                    if name == from {
                        to.to_owned()
                    } else {
                        name.into_owned()
                    },
                    value,
                )
            })
            .collect()
    };
    let mut changed_value = base.clone();
    changed_value.set("pg_amount", "26");
    let mut added = base.clone();
    added.push("pg_extra", "1");
    let mut removed = base.clone();
    removed.remove("pg_description");
    for (what, script, params, key) in [
        ("changed value", "init_payment.php", &changed_value, &secret),
        // pg_amount renamed pg_zamount: its value now sorts last.
        (
            "changed key",
            "init_payment.php",
            &rename("pg_amount", "pg_zamount"),
            &secret,
        ),
        ("added parameter", "init_payment.php", &added, &secret),
        ("removed parameter", "init_payment.php", &removed, &secret),
        ("other script", "init_payment", &base, &secret),
        (
            "other key",
            "init_payment.php",
            &base,
            &SecretKey::new("Mysecret"),
        ),
    ] {
        assert_eq!(
            signature::verify(script, params, key),
            Err(SignatureError::Mismatch),
            "{what}"
        );
    }
    // The signature covers values, not names: a renamed key that keeps its
    // value's place in the order still verifies (pg_description → pg_desc).
    assert_eq!(
        signature::verify(
            "init_payment.php",
            &rename("pg_description", "pg_desc"),
            &secret
        ),
        Ok(())
    );

    let mut upper = base.clone();
    upper.set("pg_sig", "02A4D571F7AC768F3E7E51E1B4AFA122");
    assert_eq!(
        signature::verify("init_payment.php", &upper, &secret),
        Ok(())
    );

    let mut truncated = base.clone();
    truncated.set("pg_sig", "02a4d571f7ac768f3e7e51e1b4afa12");
    assert_eq!(
        signature::verify("init_payment.php", &truncated, &secret),
        Err(SignatureError::Mismatch)
    );

    let mut missing = base.clone();
    missing.remove("pg_sig");
    assert_eq!(
        signature::verify("init_payment.php", &missing, &secret),
        Err(SignatureError::Missing)
    );
}

// ---------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------

mod properties {
    use freedompay_core::signature::{self, SecretKey};
    use freedompay_core::{Params, Value, form, xml};
    use proptest::prelude::*;

    /// Names that survive both codecs: XML names, no brackets, never `pg_sig`.
    fn name() -> impl Strategy<Value = String> {
        "[a-z_][a-z0-9_]{0,7}".prop_filter("pg_sig is not a parameter", |n| n != "pg_sig")
    }

    /// Text XML 1.0 can carry: no control characters but tab, line feed and
    /// carriage return (which `xml::write` escapes as `&#13;`).
    fn text() -> impl Strategy<Value = String> {
        "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F\\uFFFE\\uFFFF]{0,12}|[ a\\r\\n\\t&<>;]{0,6}"
    }

    /// A tree with unique names per level and no empty nested list (neither
    /// codec can carry one: a form drops it, XML reads `<a></a>` as text).
    fn tree() -> impl Strategy<Value = Params> {
        let leaf = text().prop_map(Value::Text);
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            proptest::collection::vec((name(), inner), 1..4).prop_filter_map("unique names", unique)
        });
        proptest::collection::vec((name(), value), 0..6).prop_filter_map("unique names", |e| {
            let Value::Nested(params) = unique(e)? else {
                return None;
            };
            Some(params)
        })
    }

    fn unique(entries: Vec<(String, Value)>) -> Option<Value> {
        let mut seen = std::collections::HashSet::new();
        entries
            .iter()
            .all(|(name, _)| seen.insert(name.clone()))
            .then(|| Value::Nested(entries.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn form_encode_decode_round_trips(params in tree()) {
            prop_assert_eq!(form::decode(&form::encode(&params)), params);
        }

        #[test]
        fn xml_write_parse_round_trips(params in tree(), root in name()) {
            let message = xml::parse(&xml::write(&root, &params));
            prop_assert_eq!(message, Ok(xml::XmlMessage { root, params }));
        }

        #[test]
        fn verify_accepts_what_sign_made(
            params in tree(),
            script in "[a-z_]{1,12}(\\.php)?",
            secret in "[ -~]{1,16}",
            at in 0usize..8,
        ) {
            let secret = SecretKey::new(secret);
            // pg_sig anywhere: it counts for positions, so sign the final layout.
            let mut entries: Vec<(String, Value)> =
                params.into_iter().map(|(n, v)| (n.into_owned(), v)).collect();
            let at = at.min(entries.len());
            entries.insert(at, ("pg_sig".to_owned(), Value::Text(String::new())));
            let mut signed: Params = entries.into_iter().collect();
            let sig = signature::sign(&script, &signed, &secret);
            signed.set("pg_sig", sig.as_str());
            prop_assert_eq!(signature::verify(&script, &signed, &secret), Ok(()));
            signed.set("pg_sig", sig.to_uppercase());
            prop_assert_eq!(signature::verify(&script, &signed, &secret), Ok(()));
        }

        /// The signer hashes the values as it finds them; it signs exactly
        /// the documented string to sign, nested or flat, pg_sig anywhere.
        #[test]
        fn sign_is_the_md5_of_the_string_to_sign(
            params in tree(),
            script in "[a-z_]{1,12}(\\.php)?",
            secret in "[ -~]{1,16}",
        ) {
            let secret = SecretKey::new(secret);
            let expected = signature::md5_hex(&signature::string_to_sign(&script, &params, &secret));
            prop_assert_eq!(signature::sign(&script, &params, &secret), expected);
        }

        /// The debugger's explanation of any message, nested or flat, is
        /// what the signer signs: its string hashes to `sign`'s signature,
        /// its steps are the values in signing order with their names, and
        /// a matching `pg_sig` is diagnosed as matching.
        #[test]
        fn explain_is_what_sign_signs(
            params in tree(),
            script in "[a-z_]{1,12}(\\.php)?",
            secret in "[ -~]{1,16}",
        ) {
            let secret = SecretKey::new(secret);
            let explanation = signature::explain(&script, &params, &secret);
            let sig = signature::sign(&script, &params, &secret);
            prop_assert_eq!(&explanation.expected, &sig);
            prop_assert_eq!(signature::md5_hex(&explanation.string_to_sign(&secret)), sig.clone());
            prop_assert_eq!(
                explanation.string_to_sign(&secret),
                signature::string_to_sign(&script, &params, &secret)
            );
            let pairs = form::to_pairs(&params);
            for step in &explanation.steps {
                prop_assert!(
                    pairs.iter().any(|(name, value)| *name == step.path && *value == step.value),
                    "{} = {:?} is no pair of the message", step.path, step.value
                );
            }
            let mut signed = params.clone();
            signed.push("pg_sig", sig);
            let report = freedompay_core::debugger::diagnose(&script, &signed, &secret, None);
            prop_assert_eq!(report.verdict, freedompay_core::debugger::Verdict::Matches);
        }

        /// Flat messages take a path of their own: short and long ones (past
        /// what is sorted on the stack, and past 999 parameters, where a
        /// position needs four digits and keys can collide), names that end
        /// in digits, repeated names, `pg_sig` among them, and long names
        /// whose keys share their first 15 bytes or more (the signer sorts
        /// those by the whole key).
        #[test]
        fn flat_messages_sign_like_the_string_to_sign(
            names in proptest::collection::vec(
                "(pg_sig|[a-z]{0,3}[0-9]{0,4}|pg_redirect_ur[l0-9]{0,2}[a-z_0-9]{0,4})",
                0..60,
            ),
            long in 0usize..3,
        ) {
            let secret = SecretKey::new("key");
            let mut params: Params = names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), Value::Text(format!("v{i}"))))
                .collect();
            for i in 0..[0, 40, 1000][long] {
                params.push(format!("n{}", i % 7), format!("w{i}"));
            }
            let expected = signature::md5_hex(&signature::string_to_sign("s", &params, &secret));
            prop_assert_eq!(signature::sign("s", &params, &secret), expected);
        }

        #[test]
        fn xml_parse_never_panics(input in "\\PC*") {
            let _ = xml::parse(&input);
        }

        #[test]
        fn xml_parse_never_panics_on_xml_like_input(
            input in "(<[a-z/!?]{0,3}[a-z]{0,3}>?|&[a-z#0-9]{0,5};?|<!\\[CDATA\\[|\\]\\]>|[a-z ]{0,3}|\"){0,40}",
        ) {
            let _ = xml::parse(&input);
        }
    }
}

/// Key collisions follow `PG_Signature::makeFlatParamsArray`: a text value is
/// added with PHP's `+=` (an existing key wins), a nested list with
/// `array_merge` (the list's value wins), whichever comes first.
#[test]
fn flattened_key_collisions_follow_php() {
    let secret = SecretKey::new("key");
    let nested = |pairs: &[(&str, &str)]| Value::Nested(flat(pairs));

    // Text first (`a002b` at position 1 → `a002b001`), then the list `a` at
    // position 2 whose child `b` flattens to the same `a002b001`: array_merge
    // overwrites, so the list's value is signed.
    let mut text_first = flat(&[("a002b", "text")]);
    text_first.push("a", nested(&[("b", "nested")]));
    text_first.push("z", "last");
    assert_eq!(
        signature::string_to_sign("s", &text_first, &secret),
        "s;nested;last;key"
    );

    // List first (`a` → `a001c001`, `a001b002`), then text `a001b` at position
    // 2 (`a001b002`): `+=` keeps the list's value.
    let mut list_first = Params::new();
    list_first.push("a", nested(&[("c", "c1"), ("b", "nested")]));
    list_first.push("a001b", "text");
    assert_eq!(
        signature::string_to_sign("s", &list_first, &secret),
        "s;nested;c1;key"
    );
    assert_eq!(signature::ordered_values(&list_first).len(), 2);
}

#[test]
fn salts_are_sixteen_alphanumerics_and_do_not_repeat_across_pool_refills() {
    // Far more salts than one pool of random bytes gives, on two threads.
    let draw = || -> Vec<String> { (0..2_000).map(|_| signature::generate_salt()).collect() };
    let other = std::thread::spawn(draw);
    let mut salts = draw();
    salts.extend(other.join().expect("the other thread draws"));
    for salt in &salts {
        assert_eq!(salt.len(), 16, "{salt}");
        assert!(salt.bytes().all(|b| b.is_ascii_alphanumeric()), "{salt}");
    }
    let distinct: std::collections::HashSet<&String> = salts.iter().collect();
    assert_eq!(distinct.len(), salts.len(), "a salt came out twice");
    let used: std::collections::HashSet<u8> = salts.iter().flat_map(|s| s.bytes()).collect();
    assert_eq!(used.len(), 62, "every character of the alphabet is drawn");
}

#[test]
fn values_xml_cannot_carry_become_the_replacement_character_and_the_rest_is_kept() {
    let mut params = flat(&[
        ("pg_description", "a\u{1f}b\tc\nd\re\u{fffe}"),
        ("pg_salt", "s"),
    ]);
    params.push("pg_items", flat(&[("pg_name", "\u{0}x\u{b}\u{c}\u{ffff}")]));
    xml::make_carryable(&mut params);
    assert_eq!(
        params.get_text("pg_description"),
        Some("a\u{fffd}b\tc\nd\re\u{fffd}")
    );
    assert_eq!(params.get_text("pg_salt"), Some("s"));
    let nested = params
        .get("pg_items")
        .and_then(Value::as_nested)
        .expect("nested");
    assert_eq!(
        nested.get_text("pg_name"),
        Some("\u{fffd}x\u{fffd}\u{fffd}\u{fffd}")
    );
    let document = xml::write("response", &params);
    let parsed = xml::parse(&document).expect("well-formed");
    assert_eq!(parsed.params, params);
}
