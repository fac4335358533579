//! Properties (issue 10 §4): what `signing.rs` does not already cover.
//!
//! `signing.rs` has sign → verify for any tree and the form/XML round trips;
//! here: any one-character or one-byte change of a value (at any depth), of
//! a name, or of the signature; every generated request type through form
//! encode → decode with random values within its rules; amounts and their
//! wire text. Fixed config: 128 cases each, no failure files, no timing.

use freedompay::{Amount, Params, form};
use freedompay_core::Value;
use freedompay_core::signature::{self, SecretKey, SignatureError};
use proptest::prelude::*;

use crate::support::{examples, spec};

/// 128 cases from a fixed seed, so every run (and CI) checks the same cases;
/// `PROPTEST_RNG_SEED` does not override a fixed seed, so a wider search is
/// a change of this seed or of `cases`.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5EED_F2EE_D09A),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// 1. One-character changes break the signature.
// ---------------------------------------------------------------------------

/// Names without digits: a flattened nested key (`a001b001`) then never
/// collides with another name, so every value is in the signed string.
fn name() -> impl Strategy<Value = String> {
    "[a-z_]{1,8}".prop_filter("pg_sig is not a parameter", |n| n != "pg_sig")
}

/// Any non-control text, Unicode included, empty allowed.
fn text() -> impl Strategy<Value = String> {
    "[^\\p{C}]{0,10}"
}

fn unique(entries: Vec<(String, Value)>) -> Option<Params> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .all(|(name, _)| seen.insert(name.clone()))
        .then(|| entries.into_iter().collect())
}

/// A tree of unique names per level, nested lists up to three deep.
fn tree() -> impl Strategy<Value = Params> {
    let leaf = text().prop_map(Value::Text);
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        proptest::collection::vec((name(), inner), 1..4)
            .prop_filter_map("unique names", |e| unique(e).map(Value::Nested))
    });
    proptest::collection::vec((name(), value), 1..6).prop_filter_map("unique names", unique)
}

/// What to change in the `n`-th (modulo their count) value or name, in tree order.
#[derive(Debug, Clone, Copy)]
enum Target {
    Value,
    Name,
}

fn count(params: &Params, target: Target) -> usize {
    params
        .iter()
        .map(|(_, value)| match (value, target) {
            (Value::Text(_), _) => 1,
            (Value::Nested(inner), Target::Value) => count(inner, target),
            (Value::Nested(inner), Target::Name) => 1 + count(inner, target),
        })
        .sum()
}

/// Applies `change` to the `n`-th value or name of the tree.
fn change_nth(
    params: Params,
    target: Target,
    n: &mut usize,
    change: &dyn Fn(&str) -> String,
) -> Params {
    params
        .into_iter()
        .map(|(name, value)| {
            let name = if matches!(target, Target::Name) {
                let hit = *n == 0;
                *n = n.wrapping_sub(1);
                if hit {
                    change(&name)
                } else {
                    name.into_owned()
                }
            } else {
                name.into_owned()
            };
            let value = match value {
                Value::Text(text) if matches!(target, Target::Value) => {
                    let hit = *n == 0;
                    *n = n.wrapping_sub(1);
                    Value::Text(if hit { change(&text) } else { text })
                }
                Value::Text(text) => Value::Text(text),
                Value::Nested(inner) => Value::Nested(change_nth(inner, target, n, change)),
            };
            (name, value)
        })
        .collect()
}

/// One character of `text` replaced by `with` (at `at`, modulo the length),
/// or `with` inserted when `text` is empty; `None` if nothing would change.
fn one_char_changed(text: &str, at: usize, with: char) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Some(with.to_string());
    }
    let at = at % chars.len();
    let mut changed = chars;
    if changed.get(at) == Some(&with) {
        return None;
    }
    if let Some(slot) = changed.get_mut(at) {
        *slot = with;
    }
    Some(changed.into_iter().collect())
}

