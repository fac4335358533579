//! `#[derive(Encode)]`: the fields in declaration order, each as the
//! parameters it travels as.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Field, FieldKind, ListLayout, Message, MessageDerive};
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(Encode)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion =
        Message::from_input(input, MessageDerive::Encode).map(|message| expand(&message));
    or_stub(expansion, || stub(input))
}

fn expand(message: &Message<'_>) -> TokenStream {
    let fp = private();
    let ident = message.ident;
    let (impl_generics, ty_generics, where_clause) = message.generics.split_for_impl();
    let count = message
        .fields
        .iter()
        .filter(|field| !matches!(field.kind, FieldKind::Extra))
        .count();
    let fields = message.fields.iter().map(encode_field);
    wrap(quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Encode for #ident #ty_generics #where_clause {
            const FIELDS: usize = #count;

            fn encode(&self, __out: &mut #fp::Params) {
                #(#fields)*
            }
        }
    })
}

fn encode_field(field: &Field<'_>) -> TokenStream {
    let fp = private();
    let member = field.member;
    let wire = &field.wire;
    match &field.kind {
        FieldKind::Scalar { ty, optional, .. } => {
            let to_wire = quote_spanned! {ty.span()=>
                <#ty as #fp::ToWire>::to_wire(__value)
            };
            let push = quote! {
                #fp::Params::push(__out, #wire, #fp::Value::Text(#to_wire));
            };
            if *optional {
                quote! {
                    if let ::core::option::Option::Some(__value) = &self.#member {
                        #push
                    }
                }
            } else {
                quote! {
                    {
                        let __value = &self.#member;
                        #push
                    }
                }
            }
        }
        FieldKind::List {
            item,
            optional,
            layout,
            ..
        } => {
            let encode_item = quote_spanned! {item.span()=>
                <#item as #fp::EncodeItem>::encode_item(__item)
            };
            let body = match layout {
                ListLayout::Nested => quote! {
                    if !__items.is_empty() {
                        let mut __children = #fp::Params::new();
                        for (__index, __item) in ::core::iter::Iterator::enumerate(__items.iter()) {
                            #fp::Params::push(
                                &mut __children,
                                ::std::string::ToString::to_string(&__index),
                                #encode_item,
                            );
                        }
                        #fp::Params::push(__out, #wire, #fp::Value::Nested(__children));
                    }
                },
                ListLayout::Repeated => quote! {
                    for __item in __items.iter() {
                        #fp::Params::push(__out, #wire, #encode_item);
                    }
                },
                // The model refuses `array` lists for this derive.
                ListLayout::Array => TokenStream::new(),
            };
            if *optional {
                quote! {
                    if let ::core::option::Option::Some(__list) = &self.#member {
                        let __items: &[_] = ::core::convert::AsRef::<[_]>::as_ref(__list);
                        #body
                    }
                }
            } else {
                quote! {
                    {
                        let __items: &[_] = ::core::convert::AsRef::<[_]>::as_ref(&self.#member);
                        #body
                    }
                }
            }
        }
        FieldKind::Extra => quote! {
            #fp::Params::extend(__out, ::core::clone::Clone::clone(&self.#member));
        },
    }
}

/// The impl emitted next to attribute errors.
fn stub(input: &DeriveInput) -> TokenStream {
    let fp = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Encode for #ident #ty_generics #where_clause {
            fn encode(&self, _: &mut #fp::Params) {}
        }
    }
}
