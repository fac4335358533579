//! `#[derive(Decode)]`: each field read from the parameter tree by its wire
//! name, failures named by the field's wire path.
//!
//! An empty text where nested parameters are expected (`<items/>` in XML,
//! `items=` in a form) counts as no children: the wire cannot tell the two
//! apart.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Field, FieldKind, ListLayout, Message, MessageDerive};
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(Decode)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion =
        Message::from_input(input, MessageDerive::Decode).map(|message| expand(&message));
    or_stub(expansion, || stub(input))
}

fn expand(message: &Message<'_>) -> TokenStream {
    let fp = private();
    let ident = message.ident;
    let (impl_generics, ty_generics, where_clause) = message.generics.split_for_impl();
    let locals: Vec<_> = (0..message.fields.len())
        .map(|i| format_ident!("__field{}", i))
        .collect();
    let reads = message.fields.iter().zip(&locals).map(|(field, local)| {
        let read = decode_field(message, field);
        quote!(let #local = #read;)
    });
    let members = message.fields.iter().map(|field| field.member);
    let has_lists = message.fields.iter().any(|field| {
        matches!(
            field.kind,
            FieldKind::List {
                layout: ListLayout::Nested,
                ..
            }
        )
    });
    let helper = has_lists.then(nested_helper);
    wrap(quote! {
        #helper

        #[automatically_derived]
        impl #impl_generics #fp::Decode for #ident #ty_generics #where_clause {
            fn decode_at(
                __params: &#fp::Params,
                __path: &str,
            ) -> ::core::result::Result<Self, #fp::DecodeError> {
                #(#reads)*
                ::core::result::Result::Ok(Self {
                    #(#members: #locals),*
                })
            }
        }
    })
}

/// `__nested(value, field)`: the children of a value that must be nested;
/// `None` for an empty text.
fn nested_helper() -> TokenStream {
    let fp = private();
    quote! {
        fn __nested<'a>(
            value: &'a #fp::Value,
            field: &str,
        ) -> ::core::result::Result<::core::option::Option<&'a #fp::Params>, #fp::DecodeError> {
            match value {
                #fp::Value::Nested(children) => ::core::result::Result::Ok(::core::option::Option::Some(children)),
                #fp::Value::Text(text) if text.trim().is_empty() => ::core::result::Result::Ok(::core::option::Option::None),
                #fp::Value::Text(_) => ::core::result::Result::Err(#fp::DecodeError::Invalid {
                    field: ::std::string::String::from(field),
                    reason: ::std::string::String::from("expected nested parameters, found a text value"),
                }),
            }
        }
    }
}

/// An expression of the field's type read from `__params`, or an early
/// return of the error.
fn decode_field(message: &Message<'_>, field: &Field<'_>) -> TokenStream {
    let fp = private();
    let wire = &field.wire;
    let err = quote!(return ::core::result::Result::Err);
    match &field.kind {
        FieldKind::Scalar { ty, optional, .. } => {
            let (missing, parse) = if *optional {
                (
                    quote!(::core::option::Option::None),
                    quote_spanned!(ty.span()=> <#ty as #fp::FromWire>::from_wire_optional(__text)),
                )
            } else {
                (
                    quote! {
                        #err(#fp::DecodeError::Missing {
                            field: #fp::child_path(__path, #wire),
                        })
                    },
                    quote_spanned!(ty.span()=> <#ty as #fp::FromWire>::from_wire(__text)),
                )
            };
            quote! {
                match #fp::Params::get(__params, #wire) {
                    ::core::option::Option::None => #missing,
                    ::core::option::Option::Some(#fp::Value::Text(__text)) => match #parse {
                        ::core::result::Result::Ok(__value) => __value,
                        ::core::result::Result::Err(__reason) => #err(#fp::DecodeError::Invalid {
                            field: #fp::child_path(__path, #wire),
                            reason: __reason,
                        }),
                    },
                    ::core::option::Option::Some(#fp::Value::Nested(_)) => #err(#fp::DecodeError::Invalid {
                        field: #fp::child_path(__path, #wire),
                        reason: ::std::string::String::from("expected a text value, found nested parameters"),
                    }),
                }
            }
        }
        FieldKind::List {
            item,
            optional,
            layout,
            ..
        } => {
            let decode_item = quote_spanned! {item.span()=>
                <#item as #fp::DecodeItem>::decode_item(__child, &__item_path)?
            };
            let (wrap_some, none) = if *optional {
                (
                    quote!(::core::option::Option::Some(__items)),
                    quote!(::core::option::Option::None),
                )
            } else {
                (quote!(__items), quote!(::std::vec::Vec::new()))
            };
            match layout {
                ListLayout::Nested => quote! {
                    match #fp::Params::get(__params, #wire) {
                        ::core::option::Option::None => #none,
                        ::core::option::Option::Some(__value) => {
                            let __field = #fp::child_path(__path, #wire);
                            let mut __items = ::std::vec::Vec::new();
                            if let ::core::option::Option::Some(__children) = __nested(__value, &__field)? {
                                for (__name, __child) in #fp::Params::iter(__children) {
                                    let __item_path = #fp::child_path(&__field, __name);
                                    __items.push(#decode_item);
                                }
                            }
                            #wrap_some
                        }
                    }
                },
                ListLayout::Repeated => quote! {
                    if #fp::Params::contains(__params, #wire) {
                        let __field = #fp::child_path(__path, #wire);
                        let mut __items = ::std::vec::Vec::new();
                        for (__index, __child) in ::core::iter::Iterator::enumerate(#fp::Params::get_all(__params, #wire)) {
                            let __item_path = #fp::child_path(&__field, &::std::string::ToString::to_string(&__index));
                            __items.push(#decode_item);
                        }
                        #wrap_some
                    } else {
                        #none
                    }
                },
                // The model refuses `array` lists for this derive.
                ListLayout::Array => TokenStream::new(),
            }
        }
        FieldKind::Extra => {
            let known = message.typed_wire_names();
            quote! {
                {
                    let mut __extra = #fp::Params::new();
                    for (__name, __value) in #fp::Params::iter(__params) {
                        match __name {
                            // The protocol fields are never extras (see `rules::extra_names`);
                            // a message without a `pg_merchant_id` field gets it from its sender's
                            // configuration, and the raw parameters keep it.
                            #(#known |)* "pg_sig" | "pg_salt" | "pg_merchant_id" => {}
                            _ => #fp::Params::push(&mut __extra, ::std::borrow::ToOwned::to_owned(__name), ::core::clone::Clone::clone(__value)),
                        }
                    }
                    __extra
                }
            }
        }
    }
}

/// The impl emitted next to attribute errors.
fn stub(input: &DeriveInput) -> TokenStream {
    let fp = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Decode for #ident #ty_generics #where_clause {
            fn decode_at(
                _: &#fp::Params,
                _: &str,
            ) -> ::core::result::Result<Self, #fp::DecodeError> {
                ::core::unimplemented!("the derive reported errors")
            }
        }
    }
}