fn signed_values(params: &Params) -> Vec<String> {
    signature::ordered_values(params)
        .into_iter()
        .map(|(_, value)| value.to_owned())
        .collect()
}

fn sealed(params: Params, secret: &SecretKey) -> Params {
    let mut params = params;
    let sig = signature::sign("s.php", &params, secret);
    params.push("pg_sig", sig);
    params
}

proptest! {
    #![proptest_config(config())]

    /// Any one-character change of any value, at any depth, breaks verification.
    #[test]
    fn changing_one_character_of_any_value_breaks_the_signature(
        params in tree(),
        which in any::<usize>(),
        at in any::<usize>(),
        with in "[^\\p{C}]",
        secret in "[ -~]{1,16}",
    ) {
        let secret = SecretKey::new(secret);
        let signed = sealed(params.clone(), &secret);
        prop_assert_eq!(signature::verify("s.php", &signed, &secret), Ok(()));
        let with = with.chars().next().unwrap_or('x');
        let values = count(&params, Target::Value);
        prop_assume!(values > 0);
        let mut n = which % values;
        let changed_anything = std::cell::Cell::new(false);
        let changed = change_nth(signed, Target::Value, &mut n, &|text| {
            match one_char_changed(text, at, with) {
                Some(new) => { changed_anything.set(true); new }
                None => text.to_owned(),
            }
        });
        prop_assume!(changed_anything.get());
        prop_assert_eq!(
            signature::verify("s.php", &changed, &secret),
            Err(SignatureError::Mismatch)
        );
    }

    /// Any one-byte change (low six bits flipped, so the text stays UTF-8
    /// nearly always) of any non-empty value, at any depth, breaks verification.
    #[test]
    fn changing_one_byte_of_any_value_breaks_the_signature(
        params in tree(),
        which in any::<usize>(),
        at in any::<usize>(),
        mask in 1u8..64,
        secret in "[ -~]{1,16}",
    ) {
        let secret = SecretKey::new(secret);
        let signed = sealed(params.clone(), &secret);
        let values = count(&params, Target::Value);
        let mut n = which % values;
        let changed_anything = std::cell::Cell::new(false);
        let changed = change_nth(signed, Target::Value, &mut n, &|text| {
            let mut bytes = text.as_bytes().to_vec();
            let Some(byte) = at.checked_rem(bytes.len()).and_then(|k| bytes.get_mut(k)) else {
                return text.to_owned();
            };
            *byte ^= mask;
            match String::from_utf8(bytes) {
                Ok(new) => { changed_anything.set(true); new }
                Err(_) => text.to_owned(),
            }
        });
        prop_assume!(changed_anything.get());
        prop_assert_eq!(
            signature::verify("s.php", &changed, &secret),
            Err(SignatureError::Mismatch)
        );
    }

    /// The signature covers values in the order of their names, not the
    /// names themselves: a one-character change of any name, at any depth,
    /// breaks verification exactly when it changes the signed order of values
    /// (a rename that keeps the order verifies, as documented in
    /// `signing::verify_rejects_any_change`).
    #[test]
    fn changing_one_character_of_any_name_breaks_the_signature_iff_the_order_changes(
        params in tree(),
        which in any::<usize>(),
        at in any::<usize>(),
        with in "[a-z_]",
        secret in "[ -~]{1,16}",
    ) {
        let secret = SecretKey::new(secret);
        let with = with.chars().next().unwrap_or('x');
        let names = count(&params, Target::Name);
        let mut n = which % names;
        let changed = change_nth(params.clone(), Target::Name, &mut n, &|name| {
            one_char_changed(name, at, with).unwrap_or_else(|| name.to_owned())
        });
        // Names stay unique per level (else the tree is another message) and not pg_sig.
        prop_assume!(unique(changed.clone().into_iter().map(|(n, v)| (n.into_owned(), v)).collect()).is_some());
        prop_assume!(!changed.contains("pg_sig"));
        prop_assume!(changed != params);
        let order_kept = signed_values(&changed) == signed_values(&params);
        // The changed names with the original signature.
        let sig = signature::sign("s.php", &params, &secret);
        let mut forged = changed;
        forged.push("pg_sig", sig);
        let expected = if order_kept { Ok(()) } else { Err(SignatureError::Mismatch) };
        prop_assert_eq!(signature::verify("s.php", &forged, &secret), expected);
    }

    /// Any one-character change of the signature breaks it, but a change of
    /// letter case (the comparison ignores case).
    #[test]
    fn changing_one_character_of_the_signature_breaks_it(
        params in tree(),
        at in 0usize..32,
        with in "[ -~]",
        secret in "[ -~]{1,16}",
    ) {
        let secret = SecretKey::new(secret);
        let sig = signature::sign("s.php", &params, &secret);
        let with = with.chars().next().unwrap_or('x');
        let original = sig.chars().nth(at).unwrap_or('0');
        prop_assume!(!with.eq_ignore_ascii_case(&original));
        let changed = one_char_changed(&sig, at, with).unwrap_or_default();
        let mut forged = params;
        forged.push("pg_sig", changed);
        prop_assert_eq!(
            signature::verify("s.php", &forged, &secret),
            Err(SignatureError::Mismatch)
        );
    }
}

