//! `#[derive(Builder)]`: the inherent API that builds a message value:
//! `new` from the required fields, one chained setter per optional field and
//! list, and `with_extra`.
//!
//! Required fields are the plain values (neither `Option`, nor a list, nor
//! `extra`). `new` takes them as arguments in declaration order, or, when the
//! struct names one with `#[freedompay(required = Type)]`, as one struct with
//! a public field of the same name and type for each. Text fields (`String`)
//! take anything that converts into a `String`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Type};

use crate::ast::{self, Field, FieldKind, Message, MessageDerive};
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(Builder)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion =
        Message::from_input(input, MessageDerive::Builder).map(|message| expand(&message));
    // Nothing to stub: a failed `Builder` leaves only inherent methods out.
    or_stub(expansion, TokenStream::new)
}

/// Whether `new` takes the field.
fn is_required(field: &Field<'_>) -> bool {
    matches!(
        field.kind,
        FieldKind::Scalar {
            optional: false,
            ..
        }
    )
}

/// A parameter of type `ty`: `impl Into<String>` for text, `impl Into<ty>`
/// for masked text (`CardNumber`, `Sensitive`, which take any text), `ty`
/// itself otherwise.
fn parameter_type(ty: &Type) -> TokenStream {
    if ast::is_string(ty) {
        quote!(impl ::core::convert::Into<::std::string::String>)
    } else if ast::is_masked_text(ty) {
        quote!(impl ::core::convert::Into<#ty>)
    } else {
        quote!(#ty)
    }
}

/// `value` converted into `ty`, when the parameter was `impl Into<…>`.
fn converted(ty: &Type, value: TokenStream) -> TokenStream {
    if ast::is_string(ty) || ast::is_masked_text(ty) {
        quote!(::core::convert::Into::into(#value))
    } else {
        value
    }
}

fn expand(message: &Message<'_>) -> TokenStream {
    let ident = message.ident;
    let (impl_generics, ty_generics, where_clause) = message.generics.split_for_impl();
    let required: Vec<&Field<'_>> = message.fields.iter().filter(|f| is_required(f)).collect();
    let wires: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();

    let initial = message.fields.iter().map(|field| {
        let member = field.member;
        match &field.kind {
            FieldKind::Scalar {
                optional: false, ..
            } if message.required.is_none() => {
                let value = converted(field.ty, quote!(#member));
                quote!(#member: #value)
            }
            FieldKind::Scalar {
                optional: false, ..
            } => quote!(#member),
            FieldKind::Scalar { optional: true, .. } | FieldKind::List { optional: true, .. } => {
                quote!(#member: ::core::option::Option::None)
            }
            FieldKind::List { .. } | FieldKind::Extra => {
                quote!(#member: ::core::default::Default::default())
            }
        }
    });
    let constructor = match &message.required {
        Some(path) => {
            let members = required.iter().map(|f| f.member);
            let doc = format!(
                "Creates the message from its required fields, named in [`{}`]; optional fields are unset and lists empty.",
                quote!(#path).to_string().replace(' ', "")
            );
            quote! {
                #[doc = #doc]
                pub fn new(required: #path) -> Self {
                    let #path { #(#members),* } = required;
                    Self { #(#initial),* }
                }
            }
        }
        None => {
            let parameters = required.iter().map(|f| {
                let member = f.member;
                let ty = parameter_type(f.ty);
                quote!(#member: #ty)
            });
            let doc = if required.is_empty() {
                "Creates the message with every field unset (all are optional) and lists empty."
                    .to_owned()
            } else {
                format!(
                    "Creates the message from its required fields ({}); optional fields are unset and lists empty.",
                    wires.join(", ")
                )
            };
            quote! {
                #[doc = #doc]
                pub fn new(#(#parameters),*) -> Self {
                    Self { #(#initial),* }
                }
            }
        }
    };
    let setters = message.fields.iter().filter_map(setter);
    let with_extra = message
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::Extra))
        .map(|field| {
            let member = field.member;
            let fp = private();
            quote! {
                /// Adds a parameter no typed field takes; it is encoded after the
                /// typed fields, and signed with them when the message is signed.
                pub fn with_extra(
                    mut self,
                    name: impl ::core::convert::Into<::std::string::String>,
                    value: impl ::core::convert::Into<::std::string::String>,
                ) -> Self {
                    #fp::rules::ExtraFields::push_extra(
                        &mut self.#member,
                        ::core::convert::Into::<::std::string::String>::into(name),
                        ::core::convert::Into::<::std::string::String>::into(value),
                    );
                    self
                }
            }
        });
    let default = (required.is_empty() && message.required.is_none()).then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_generics ::core::default::Default for #ident #ty_generics #where_clause {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    wrap(quote! {
        impl #impl_generics #ident #ty_generics #where_clause {
            #constructor
            #(#setters)*
            #with_extra
        }
        #default
    })
}

/// The setter of an optional field or a list; none for a required field.
fn setter(field: &Field<'_>) -> Option<TokenStream> {
    let member = field.member;
    let doc = format!("Sets `{}`.", field.wire);
    let (parameter, value) = match &field.kind {
        FieldKind::Scalar {
            ty, optional: true, ..
        } => (parameter_type(ty), converted(ty, quote!(value))),
        FieldKind::List { optional: true, .. } => {
            let list = ast::option_inner(field.ty).unwrap_or(field.ty);
            (quote!(#list), quote!(value))
        }
        FieldKind::List {
            optional: false, ..
        } => {
            let ty = field.ty;
            return Some(quote! {
                #[doc = #doc]
                pub fn #member(mut self, value: #ty) -> Self {
                    self.#member = value;
                    self
                }
            });
        }
        FieldKind::Scalar {
            optional: false, ..
        }
        | FieldKind::Extra => return None,
    };
    Some(quote! {
        #[doc = #doc]
        pub fn #member(mut self, value: #parameter) -> Self {
            self.#member = ::core::option::Option::Some(#value);
            self
        }
    })
}
