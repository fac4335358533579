//! The validated model the expanders generate code from.
//!
//! This module owns the rules that tie attributes to the item they sit on:
//! which derive accepts which kind of item, how a field's type shape
//! (`Option<T>`, `Vec<T>`, `Params`, anything else) combines with its keys,
//! that wire names are unique, that at most one field is `extra` and at most
//! one variant is `other`. A [`Message`] or [`WireEnum`] that was built is
//! consistent; the expanders do not check anything again.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Fields, GenericArgument, Generics, Ident, LitStr, Path, PathArguments, Type,
};

use crate::attr::{self, Errors, Format, Setting};

/// The derives that work on message structs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MessageDerive {
    /// `#[derive(Validate)]`.
    Validate,
    /// `#[derive(Encode)]`.
    Encode,
    /// `#[derive(Decode)]`.
    Decode,
    /// `#[derive(Sign)]`, which needs `script`.
    Sign,
    /// `#[derive(Builder)]`.
    Builder,
}

impl MessageDerive {
    /// The derive's name as users write it.
    pub fn name(self) -> &'static str {
        match self {
            MessageDerive::Validate => "Validate",
            MessageDerive::Encode => "Encode",
            MessageDerive::Decode => "Decode",
            MessageDerive::Sign => "Sign",
            MessageDerive::Builder => "Builder",
        }
    }
}

/// A message struct: named fields, each with a wire name and a kind.
pub struct Message<'a> {
    /// The struct's name.
    pub ident: &'a Ident,
    /// Its generics, copied onto every impl.
    pub generics: &'a Generics,
    /// The script name (`Sign`), when given.
    pub script: Option<LitStr>,
    /// The struct of required fields `new` takes (`Builder`), when given.
    pub required: Option<Path>,
    /// The fields in declaration order.
    pub fields: Vec<Field<'a>>,
}

/// One field of a [`Message`].
pub struct Field<'a> {
    /// The field's name in Rust.
    pub member: &'a Ident,
    /// The field's type as declared.
    pub ty: &'a Type,
    /// The name on the wire.
    pub wire: String,
    /// What the field holds and how it travels.
    pub kind: FieldKind<'a>,
}

/// What a field holds and how it travels.
pub enum FieldKind<'a> {
    /// One text value (`T`, or `Option<T>` when `optional`).
    Scalar {
        /// The value's type `T`.
        ty: &'a Type,
        /// Whether the field is an `Option<T>`.
        optional: bool,
        /// The rules its value must follow.
        rules: ScalarRules,
    },
    /// A list of message structs (`Vec<T>`, or `Option<Vec<T>>` when `optional`).
    List {
        /// The item type `T`.
        item: &'a Type,
        /// Whether the field is an `Option<Vec<T>>`.
        optional: bool,
        /// How the items travel.
        layout: ListLayout,
        /// `min_items`.
        min_items: Option<usize>,
        /// `max_items`.
        max_items: Option<usize>,
    },
    /// The `Params` field holding every parameter no typed field takes.
    Extra,
}

/// How a list travels.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ListLayout {
    /// One value named by the field whose children are named `0`, `1`, …
    Nested,
    /// One element per item, each named by the field.
    Repeated,
    /// A JSON array, written and read by serde.
    Array,
}

/// The rules a single value must follow.
#[derive(Default)]
pub struct ScalarRules {
    /// `min`, as the decimal text the runtime check takes.
    pub min: Option<String>,
    /// `max`, likewise.
    pub max: Option<String>,
    /// `min_length` in characters.
    pub min_length: Option<usize>,
    /// `max_length` in characters.
    pub max_length: Option<usize>,
    /// `pattern`, known to compile.
    pub pattern: Option<String>,
    /// `format`.
    pub format: Option<Format>,
    /// `object`: the value is a message validated with its own rules.
    pub object: bool,
}

impl ScalarRules {
    /// Whether no rule is set.
    pub fn is_empty(&self) -> bool {
        self.min.is_none()
            && self.max.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.format.is_none()
            && !self.object
    }
}

