//! `#[derive(WireEnum)]`: a closed set of wire values as an enum, with an
//! optional variant that keeps values the enum does not name.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::WireEnum;
use crate::expand::{or_stub, private, wrap};

/// Expands `#[derive(WireEnum)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let expansion = WireEnum::from_input(input).map(|model| expand(&model));
    or_stub(expansion, || stub(input))
}

fn expand(model: &WireEnum<'_>) -> TokenStream {
    let fp = private();
    let ident = model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let idents: Vec<_> = model.variants.iter().map(|variant| variant.ident).collect();
    let wires: Vec<_> = model
        .variants
        .iter()
        .map(|variant| variant.wire.as_str())
        .collect();
    let values_doc = format!("The wire values of `{ident}`, in declaration order.");

    let (other_as_str, unknown) = match model.other {
        Some(other) => (
            quote! {
                Self::#other(__text) => ::core::convert::AsRef::<str>::as_ref(__text),
            },
            quote! {
                _ => ::core::result::Result::Ok(Self::#other(::core::convert::From::from(__text))),
            },
        ),
        None => {
            let expected = crate::attr::list(&wires);
            (
                TokenStream::new(),
                quote! {
                    _ => ::core::result::Result::Err(::std::format!(
                        "expected one of {}, got `{}`",
                        #expected,
                        __text,
                    )),
                },
            )
        }
    };

    wrap(quote! {
        #[automatically_derived]
        impl #impl_generics #ident #ty_generics #where_clause {
            #[doc = #values_doc]
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value's text on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    #other_as_str
                }
            }
        }

        #[automatically_derived]
        impl #impl_generics #fp::ToWire for #ident #ty_generics #where_clause {
            fn to_wire(&self) -> ::std::string::String {
                ::std::string::String::from(self.as_str())
            }
        }

        #[automatically_derived]
        impl #impl_generics #fp::FromWire for #ident #ty_generics #where_clause {
            fn from_wire(__text: &str) -> ::core::result::Result<Self, ::std::string::String> {
                match __text.trim() {
                    #(#wires => ::core::result::Result::Ok(Self::#idents),)*
                    #unknown
                }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Display for #ident #ty_generics #where_clause {
            fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Formatter::write_str(__f, self.as_str())
            }
        }

        /// The wire text, so that text rules (`max_length`) apply to the value.
        #[automatically_derived]
        impl #impl_generics ::core::convert::AsRef<str> for #ident #ty_generics #where_clause {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::str::FromStr for #ident #ty_generics #where_clause {
            type Err = ::std::string::String;

            fn from_str(__text: &str) -> ::core::result::Result<Self, ::std::string::String> {
                <Self as #fp::FromWire>::from_wire(__text)
            }
        }
    })
}

/// The impls emitted next to attribute errors.
fn stub(input: &DeriveInput) -> TokenStream {
    let fp = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// The wire values (none: the derive reported errors).
            pub const VALUES: &'static [&'static str] = &[];

            /// The value's text on the wire.
            pub fn as_str(&self) -> &str {
                ::core::unimplemented!("the derive reported errors")
            }
        }

        #[automatically_derived]
        impl #impl_generics #fp::ToWire for #ident #ty_generics #where_clause {
            fn to_wire(&self) -> ::std::string::String {
                ::core::unimplemented!("the derive reported errors")
            }
        }

        #[automatically_derived]
        impl #impl_generics #fp::FromWire for #ident #ty_generics #where_clause {
            fn from_wire(_: &str) -> ::core::result::Result<Self, ::std::string::String> {
                ::core::unimplemented!("the derive reported errors")
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Display for #ident #ty_generics #where_clause {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::unimplemented!("the derive reported errors")
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::convert::AsRef<str> for #ident #ty_generics #where_clause {
            fn as_ref(&self) -> &str {
                ::core::unimplemented!("the derive reported errors")
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::str::FromStr for #ident #ty_generics #where_clause {
            type Err = ::std::string::String;

            fn from_str(_: &str) -> ::core::result::Result<Self, ::std::string::String> {
                ::core::unimplemented!("the derive reported errors")
            }
        }
    }
}
