//! Reading `#[freedompay(...)]` attributes.
//!
//! This module owns the attribute grammar: the key names, how each key's
//! value is written, and every check that needs only the attribute itself (a
//! key given twice, a `min` that is not a number, a `pattern` that does not
//! compile, an unknown `format`). It knows nothing about field types: how keys
//! combine with a field's shape is checked in [`crate::ast`].
//!
//! Parsing never stops at the first mistake. Problems are collected in an
//! [`Errors`] accumulator and reported together, each spanned on the key or
//! literal at fault.

use std::fmt::Display;
use std::str::FromStr;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use rust_decimal::Decimal;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, ExprPath, ExprUnary, Ident, Lit, LitStr, Path, Token, UnOp};

/// The one attribute every derive reads: `#[freedompay(...)]`.
pub const FREEDOMPAY: &str = "freedompay";

/// Struct key: the gateway script name that starts the string to sign.
pub const SCRIPT: &str = "script";
/// Struct key: the struct of required fields that `new` takes (read by `Builder`).
pub const REQUIRED: &str = "required";
/// Struct key: the text put before a field's name to make its wire name,
/// for fields without `rename` (`prefix = "pg_"`: `amount` is `pg_amount`).
pub const PREFIX: &str = "prefix";
/// Field or variant key: the name (or value) on the wire.
pub const RENAME: &str = "rename";
/// Field key: the smallest allowed number.
pub const MIN: &str = "min";
/// Field key: the largest allowed number.
pub const MAX: &str = "max";
/// Field key: the fewest allowed characters.
pub const MIN_LENGTH: &str = "min_length";
/// Field key: the most allowed characters.
pub const MAX_LENGTH: &str = "max_length";
/// Field key: a regular expression the text must match.
pub const PATTERN: &str = "pattern";
/// Field key: one of the [`FORMATS`] the text must have.
pub const FORMAT: &str = "format";
/// Field key: the fewest allowed list items.
pub const MIN_ITEMS: &str = "min_items";
/// Field key: the most allowed list items.
pub const MAX_ITEMS: &str = "max_items";
/// Field flag: a list sent as one value with children `0`, `1`, …
pub const NESTED: &str = "nested";
/// Field flag: a list sent as repeated elements of the same name.
pub const REPEATED: &str = "repeated";
/// Field flag: a list sent as a JSON array (serde writes it; `Validate` and
/// `Builder` only).
pub const ARRAY: &str = "array";
/// Field flag: a value that is itself a message (a JSON object), validated
/// with its own rules under the field's path.
pub const OBJECT: &str = "object";
/// Field flag: a `Params` field holding every parameter no typed field takes.
pub const EXTRA: &str = "extra";
/// Variant flag: the variant that keeps values no other variant names.
pub const OTHER: &str = "other";

/// Keys accepted on a message struct.
pub const STRUCT_KEYS: &[&str] = &[SCRIPT, REQUIRED, PREFIX];
/// Keys accepted on a message field.
pub const FIELD_KEYS: &[&str] = &[
    RENAME, MIN, MAX, MIN_LENGTH, MAX_LENGTH, PATTERN, FORMAT, MIN_ITEMS, MAX_ITEMS, NESTED,
    REPEATED, ARRAY, OBJECT, EXTRA,
];
/// Keys accepted on a `WireEnum` variant.
pub const VARIANT_KEYS: &[&str] = &[RENAME, OTHER];

/// The names `format` accepts, in the order error messages list them.
pub const FORMATS: &[&str] = &[
    "url",
    "email",
    "phone",
    "ip",
    "datetime",
    "card_number",
    "card_cvc",
    "card_month",
    "card_year",
];