// ---------------------------------------------------------------------------
// 2. Every generated request type round-trips through the form.
// ---------------------------------------------------------------------------

/// An endpoint's example parameters without the protocol fields and those
/// the client fills in (as `spec_examples` does).
fn example_inputs() -> Vec<(String, &'static codegen::ir::Endpoint, Params)> {
    let mut inputs = Vec::new();
    for endpoint in spec().form_endpoints() {
        let outgoing = endpoint.direction.outgoing();
        for example in &endpoint.examples {
            let params = codegen::emit::markdown::example_params(endpoint, example);
            let input: Params = params
                .iter()
                .filter(|(name, _)| {
                    let filled_by_client = outgoing && *name == "pg_merchant_id";
                    !matches!(*name, "pg_salt" | "pg_sig") && !filled_by_client
                })
                .map(|(name, value)| (name.to_owned(), value.clone()))
                .collect();
            inputs.push((format!("{} {}", endpoint.id, example.name), endpoint, input));
        }
    }
    inputs
}

/// Random values drawn by proptest, picked from in turn.
struct Pools<'a> {
    texts: &'a [String],
    numbers: &'a [u32],
    amounts: &'a [u64],
    /// Seeds the generator of text matching a field's pattern.
    seed: u64,
}

/// A text matching `pattern` (anchors stripped), drawn deterministically from `seed`.
fn matching(pattern: &str, seed: u64) -> Option<String> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let inner = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let strategy = proptest::string::string_regex(inner).ok()?;
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), rng);
    Some(strategy.new_tree(&mut runner).ok()?.current())
}

fn nth<T>(pool: &[T], i: usize) -> Option<&T> {
    i.checked_rem(pool.len()).and_then(|k| pool.get(k))
}