impl<'a> Message<'a> {
    /// Builds and checks the model of a message struct for `derive`,
    /// reporting every problem at once.
    pub fn from_input(input: &'a DeriveInput, derive: MessageDerive) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let attrs = attr::parse_struct(&input.attrs, &mut errors);
        let prefix = attrs
            .prefix
            .as_ref()
            .map(|setting| setting.value.value())
            .unwrap_or_default();
        let mut message = Message {
            ident: &input.ident,
            generics: &input.generics,
            script: attrs.script.map(|setting| setting.value),
            required: attrs.required.map(|setting| setting.value),
            fields: Vec::new(),
        };
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                _ => None,
            },
            _ => None,
        };
        match named {
            Some(named) => {
                let mut extra: Option<&Ident> = None;
                let mut wires: HashMap<String, &Ident> = HashMap::new();
                for field in &named.named {
                    let Some(member) = field.ident.as_ref() else {
                        continue;
                    };
                    let attrs = attr::parse_field(&field.attrs, &mut errors);
                    let (field, wire_span) =
                        build_field(member, &field.ty, attrs, &prefix, &mut extra, &mut errors);
                    if !matches!(field.kind, FieldKind::Extra) {
                        if let Some(first) = wires.get(&field.wire) {
                            errors.at_span(
                                wire_span,
                                format!(
                                    "wire name `{}` is already used by field `{first}`",
                                    field.wire
                                ),
                            );
                        } else {
                            wires.insert(field.wire.clone(), field.member);
                        }
                    }
                    message.fields.push(field);
                }
            }
            None => errors.at(
                &input.ident,
                format!(
                    "`#[derive({})]` needs a struct with named fields (a Freedom Pay message)",
                    derive.name()
                ),
            ),
        }
        if matches!(derive, MessageDerive::Encode | MessageDerive::Decode) {
            for field in &message.fields {
                if let FieldKind::List {
                    layout: ListLayout::Array,
                    ..
                } = field.kind
                {
                    errors.at(
                        field.member,
                        format!(
                            "`{}` is a JSON `array`: serde writes and reads it, `#[derive({})]` handles forms and XML",
                            field.member,
                            derive.name()
                        ),
                    );
                }
                if let FieldKind::Scalar { rules, .. } = &field.kind
                    && rules.object
                {
                    errors.at(
                        field.member,
                        format!(
                            "`{}` is a JSON `object`: serde writes and reads it, `#[derive({})]` handles forms and XML",
                            field.member,
                            derive.name()
                        ),
                    );
                }
            }
        }
        if derive == MessageDerive::Sign && message.script.is_none() {
            errors.at(
                &input.ident,
                format!(
                    "`#[derive(Sign)]` needs the gateway script name: add `#[{}(script = \"...\")]` to `{}`",
                    attr::FREEDOMPAY,
                    input.ident
                ),
            );
        }
        errors.finish()?;
        Ok(message)
    }

    /// The wire names of the typed (not `extra`) fields, in order.
    pub fn typed_wire_names(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|field| !matches!(field.kind, FieldKind::Extra))
            .map(|field| field.wire.as_str())
            .collect()
    }
}

/// A type's shape, read from its syntax.
enum Shape<'a> {
    /// `T`.
    Scalar(&'a Type),
    /// `Option<T>`.
    Optional(&'a Type),
    /// `Vec<T>` (or `Option<Vec<T>>` when the flag is set).
    List(&'a Type, bool),
}

/// `T` when `ty` is `Option<T>`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_argument(ty, "Option")
}

fn shape(ty: &Type) -> Shape<'_> {
    if let Some(inner) = generic_argument(ty, "Option") {
        match generic_argument(inner, "Vec") {
            Some(item) => Shape::List(item, true),
            None => Shape::Optional(inner),
        }
    } else if let Some(item) = generic_argument(ty, "Vec") {
        Shape::List(item, false)
    } else {
        Shape::Scalar(ty)
    }
}

/// Strips invisible groups and parentheses that macro expansion may leave.
fn ungroup(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Group(group) => ty = &group.elem,
            Type::Paren(paren) => ty = &paren.elem,
            _ => return ty,
        }
    }
}

/// The last path segment of a plain path type, with its arguments.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ungroup(ty) {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

/// `T` when `ty` is `name<T>` (by its last path segment).
fn generic_argument<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let segment = last_segment(ty)?;
    if segment.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(ty), None) => Some(ty),
        _ => None,
    }
}

/// Whether `ty` is `Params` (by its last path segment, without arguments).
/// Whether `ty` holds extra parameters: `Params` (forms and XML) or
/// `JsonMap` (a JSON object's other members).
fn is_params(ty: &Type) -> bool {
    is_named(ty, "Params") || is_named(ty, "JsonMap")
}

