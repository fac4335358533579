//! Code generation, one module per derive, from the models in [`crate::ast`].
//!
//! This module owns what every expansion shares: the path every generated
//! item names the runtime by (`::freedompay::__private`), the
//! `const _: () = { ... };` wrapper that keeps helper items out of the user's
//! namespace, and the error path: `compile_error!` for every problem plus a
//! stub impl of the derived trait, so that a mistake in an attribute is
//! reported once instead of again at every use of the trait.

pub mod builder;
pub mod decode;
pub mod encode;
pub mod sign;
pub mod validate;
pub mod wire_enum;

use proc_macro2::TokenStream;
use quote::quote;

/// The runtime items generated code uses: `::freedompay::__private`.
pub fn private() -> TokenStream {
    quote!(::freedompay::__private)
}

/// Wraps generated items in an anonymous constant so that helper items do
/// not leak into the user's module.
pub fn wrap(items: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications)]
        const _: () = {
            #items
        };
    }
}

/// The expansion, or on error every error as `compile_error!` followed by
/// the `stub` impl.
pub fn or_stub(
    expansion: syn::Result<TokenStream>,
    stub: impl FnOnce() -> TokenStream,
) -> TokenStream {
    match expansion {
        Ok(tokens) => tokens,
        Err(error) => {
            let errors = error.to_compile_error();
            let stub = wrap(stub());
            quote! {
                #errors
                #stub
            }
        }
    }
}