/// A random value within a field's rules: free text (length within its
/// bounds, or matching its pattern), URLs, e-mails, phones, IPv4 and IPv6
/// addresses, date-times in both accepted forms, integers, amounts and
/// decimals (within their bounds), flags, enum values; `None` where none fits.
fn random_value(field: &codegen::ir::Field, i: usize, pools: &Pools) -> Option<String> {
    use codegen::ir::Type;
    use freedompay::Decimal;
    let c = &field.constraints;
    // Text of a format (or of a string's pattern), drawn from a regular
    // expression; kept as documented if it breaks the field's pattern or a
    // length bound.
    let format = match &field.ty {
        Type::Url => Some(r"^https://[a-z0-9]{1,12}\.[a-z]{2,6}(/[a-zA-Z0-9._~-]{1,12}){0,3}$"),
        Type::Email => Some(r"^[a-z0-9._+-]{1,12}@[a-z0-9-]{1,12}\.[a-z]{2,6}$"),
        Type::Phone => Some(r"^[1-9][0-9]{9,14}$"),
        // IPv4 and IPv6 (full and `::`-compressed) in turn.
        Type::Ip => Some(match i % 3 {
            0 => r"^[1-9][0-9]?\.(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)\.[1-9][0-9]?$",
            1 => r"^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$",
            _ => r"^([0-9a-f]{1,4}:){1,3}(:[0-9a-f]{1,4}){1,3}$",
        }),
        // The gateway's own form and RFC 3339 (`T`, a fraction, a zone) in turn.
        Type::DateTime => Some(if i.is_multiple_of(2) {
            r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
        } else {
            r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$"
        }),
        Type::CardCvc => Some(r"^[0-9]{3,4}$"),
        Type::CardMonth => Some(r"^(0[1-9]|1[0-2])$"),
        Type::CardYear => Some(r"^[0-9]{2}$"),
        Type::String => c.pattern.as_deref(),
        _ => None,
    };
    if let Some(format) = format {
        let seed = pools.seed.wrapping_add(i as u64);
        let text = matching(format, seed).filter(|t| !t.is_empty())?;
        let length = u32::try_from(text.chars().count()).ok()?;
        let fits =
            c.min_length.is_none_or(|m| length >= m) && c.max_length.is_none_or(|m| length <= m);
        let matches = c
            .pattern
            .as_deref()
            .is_none_or(|p| regex::Regex::new(p).is_ok_and(|p| p.is_match(&text)));
        return (fits && matches).then_some(text);
    }
    if c.pattern.is_some() {
        return None;
    }
    let bound = |b: &Option<String>| b.as_deref().and_then(|t| t.parse::<Decimal>().ok());
    let (min, max) = (bound(&c.min), bound(&c.max));
    if (c.min.is_some() && min.is_none()) || (c.max.is_some() && max.is_none()) {
        return None;
    }
    // n (in hundredths for amounts) moved into [min, max].
    let within = |n: u64, scale: u32| -> Option<Decimal> {
        let value = Decimal::new(i64::try_from(n).ok()?, scale);
        let lo = min.unwrap_or(Decimal::ZERO).max(Decimal::ZERO);
        let hi = max.unwrap_or(Decimal::new(1_000_000_000, 0));
        if hi < lo {
            return None;
        }
        let span = hi - lo;
        Some(lo + if span.is_zero() { span } else { value % span })
    };
    Some(match &field.ty {
        Type::String => {
            let text = nth(pools.texts, i)?;
            let max = c.max_length.map_or(usize::MAX, |m| m as usize);
            let min = c.min_length.map_or(1, |m| (m as usize).max(1));
            let mut text: String = text.chars().take(max).collect();
            while text.chars().count() < min {
                text.push('x');
            }
            text
        }
        Type::Integer => within(u64::from(*nth(pools.numbers, i)?), 0)?
            .trunc()
            .to_string(),
        Type::Amount => {
            let value = within(*nth(pools.amounts, i)?, 2)?;
            Amount::new(value.round_dp(2)).ok()?.to_string()
        }
        // Up to four fraction digits, as written (`12.5000` stays so).
        Type::Decimal => {
            let n = *nth(pools.amounts, i)?;
            within(n, u32::try_from(n % 5).ok()?)?.to_string()
        }
        Type::Flag => (nth(pools.numbers, i)? % 2).to_string(),
        Type::Enum { def, .. } => nth(&def.values, *nth(pools.numbers, i)? as usize)?
            .wire
            .clone(),
        _ => return None,
    })
}