/// Collects errors so that one compilation reports all of them.
#[derive(Default)]
pub struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// Records an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Records `message` spanned on `tokens`.
    pub fn at(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records `message` at `span`.
    pub fn at_span(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Ok` when nothing was recorded, else every error combined.
    pub fn finish(self) -> syn::Result<()> {
        match self.combined {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// A key's value together with the key as written, whose span errors about
/// the key point at.
pub struct Setting<T> {
    /// The key as written.
    pub key: Ident,
    /// Its parsed value.
    pub value: T,
}

/// A `min` or `max` limit: a decimal number, checked at expansion time.
pub struct Bound {
    /// The number as the runtime check receives it (`"0.01"`, `"-5"`).
    pub text: String,
    /// The number itself, to compare `min` with `max`.
    pub decimal: Decimal,
}

/// A text format a field can be checked against (see [`FORMATS`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `url`: an absolute http(s) URL.
    Url,
    /// `email`: an e-mail address.
    Email,
    /// `phone`: a phone number in international form.
    Phone,
    /// `ip`: an IPv4 or IPv6 address.
    Ip,
    /// `datetime`: `YYYY-MM-DD HH:MM:SS` or RFC 3339.
    DateTime,
    /// `card_number`: 12 to 19 digits with a correct Luhn check digit.
    CardNumber,
    /// `card_cvc`: a card security code of three or four digits.
    CardCvc,
    /// `card_month`: an expiry month, `01` to `12`.
    CardMonth,
    /// `card_year`: an expiry year of two digits.
    CardYear,
}

impl Format {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "url" => Format::Url,
            "email" => Format::Email,
            "phone" => Format::Phone,
            "ip" => Format::Ip,
            "datetime" => Format::DateTime,
            "card_number" => Format::CardNumber,
            "card_cvc" => Format::CardCvc,
            "card_month" => Format::CardMonth,
            "card_year" => Format::CardYear,
            _ => return None,
        })
    }

    /// The name of the runtime `Format` variant.
    pub fn variant(self) -> &'static str {
        match self {
            Format::Url => "Url",
            Format::Email => "Email",
            Format::Phone => "Phone",
            Format::Ip => "Ip",
            Format::DateTime => "DateTime",
            Format::CardNumber => "CardNumber",
            Format::CardCvc => "CardCvc",
            Format::CardMonth => "CardMonth",
            Format::CardYear => "CardYear",
        }
    }
}

/// What a message struct says about itself.
#[derive(Default)]
pub struct StructAttrs {
    /// `script = "init_payment.php"`.
    pub script: Option<Setting<LitStr>>,
    /// `required = PaymentRequired`.
    pub required: Option<Setting<Path>>,
    /// `prefix = "pg_"`.
    pub prefix: Option<Setting<LitStr>>,
}

/// What a message field says about itself. Each key is kept with its span;
/// which combinations make sense is for [`crate::ast`] to decide.
#[derive(Default)]
pub struct FieldAttrs {
    /// `rename = "pg_amount"`.
    pub rename: Option<Setting<LitStr>>,
    /// `min = 0.01`.
    pub min: Option<Setting<Bound>>,
    /// `max = 100`.
    pub max: Option<Setting<Bound>>,
    /// `min_length = 1`.
    pub min_length: Option<Setting<usize>>,
    /// `max_length = 256`.
    pub max_length: Option<Setting<usize>>,
    /// `pattern = "^[0-9]+$"`, known to compile.
    pub pattern: Option<Setting<String>>,
    /// `format = "email"`.
    pub format: Option<Setting<Format>>,
    /// `min_items = 1`.
    pub min_items: Option<Setting<usize>>,
    /// `max_items = 100`.
    pub max_items: Option<Setting<usize>>,
    /// `nested`.
    pub nested: Option<Setting<()>>,
    /// `repeated`.
    pub repeated: Option<Setting<()>>,
    /// `array`.
    pub array: Option<Setting<()>>,
    /// `object`.
    pub object: Option<Setting<()>>,
    /// `extra`.
    pub extra: Option<Setting<()>>,
}

impl FieldAttrs {
    /// The keys that apply to a single value (not to lists), those present.
    pub fn scalar_keys(&self) -> Vec<&Ident> {
        [
            self.min.as_ref().map(|s| &s.key),
            self.max.as_ref().map(|s| &s.key),
            self.min_length.as_ref().map(|s| &s.key),
            self.max_length.as_ref().map(|s| &s.key),
            self.pattern.as_ref().map(|s| &s.key),
            self.format.as_ref().map(|s| &s.key),
            self.object.as_ref().map(|s| &s.key),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The keys that apply to lists only, those present.
    pub fn list_keys(&self) -> Vec<&Ident> {
        [
            self.nested.as_ref().map(|s| &s.key),
            self.repeated.as_ref().map(|s| &s.key),
            self.array.as_ref().map(|s| &s.key),
            self.min_items.as_ref().map(|s| &s.key),
            self.max_items.as_ref().map(|s| &s.key),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Every key present but `extra`.
    pub fn all_keys_but_extra(&self) -> Vec<&Ident> {
        let mut keys: Vec<&Ident> = self.rename.as_ref().map(|s| &s.key).into_iter().collect();
        keys.extend(self.scalar_keys());
        keys.extend(self.list_keys());
        keys
    }
}

/// What a `WireEnum` variant says about itself.
#[derive(Default)]
pub struct VariantAttrs {
    /// `rename = "ru"`.
    pub rename: Option<Setting<LitStr>>,
    /// `other`.
    pub other: Option<Setting<()>>,
}

/// Reads the `#[freedompay(...)]` attributes of a message struct.
pub fn parse_struct(attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
    let mut out = StructAttrs::default();
    for_each_key(attrs, errors, |key, meta, errors| {
        match key.to_string().as_str() {
            SCRIPT => {
                if let Some(lit) = string(meta, &key, "script = \"init_payment.php\"", errors)? {
                    if lit.value().trim().is_empty() {
                        errors.at(&lit, "the script name cannot be empty");
                    }
                    set(&mut out.script, key, lit, errors);
                }
            }
            REQUIRED => {
                if let Some(path) = path(meta, &key, "required = PaymentRequired", errors)? {
                    set(&mut out.required, key, path, errors);
                }
            }
            PREFIX => {
                if let Some(lit) = string(meta, &key, "prefix = \"pg_\"", errors)? {
                    set(&mut out.prefix, key, lit, errors);
                }
            }
            _ => unknown(meta, &key, "a message struct", STRUCT_KEYS, errors)?,
        }
        Ok(())
    });
    out
}

/// Reads the `#[freedompay(...)]` attributes of a message field.
pub fn parse_field(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for_each_key(attrs, errors, |key, meta, errors| {
        match key.to_string().as_str() {
            RENAME => {
                if let Some(lit) = string(meta, &key, "rename = \"pg_amount\"", errors)? {
                    check_field_wire_name(&lit, errors);
                    set(&mut out.rename, key, lit, errors);
                }
            }
            MIN => {
                if let Some(bound) = bound(meta, &key, errors)? {
                    set(&mut out.min, key, bound, errors);
                }
            }
            MAX => {
                if let Some(bound) = bound(meta, &key, errors)? {
                    set(&mut out.max, key, bound, errors);
                }
            }
            MIN_LENGTH => {
                if let Some(n) = count(meta, &key, errors)? {
                    set(&mut out.min_length, key, n, errors);
                }
            }
            MAX_LENGTH => {
                if let Some(n) = count(meta, &key, errors)? {
                    set(&mut out.max_length, key, n, errors);
                }
            }
            MIN_ITEMS => {
                if let Some(n) = count(meta, &key, errors)? {
                    set(&mut out.min_items, key, n, errors);
                }
            }
            MAX_ITEMS => {
                if let Some(n) = count(meta, &key, errors)? {
                    set(&mut out.max_items, key, n, errors);
                }
            }
            PATTERN => {
                if let Some(lit) = string(meta, &key, "pattern = \"^[0-9]+$\"", errors)? {
                    // Checked as written, then as the derive compiles it
                    // (anchored), so the generated `Regex::new` cannot fail.
                    let value = lit.value();
                    match regex::Regex::new(&value) {
                        Ok(_) => match regex::Regex::new(&anchored(&value)) {
                            Ok(_) => set(&mut out.pattern, key, value, errors),
                            Err(error) => errors.at(
                                &lit,
                                format!("invalid `pattern` once anchored as `^(?:…)$`: {error}"),
                            ),
                        },
                        Err(error) => errors.at(&lit, format!("invalid `pattern`: {error}")),
                    }
                }
            }
            FORMAT => {
                if let Some(lit) = string(meta, &key, "format = \"email\"", errors)? {
                    match Format::from_name(&lit.value()) {
                        Some(format) => set(&mut out.format, key, format, errors),
                        None => errors.at(
                            &lit,
                            format!(
                                "unknown format `{}`; expected one of {}",
                                lit.value(),
                                list(FORMATS)
                            ),
                        ),
                    }
                }
            }
            NESTED => {
                flag(meta, &key, errors)?;
                set(&mut out.nested, key, (), errors);
            }
            REPEATED => {
                flag(meta, &key, errors)?;
                set(&mut out.repeated, key, (), errors);
            }
            ARRAY => {
                flag(meta, &key, errors)?;
                set(&mut out.array, key, (), errors);
            }
            OBJECT => {
                flag(meta, &key, errors)?;
                set(&mut out.object, key, (), errors);
            }
            EXTRA => {
                flag(meta, &key, errors)?;
                set(&mut out.extra, key, (), errors);
            }
            _ => unknown(meta, &key, "a message field", FIELD_KEYS, errors)?,
        }
        Ok(())
    });
    out
}

/// Reads the `#[freedompay(...)]` attributes of a `WireEnum` variant.
pub fn parse_variant(attrs: &[Attribute], errors: &mut Errors) -> VariantAttrs {
    let mut out = VariantAttrs::default();
    for_each_key(attrs, errors, |key, meta, errors| {
        match key.to_string().as_str() {
            RENAME => {
                if let Some(lit) = string(meta, &key, "rename = \"ru\"", errors)? {
                    let value = lit.value();
                    if value.is_empty() {
                        errors.at(&lit, "a wire value cannot be empty");
                    } else if value.trim() != value {
                        errors.at(
                            &lit,
                            "a wire value cannot start or end with whitespace (received text is trimmed)",
                        );
                    }
                    set(&mut out.rename, key, lit, errors);
                }
            }
            OTHER => {
                flag(meta, &key, errors)?;
                set(&mut out.other, key, (), errors);
            }
            _ => unknown(meta, &key, "a `WireEnum` variant", VARIANT_KEYS, errors)?,
        }
        Ok(())
    });
    out
}

/// Rejects every `#[freedompay(...)]` attribute: for places that take none
/// (the enum itself under `WireEnum`).
pub fn reject(attrs: &[Attribute], place: &str, errors: &mut Errors) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(FREEDOMPAY)) {
        errors.at(
            attr,
            format!("`#[{FREEDOMPAY}(...)]` is not used on {place}"),
        );
    }
}

