//! `#[derive(Validate)]`: one check per rule, every rule of every field run,
//! every broken rule recorded under the field's wire path.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Field, FieldKind, Message, MessageDerive, ScalarRules};
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(Validate)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion =
        Message::from_input(input, MessageDerive::Validate).map(|message| expand(&message));
    or_stub(expansion, || stub(input))
}

fn expand(message: &Message<'_>) -> TokenStream {
    let fp = private();
    let ident = message.ident;
    let (impl_generics, ty_generics, where_clause) = message.generics.split_for_impl();
    let checks = message
        .fields
        .iter()
        .map(|field| check_field(message, field));
    wrap(quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Validate for #ident #ty_generics #where_clause {
            fn validate_at(&self, __path: &str, __errors: &mut #fp::ValidationErrors) {
                #(#checks)*
            }
        }
    })
}

fn check_field(message: &Message<'_>, field: &Field<'_>) -> TokenStream {
    let fp = private();
    let member = field.member;
    let wire = &field.wire;
    match &field.kind {
        FieldKind::Scalar {
            ty,
            optional,
            rules,
        } => {
            if rules.is_empty() {
                return TokenStream::new();
            }
            let checks = scalar_rules(rules, ty);
            let body = quote! {
                let __field = #fp::child_path(__path, #wire);
                #checks
            };
            if *optional {
                quote! {
                    if let ::core::option::Option::Some(__value) = &self.#member {
                        #body
                    }
                }
            } else {
                quote! {
                    {
                        let __value = &self.#member;
                        #body
                    }
                }
            }
        }
        FieldKind::List {
            item,
            optional,
            min_items,
            max_items,
            ..
        } => {
            let min_items = min_items.map(|n| {
                let n = Literal::usize_unsuffixed(n);
                quote!(#fp::rules::min_items(__errors, &__field, __items, #n);)
            });
            let max_items = max_items.map(|n| {
                let n = Literal::usize_unsuffixed(n);
                quote!(#fp::rules::max_items(__errors, &__field, __items, #n);)
            });
            let validate_item = quote_spanned! {item.span()=>
                <#item as #fp::ValidateItem>::validate_item(
                    __item,
                    &#fp::child_path(&__field, &::std::string::ToString::to_string(&__index)),
                    __errors,
                );
            };
            let body = quote! {
                let __field = #fp::child_path(__path, #wire);
                let __items: &[_] = ::core::convert::AsRef::<[_]>::as_ref(__list);
                #min_items
                #max_items
                for (__index, __item) in ::core::iter::Iterator::enumerate(__items.iter()) {
                    #validate_item
                }
            };
            if *optional {
                quote! {
                    if let ::core::option::Option::Some(__list) = &self.#member {
                        #body
                    }
                }
            } else {
                quote! {
                    {
                        let __list = &self.#member;
                        #body
                    }
                }
            }
        }
        FieldKind::Extra => {
            let known = message.typed_wire_names();
            quote! {
                #fp::rules::extra_names(__errors, __path, &self.#member, &[#(#known),*]);
            }
        }
    }
}

/// The checks of one value, bound to `__value: &T`, recorded under `__field`.
/// Calls are spanned on the value's type so that a type without the needed
/// trait (`Numeric` for `min`, `AsRef<str>` for text rules) is reported there.
fn scalar_rules(rules: &ScalarRules, ty: &syn::Type) -> TokenStream {
    let fp = private();
    let span = ty.span();
    let text = quote_spanned!(span=> ::core::convert::AsRef::<str>::as_ref(__value));
    let mut checks = TokenStream::new();
    if rules.object {
        checks.extend(
            quote_spanned!(span=> #fp::Validate::validate_at(__value, &__field, __errors);),
        );
    }
    if let Some(min) = &rules.min {
        checks.extend(quote_spanned!(span=> #fp::rules::min(__errors, &__field, __value, #min);));
    }
    if let Some(max) = &rules.max {
        checks.extend(quote_spanned!(span=> #fp::rules::max(__errors, &__field, __value, #max);));
    }
    if let Some(n) = rules.min_length {
        let n = Literal::usize_unsuffixed(n);
        checks.extend(quote!(#fp::rules::min_length(__errors, &__field, #text, #n);));
    }
    if let Some(n) = rules.max_length {
        let n = Literal::usize_unsuffixed(n);
        checks.extend(quote!(#fp::rules::max_length(__errors, &__field, #text, #n);));
    }
    if let Some(pattern) = &rules.pattern {
        // The whole value must match, whether or not the pattern is anchored.
        let anchored = crate::attr::anchored(pattern);
        checks.extend(quote! {
            {
                // Checked when the attribute was parsed, so never `None`; a
                // `None` would be reported as a failed rule, not a panic.
                static RE: #fp::LazyLock<::core::option::Option<#fp::Regex>> =
                    #fp::LazyLock::new(|| #fp::Regex::new(#anchored).ok());
                #fp::rules::compiled_pattern(__errors, &__field, #text, RE.as_ref(), #pattern);
            }
        });
    }
    if let Some(format) = rules.format {
        let variant = format_ident!("{}", format.variant());
        checks
            .extend(quote!(#fp::rules::format(__errors, &__field, #text, #fp::Format::#variant);));
    }
    checks
}

/// The impl emitted next to attribute errors.
fn stub(input: &DeriveInput) -> TokenStream {
    let fp = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #fp::Validate for #ident #ty_generics #where_clause {
            fn validate_at(&self, _: &str, _: &mut #fp::ValidationErrors) {}
        }
    }
}