/// The example's parameters with every field `random_value` knows replaced,
/// in lists' items too (`salt` varies the picks).
fn mutated(fields: &[codegen::ir::Field], input: &Params, pools: &Pools, salt: usize) -> Params {
    use codegen::ir::Type;
    input
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let field = fields.iter().find(|f| f.wire == name);
            let value = match (field, value) {
                (Some(field), Value::Text(_)) => {
                    random_value(field, i + salt, pools).map_or_else(|| value.clone(), Value::Text)
                }
                (Some(field), Value::Nested(inner)) => match &field.ty {
                    // An item list: items keyed by position or by the item's name.
                    Type::List { fields: items, .. } => Value::Nested(
                        inner
                            .iter()
                            .enumerate()
                            .map(|(k, (key, item))| {
                                let item = match item {
                                    Value::Nested(item) => {
                                        Value::Nested(mutated(items, item, pools, salt + i + k))
                                    }
                                    Value::Text(_) => item.clone(),
                                };
                                (key.to_owned(), item)
                            })
                            .collect(),
                    ),
                    _ => value.clone(),
                },
                _ => value.clone(),
            };
            (name.to_owned(), value)
        })
        .collect()
}

fn changed_values(before: &Params, after: &Params) -> usize {
    before
        .iter()
        .zip(after.iter())
        .map(|((_, a), (_, b))| match (a, b) {
            (Value::Nested(a), Value::Nested(b)) => changed_values(a, b),
            _ => usize::from(a != b),
        })
        .sum()
}

proptest! {
    #![proptest_config(config())]

    /// For every endpoint's documented example with its text, format (URL,
    /// e-mail, phone, IP, date-time), integer, amount, flag and enum fields
    /// (lists' items included) replaced by random values within their rules: the
    /// parameters go through the form (encode → decode) and decode into the
    /// generated type, validate and encode back to themselves.
    #[test]
    fn every_request_type_round_trips_through_the_form(
        texts in proptest::collection::vec("[^\\p{C}\\s][^\\p{C}]{0,30}[^\\p{C}\\s]", 8),
        numbers in proptest::collection::vec(1u32..1_000_000, 8),
        amounts in proptest::collection::vec(1u64..100_000_000, 8),
        seed in any::<u64>(),
    ) {
        let pools = Pools { texts: &texts, numbers: &numbers, amounts: &amounts, seed };
        let mut changed = 0;
        for (what, endpoint, example) in example_inputs() {
            let input = mutated(&endpoint.request.fields, &example, &pools, 0);
            changed += changed_values(&example, &input);
            let received = form::decode(&form::encode(&input));
            prop_assert_eq!(&received, &input, "{}: form", what);
            let result = examples::request(&endpoint.id, &received);
            let Some(result) = result else {
                return Err(TestCaseError::fail(format!("no type for {what}")));
            };
            prop_assert_eq!(result, Ok(input), "{}", what);
        }
        // The mutation reaches most fields (about 160 of the examples' values today).
        prop_assert!(changed >= 140, "only {} values changed", changed);
    }
}

proptest! {
    #![proptest_config(config())]

    /// The form encoder writes byte for byte what the `form_urlencoded`
    /// crate's serializer writes, for any names and values (every ASCII
    /// character, Unicode and control characters included) and nested lists
    /// in bracket notation.
    #[test]
    fn the_form_encoder_writes_what_form_urlencoded_writes(
        pairs in proptest::collection::vec(("\\PC{0,12}|[\\x00-\\x7f]{0,40}", "\\PC{0,40}|[\\x00-\\x7f]{0,80}|.{0,20}"), 0..8),
        nested in tree(),
    ) {
        let flat: Params = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        for params in [flat, nested] {
            let mut expected = form_urlencoded::Serializer::new(String::new());
            for (name, value) in form::to_pairs(&params) {
                expected.append_pair(&name, &value);
            }
            prop_assert_eq!(form::encode(&params), expected.finish());
        }
    }

    /// The form decoder reads any body as `form_urlencoded::parse` reads it
    /// (split at `&` and the first `=`, `+` as a space, `%XX` as its byte,
    /// bytes that are not UTF-8 replaced), for bodies of escapes, stray `%`,
    /// brackets, Unicode and plain text alike.
    #[test]
    fn the_form_decoder_reads_what_form_urlencoded_reads(
        body in "([a-z_\\[\\]=&+%]|%[0-9a-fA-F]{2}|%[c-fC-F][0-9a-f]|\\PC){0,60}|.{0,40}",
    ) {
        let expected = form::from_pairs(
            form_urlencoded::parse(body.as_bytes()).map(|(n, v)| (n.into_owned(), v.into_owned())),
        );
        prop_assert_eq!(form::decode(&body), expected);
    }
}