/// Whether `ty` is `String` (by its last path segment, without arguments):
/// `Builder` lets its setters take anything that converts into one.
pub fn is_string(ty: &Type) -> bool {
    is_named(ty, "String")
}

/// Whether the type is the toolkit's masked text (`CardNumber`, `Sensitive`),
/// built from any text like `String`.
pub fn is_masked_text(ty: &Type) -> bool {
    is_named(ty, "CardNumber") || is_named(ty, "Sensitive")
}

fn is_named(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|segment| segment.ident == name && segment.arguments.is_none())
}

/// Checks a field's keys against its type; returns the field and the span
/// that names it on the wire (its `rename` literal, or its ident after the
/// struct's `prefix`).
fn build_field<'a>(
    member: &'a Ident,
    ty: &'a Type,
    attrs: attr::FieldAttrs,
    prefix: &str,
    extra: &mut Option<&'a Ident>,
    errors: &mut Errors,
) -> (Field<'a>, Span) {
    let (wire, wire_span) = match &attrs.rename {
        Some(rename) => (rename.value.value(), rename.value.span()),
        None => (format!("{prefix}{}", member.unraw()), member.span()),
    };

    if let Some(flag) = &attrs.extra {
        for key in attrs.all_keys_but_extra() {
            errors.at(
                key,
                format!(
                    "`{key}` cannot be combined with `extra`: the extra field holds whatever parameters no typed field takes"
                ),
            );
        }
        if !is_params(ty) {
            errors.at(
                ty,
                "an `extra` field must have type `Params` (or `JsonMap` in a JSON message): it holds the parameters no typed field takes",
            );
        }
        match extra {
            Some(first) => errors.at(
                &flag.key,
                format!("only one field can be `extra`; `{first}` already is"),
            ),
            None => *extra = Some(member),
        }
        let field = Field {
            member,
            ty,
            wire,
            kind: FieldKind::Extra,
        };
        return (field, wire_span);
    }

    check_order(&attrs.min, &attrs.max, "min", "max", errors);
    check_order(
        &attrs.min_length,
        &attrs.max_length,
        "min_length",
        "max_length",
        errors,
    );
    check_order(
        &attrs.min_items,
        &attrs.max_items,
        "min_items",
        "max_items",
        errors,
    );

    let kind = match shape(ty) {
        Shape::List(item, optional) => {
            for key in attrs.scalar_keys() {
                errors.at(
                    key,
                    format!(
                        "`{key}` applies to a single value, not to a list; `min_items` and `max_items` limit the number of items"
                    ),
                );
            }
            let layouts = [
                attrs.nested.as_ref().map(|s| (&s.key, ListLayout::Nested)),
                attrs
                    .repeated
                    .as_ref()
                    .map(|s| (&s.key, ListLayout::Repeated)),
                attrs.array.as_ref().map(|s| (&s.key, ListLayout::Array)),
            ];
            let mut given = layouts.into_iter().flatten();
            let layout = match (given.next(), given.next()) {
                (Some((_, layout)), None) => layout,
                (Some((_, layout)), Some((second, _))) => {
                    errors.at(
                        second,
                        "a list is `nested`, `repeated` or `array`: one of them",
                    );
                    layout
                }
                (None, _) => {
                    errors.at(
                        ty,
                        format!(
                            "list field `{member}` needs `#[{0}(nested)]` (sent as `{wire}[0][...]`) or `#[{0}(repeated)]` (one `{wire}` element per item)",
                            attr::FREEDOMPAY
                        ),
                    );
                    ListLayout::Nested
                }
            };
            FieldKind::List {
                item,
                optional,
                layout,
                min_items: attrs.min_items.map(|s| s.value),
                max_items: attrs.max_items.map(|s| s.value),
            }
        }
        Shape::Scalar(inner) | Shape::Optional(inner) => {
            for key in attrs.list_keys() {
                errors.at(
                    key,
                    format!("`{key}` applies to list fields (`Vec<T>` or `Option<Vec<T>>`) only"),
                );
            }
            FieldKind::Scalar {
                ty: inner,
                optional: matches!(shape(ty), Shape::Optional(_)),
                rules: ScalarRules {
                    min: attrs.min.map(|s| s.value.text),
                    max: attrs.max.map(|s| s.value.text),
                    min_length: attrs.min_length.map(|s| s.value),
                    max_length: attrs.max_length.map(|s| s.value),
                    pattern: attrs.pattern.map(|s| s.value),
                    format: attrs.format.map(|s| s.value),
                    object: attrs.object.is_some(),
                },
            }
        }
    };
    (
        Field {
            member,
            ty,
            wire,
            kind,
        },
        wire_span,
    )
}

