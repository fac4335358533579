//! The cargo features of the `freedompay` crate that compile each API family,
//! and the `#[cfg]` attributes the generated code gates its items with.
//!
//! A family's feature is named as its module (`merchant`, `gateway`, `card`,
//! `partner`; Freedom ID belongs to `partner`). Its modules, its entries in
//! the registry and the server trait, and its callbacks compile only with it;
//! the shared enums, the error codes and the test data always compile. A
//! private item that serves several families (an import, a helper) compiles
//! with any of them, so that no combination of features leaves it unused.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::describe;
use crate::ir::Endpoint;
use crate::spec::ApiName;

/// The cargo feature that compiles an API family: its module name.
pub fn feature(api: ApiName) -> &'static str {
    describe::api_module(api)
}

/// `#[cfg(feature = "merchant")]`: the item compiles with its family only.
pub fn cfg(api: ApiName) -> TokenStream {
    let feature = feature(api);
    quote! { #[cfg(feature = #feature)] }
}

/// The predicate "any of the families `apis` is compiled": `feature = "…"`
/// for one, `any(feature = "…", …)` for several.
fn any_of(apis: &BTreeSet<ApiName>) -> TokenStream {
    let features: Vec<&str> = apis.iter().map(|api| feature(*api)).collect();
    match features.as_slice() {
        [one] => quote! { feature = #one },
        many => quote! { any(#(feature = #many),*) },
    }
}

/// The `#[cfg]` of an item that the families `apis` use: it compiles with
/// any of them.
pub fn cfg_any(apis: &BTreeSet<ApiName>) -> TokenStream {
    let any = any_of(apis);
    quote! { #[cfg(#any)] }
}

/// For a function whose body uses its arguments only in the items of the
/// families `apis`: allows them unused when none of those is compiled.
pub fn allow_unused_without(apis: &BTreeSet<ApiName>) -> TokenStream {
    let any = any_of(apis);
    quote! { #[cfg_attr(not(#any), allow(unused_variables))] }
}

/// `use freedompay_core::{…};` items for `paths`, each path compiled with the
/// families that use it: one `use` per set of families, none for a path no
/// family uses.
pub fn core_uses(paths: Vec<(BTreeSet<ApiName>, TokenStream)>) -> TokenStream {
    let mut by_families: BTreeMap<BTreeSet<ApiName>, Vec<TokenStream>> = BTreeMap::new();
    for (apis, path) in paths.into_iter().filter(|(apis, _)| !apis.is_empty()) {
        by_families.entry(apis).or_default().push(path);
    }
    let uses = by_families.into_iter().map(|(apis, paths)| {
        let cfg = cfg_any(&apis);
        match paths.as_slice() {
            [one] => quote! { #cfg use freedompay_core::#one; },
            many => quote! { #cfg use freedompay_core::{#(#many),*}; },
        }
    });
    quote! { #(#uses)* }
}

/// The families of `endpoints`.
pub fn families<'e>(endpoints: impl IntoIterator<Item = &'e Endpoint>) -> BTreeSet<ApiName> {
    endpoints.into_iter().map(|e| e.api).collect()
}