/// Calls `handle` with every key of every `#[freedompay(...)]` attribute.
/// A syntax error ends its attribute (the rest cannot be read) and is recorded;
/// the other attributes are still read.
fn for_each_key(
    attrs: &[Attribute],
    errors: &mut Errors,
    mut handle: impl FnMut(Ident, &ParseNestedMeta<'_>, &mut Errors) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(FREEDOMPAY)) {
        let mut found = Errors::default();
        let result = attr.parse_nested_meta(|meta| match meta.path.get_ident() {
            Some(key) => handle(key.clone(), &meta, &mut found),
            None => {
                found.at(&meta.path, "expected a key such as `rename`, not a path");
                skip_value(&meta)
            }
        });
        if let Err(error) = found.finish() {
            errors.push(error);
        }
        if let Err(error) = result {
            errors.push(error);
        }
    }
}

/// Stores a key's value, or reports the key as given twice (at the second).
fn set<T>(slot: &mut Option<Setting<T>>, key: Ident, value: T, errors: &mut Errors) {
    if slot.is_some() {
        errors.at(
            &key,
            format!("duplicate `{key}`: each key may be given once"),
        );
    } else {
        *slot = Some(Setting { key, value });
    }
}

/// Reports an unknown key, listing the ones accepted here, and skips its value.
fn unknown(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    place: &str,
    accepted: &[&str],
    errors: &mut Errors,
) -> syn::Result<()> {
    let expected = match accepted {
        [only] => format!("`{only}`"),
        _ => format!("one of {}", list(accepted)),
    };
    errors.at(
        key,
        format!("unknown attribute `{key}` on {place}; expected {expected}"),
    );
    skip_value(meta)
}