#[test]
fn the_form_encoder_writes_every_byte_as_form_urlencoded_does() {
    let every_ascii: String = (0u8..0x80).map(char::from).collect();
    for text in [
        every_ascii.as_str(),
        "",
        " ",
        "Order 42: tea & cups",
        "https://shop.example/freedompay/check?a=1&b=2#top",
        "Оплата заказа №42 — чай",
        "💳 paid in ₸",
        "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
    ] {
        let params = Params::new().with(text.to_owned(), text).with("pg_x", text);
        let expected = form_urlencoded::Serializer::new(String::new())
            .append_pair(text, text)
            .append_pair("pg_x", text)
            .finish();
        assert_eq!(form::encode(&params), expected, "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// 3. Amounts and their wire text.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Any amount of at most two fraction digits renders to text that parses
    /// back to it, as written with trailing zeros or without.
    #[test]
    fn amounts_round_trip_through_their_wire_text(
        major in 0u64..1_000_000_000_000,
        minor in 0u64..100,
        padding in 0usize..4,
    ) {
        let amount = Amount::from_minor(major * 100 + minor);
        let wire = amount.to_string();
        prop_assert_eq!(wire.parse::<Amount>(), Ok(amount));
        // The wire text is canonical: no exponent, no trailing zero fraction.
        prop_assert!(!wire.contains('e') && !wire.ends_with('.'));
        prop_assert!(!(wire.contains('.') && wire.ends_with('0')), "{}", wire);
        let written = format!("{major}.{minor:02}{}", "0".repeat(padding));
        prop_assert_eq!(written.parse::<Amount>(), Ok(amount));
        prop_assert_eq!(amount.to_minor(), Some(major * 100 + minor));
    }

    /// The same over the whole `u64` range of whole units: the wire text is
    /// the written value without trailing fraction zeros, and parses back.
    #[test]
    fn large_amounts_round_trip_through_their_wire_text(
        major in any::<u64>(),
        cents in 0u64..100,
    ) {
        let written = format!("{major}.{cents:02}");
        let amount = written.parse::<Amount>();
        prop_assert!(amount.is_ok(), "{} is refused: {:?}", written, amount);
        let amount = amount.unwrap_or(Amount::ZERO);
        let canonical = written.trim_end_matches('0').trim_end_matches('.');
        prop_assert_eq!(amount.to_string(), canonical);
        prop_assert_eq!(canonical.parse::<Amount>(), Ok(amount));
        prop_assert_eq!(Amount::new(amount.as_decimal()), Ok(amount));
    }

    /// A third (or later) significant fraction digit is an error, never rounded.
    #[test]
    fn a_third_fraction_digit_is_refused(
        major in any::<u64>(),
        cents in 0u64..100,
        extra in "[0-9]{0,5}[1-9]",
    ) {
        let text = format!("{major}.{cents:02}{extra}");
        prop_assert!(
            matches!(text.parse::<Amount>(), Err(freedompay::AmountError::Precision(_))),
            "{} parsed as {:?}",
            text,
            text.parse::<Amount>()
        );
        // The same through a decimal: no silent rounding on that path either.
        let decimal = text.parse::<freedompay::Decimal>();
        prop_assert!(decimal.is_ok(), "{}", text);
        let decimal = decimal.unwrap_or_default();
        prop_assert!(matches!(
            Amount::new(decimal),
            Err(freedompay::AmountError::Precision(_))
        ));
    }
}