/// A limit that can be compared with its counterpart.
trait Limit {
    fn exceeds(&self, other: &Self) -> bool;
}

impl Limit for usize {
    fn exceeds(&self, other: &Self) -> bool {
        self > other
    }
}

impl Limit for attr::Bound {
    fn exceeds(&self, other: &Self) -> bool {
        self.decimal > other.decimal
    }
}

/// Reports a lower limit above its upper limit (at the upper one's key).
fn check_order<T: Limit>(
    low: &Option<Setting<T>>,
    high: &Option<Setting<T>>,
    low_name: &str,
    high_name: &str,
    errors: &mut Errors,
) {
    if let (Some(low), Some(high)) = (low, high)
        && low.value.exceeds(&high.value)
    {
        errors.at(
            &high.key,
            format!("`{high_name}` is below `{low_name}`: no value can pass"),
        );
    }
}

/// A `WireEnum`: unit variants with wire values, and maybe one `other` variant.
pub struct WireEnum<'a> {
    /// The enum's name.
    pub ident: &'a Ident,
    /// Its generics, copied onto every impl.
    pub generics: &'a Generics,
    /// The unit variants in declaration order.
    pub variants: Vec<WireVariant<'a>>,
    /// The tuple variant keeping unknown values, if any.
    pub other: Option<&'a Ident>,
}

/// A unit variant of a [`WireEnum`].
pub struct WireVariant<'a> {
    /// The variant's name in Rust.
    pub ident: &'a Ident,
    /// Its text on the wire.
    pub wire: String,
}

impl<'a> WireEnum<'a> {
    /// Builds and checks the model of a `WireEnum`, reporting every problem at once.
    pub fn from_input(input: &'a DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let mut model = WireEnum {
            ident: &input.ident,
            generics: &input.generics,
            variants: Vec::new(),
            other: None,
        };
        let Data::Enum(data) = &input.data else {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "`#[derive(WireEnum)]` needs an enum of unit variants, one per wire value",
            ));
        };
        attr::reject(
            &input.attrs,
            "a `WireEnum` itself (put `rename` and `other` on variants)",
            &mut errors,
        );
        if data.variants.is_empty() {
            errors.at(&input.ident, "a `WireEnum` needs at least one variant");
        }
        let mut seen: HashMap<String, &Ident> = HashMap::new();
        for variant in &data.variants {
            let attrs = attr::parse_variant(&variant.attrs, &mut errors);
            if let Some(other) = &attrs.other {
                if let Some(rename) = &attrs.rename {
                    errors.at(
                        &rename.key,
                        "the `other` variant has no wire value of its own; remove `rename`",
                    );
                }
                let single_field =
                    matches!(&variant.fields, Fields::Unnamed(fields) if fields.unnamed.len() == 1);
                if !single_field {
                    errors.at_span(
                        fields_span(variant),
                        format!(
                            "the `other` variant keeps the unknown text: write it as `{}(String)`",
                            variant.ident
                        ),
                    );
                }
                match model.other {
                    Some(first) => errors.at(
                        &other.key,
                        format!("only one variant can be `other`; `{first}` already is"),
                    ),
                    None => model.other = Some(&variant.ident),
                }
                continue;
            }
            if !matches!(variant.fields, Fields::Unit) {
                errors.at(
                    &variant.fields,
                    format!(
                        "`WireEnum` variants carry no data; only the variant marked `#[{}(other)]` may hold the unknown text",
                        attr::FREEDOMPAY
                    ),
                );
            }
            let (wire, span) = match &attrs.rename {
                Some(rename) => (rename.value.value(), rename.value.span()),
                None => (variant.ident.unraw().to_string(), variant.ident.span()),
            };
            match seen.get(&wire) {
                Some(first) => errors.at_span(
                    span,
                    format!("duplicate wire value `{wire}`: variant `{first}` already has it"),
                ),
                None => {
                    seen.insert(wire.clone(), &variant.ident);
                }
            }
            model.variants.push(WireVariant {
                ident: &variant.ident,
                wire,
            });
        }
        errors.finish()?;
        Ok(model)
    }
}

/// The span of a variant's fields, or of its name when it has none.
fn fields_span(variant: &syn::Variant) -> Span {
    match &variant.fields {
        Fields::Unit => variant.ident.span(),
        fields => fields.span(),
    }
}