/// Consumes whatever follows a key up to the next `,`.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// A key that takes no value: reports (and skips) one if given.
fn flag(meta: &ParseNestedMeta<'_>, key: &Ident, errors: &mut Errors) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let mut rest = TokenStream::new();
        while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            rest.extend([meta.input.parse::<TokenTree>()?]);
        }
        errors.at(
            rest,
            format!("`{key}` takes no value: write `#[{FREEDOMPAY}({key})]`"),
        );
    }
    Ok(())
}

/// The expression after `key =`, or an error if there is no `=`.
fn value(meta: &ParseNestedMeta<'_>, key: &Ident, example: &str) -> syn::Result<Expr> {
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format!("`{key}` needs a value: write `{example}`")));
    }
    meta.value()?.parse()
}

/// `key = "text"`: the literal, or `None` after reporting a non-string.
fn string(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    example: &str,
    errors: &mut Errors,
) -> syn::Result<Option<LitStr>> {
    match value(meta, key, example)? {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(Some(lit)),
        other => {
            errors.at(
                other,
                format!("`{key}` expects a string literal: `{example}`"),
            );
            Ok(None)
        }
    }
}

/// `key = Type`: a type's path, or `None` after reporting anything else.
fn path(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    example: &str,
    errors: &mut Errors,
) -> syn::Result<Option<Path>> {
    match value(meta, key, example)? {
        Expr::Path(ExprPath {
            qself: None, path, ..
        }) => Ok(Some(path)),
        other => {
            errors.at(other, format!("`{key}` expects a type name: `{example}`"));
            Ok(None)
        }
    }
}

