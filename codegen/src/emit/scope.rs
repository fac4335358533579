//! The names a generated module uses, and the `use` items that bring them in.
//!
//! Generated code names things as hand-written code in the `freedompay` crate
//! would: `Option<String>`, `Amount`, `Currency`, with `use crate::…` items at
//! the top of each module. A name the module defines itself (a message or an
//! enum of the spec) wins: the other item is then written with its full path,
//! as it also is when two imports would share a name.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Where a name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The standard prelude: needs no `use`.
    Prelude,
    /// The crate root (`crate::Amount`).
    Crate,
    /// The shared enums (`crate::enums::Currency`).
    Enums,
}

/// Prelude names the generated code uses, with their full paths.
const PRELUDE: &[(&str, &str)] = &[
    ("Option", "::core::option::Option"),
    ("Some", "::core::option::Option::Some"),
    ("None", "::core::option::Option::None"),
    ("Result", "::core::result::Result"),
    ("String", "::std::string::String"),
    ("Vec", "::std::vec::Vec"),
];

/// The names of one generated module.
pub struct Scope {
    /// Types the module defines.
    local: BTreeSet<String>,
    /// Names with more than one origin among those the module may use.
    contested: BTreeSet<String>,
    /// The names used so far, with their origin (the `use` items to write).
    used: RefCell<BTreeMap<String, Origin>>,
}

impl Scope {
    /// A scope for a module defining `local` types, which may use the shared
    /// enums `shared_enums` (crate-root and prelude names are known).
    pub fn new(
        local: impl IntoIterator<Item = String>,
        shared_enums: impl IntoIterator<Item = String>,
    ) -> Self {
        let enums: BTreeSet<String> = shared_enums.into_iter().collect();
        let contested = enums
            .iter()
            .filter(|name| {
                PRELUDE.iter().any(|(p, _)| p == name)
                    || crate::emit::CRATE_ITEMS.contains(&name.as_str())
            })
            .cloned()
            .collect();
        Self {
            local: local.into_iter().collect(),
            contested,
            used: RefCell::default(),
        }
    }

    fn name(&self, name: &str, origin: Origin) -> TokenStream {
        let plain = !self.local.contains(name) && !self.contested.contains(name);
        let ident = format_ident!("{name}");
        if plain {
            if origin != Origin::Prelude {
                self.used.borrow_mut().insert(name.to_owned(), origin);
            }
            return quote!(#ident);
        }
        match origin {
            Origin::Prelude => {
                let path = PRELUDE
                    .iter()
                    .find(|(p, _)| *p == name)
                    .map_or(name, |(_, path)| path);
                path.parse().unwrap_or_else(|_| quote!(#ident))
            }
            Origin::Crate => quote!(crate::#ident),
            Origin::Enums => quote!(crate::enums::#ident),
        }
    }

    /// A prelude name: `Option`, `Some`, `None`, `Result`, `String`, `Vec`.
    pub fn std(&self, name: &str) -> TokenStream {
        self.name(name, Origin::Prelude)
    }

    /// An item of the crate root: a type, trait, derive or module of `freedompay`.
    pub fn krate(&self, name: &str) -> TokenStream {
        debug_assert!(crate::emit::CRATE_ITEMS.contains(&name), "{name}");
        self.name(name, Origin::Crate)
    }

    /// A shared enum.
    pub fn shared_enum(&self, name: &str) -> TokenStream {
        self.name(name, Origin::Enums)
    }

    /// The module's `use` items for the names used so far.
    pub fn uses(&self) -> TokenStream {
        let used = self.used.borrow();
        let group = |origin: Origin| -> Vec<proc_macro2::Ident> {
            used.iter()
                .filter(|(_, o)| **o == origin)
                .map(|(name, _)| format_ident!("{name}"))
                .collect()
        };
        let item = |path: TokenStream, names: Vec<proc_macro2::Ident>| match names.as_slice() {
            [] => quote!(),
            [one] => quote!(use #path::#one;),
            many => quote!(use #path::{#(#many),*};),
        };
        let enums = item(quote!(crate::enums), group(Origin::Enums));
        let root = item(quote!(crate), group(Origin::Crate));
        quote! {
            #enums
            #root
        }
    }
}
