//! `#[derive(Sign)]`: the script name the signature starts with.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Message, MessageDerive};
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(Sign)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion = Message::from_input(input, MessageDerive::Sign).map(|message| {
        let script = message
            .script
            .as_ref()
            .map(syn::LitStr::value)
            .unwrap_or_default();
        expand(input, &script)
    });
    or_stub(expansion, || sign_impl(input, ""))
}

fn expand(input: &DeriveInput, script: &str) -> TokenStream {
    wrap(sign_impl(input, script))
}

fn sign_impl(input: &DeriveInput, script: &str) -> TokenStream {
    let fp = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Sign for #ident #ty_generics #where_clause {
            const SCRIPT: &'static str = #script;
        }
    }
}