/// `key = 12`: a `usize`, or `None` after reporting anything else.
fn count(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    errors: &mut Errors,
) -> syn::Result<Option<usize>> {
    let example = format!("{key} = 10");
    match value(meta, key, &example)? {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => match lit.base10_parse::<usize>() {
            Ok(n) => Ok(Some(n)),
            Err(error) => {
                errors.at(
                    &lit,
                    format!("`{key}` expects a non-negative integer: {error}"),
                );
                Ok(None)
            }
        },
        other => {
            errors.at(
                other,
                format!("`{key}` expects a non-negative integer literal: `{example}`"),
            );
            Ok(None)
        }
    }
}

/// `key = 0.01`, `key = -5` or `key = "99.99"`: a decimal number, or `None`
/// after reporting anything else.
fn bound(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    errors: &mut Errors,
) -> syn::Result<Option<Bound>> {
    let expr = value(meta, key, &format!("{key} = 0.01"))?;
    let (negative, lit) = match &expr {
        Expr::Lit(ExprLit { lit, .. }) => (false, lit),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) => match &**inner {
            Expr::Lit(ExprLit {
                lit: lit @ (Lit::Int(_) | Lit::Float(_)),
                ..
            }) => (true, lit),
            _ => {
                errors.at(&expr, not_a_number(key));
                return Ok(None);
            }
        },
        _ => {
            errors.at(&expr, not_a_number(key));
            return Ok(None);
        }
    };
    let digits = match lit {
        Lit::Int(lit) => lit.base10_digits().to_owned(),
        Lit::Float(lit) => lit.base10_digits().to_owned(),
        Lit::Str(lit) => lit.value(),
        _ => {
            errors.at(&expr, not_a_number(key));
            return Ok(None);
        }
    };
    let text = if negative {
        format!("-{digits}")
    } else {
        digits
    };
    match Decimal::from_str(&text) {
        Ok(decimal) => Ok(Some(Bound { text, decimal })),
        Err(error) => {
            errors.at(&expr, format!("{} (`{text}`: {error})", not_a_number(key)));
            Ok(None)
        }
    }
}

fn not_a_number(key: &Ident) -> String {
    format!("`{key}` expects a decimal number such as `0.01`, `-5` or `\"99.99\"`")
}

/// A field's wire name must be usable as a form key and an XML element.
fn check_field_wire_name(lit: &LitStr, errors: &mut Errors) {
    let name = lit.value();
    if name.is_empty() {
        errors.at(lit, "a wire name cannot be empty");
    } else if name.contains(['[', ']', '<', '>', '&', '=', ' ']) {
        errors.at(
            lit,
            "a wire name may not contain brackets, spaces, `<`, `>`, `&` or `=`",
        );
    }
}

/// `a`, `b` and `c` → "`a`, `b`, `c`".
pub fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `pattern` as the derive compiles it: the whole value must match, whether
/// or not the pattern is anchored.
pub(crate) fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}
