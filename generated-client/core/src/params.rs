//! The parameter tree every message is made of.
//!
//! A Freedom Pay message is an ordered list of named values, some of which are
//! themselves lists (`pg_receipt_positions[0][name]` in a form, nested elements
//! in XML). [`Params`] keeps exactly that: names in the order they were sent or
//! received, duplicates allowed (XML may repeat an element), values either text
//! or a nested list. The signature is computed over this tree, never over a
//! typed struct, so a message is verified exactly as it travelled.

use std::borrow::Cow;

/// One value in a [`Params`] tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A leaf: the text as sent (form value or XML element text, entity-decoded).
    Text(String),
    /// A nested list of named values (a bracketed form array or an XML element with children).
    Nested(Params),
}

impl Value {
    /// The text of a leaf, `None` for a nested value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            Value::Nested(_) => None,
        }
    }

    /// The children of a nested value, `None` for a leaf.
    pub fn as_nested(&self) -> Option<&Params> {
        match self {
            Value::Text(_) => None,
            Value::Nested(params) => Some(params),
        }
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<Params> for Value {
    fn from(params: Params) -> Self {
        Value::Nested(params)
    }
}

/// The name of a parameter: borrowed when it is known at compile time (every
/// name a typed message writes), owned when it was read from the wire.
pub type Name = Cow<'static, str>;

/// An ordered list of named values: the wire form of a request, response or callback.
///
/// Names are [`Name`]s, so that writing a typed message allocates for its
/// values only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    entries: Vec<(Name, Value)>,
}

impl Params {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Params {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Appends `name = value` at the end, keeping any earlier entry of the same name.
    pub fn push(&mut self, name: impl Into<Name>, value: impl Into<Value>) {
        self.entries.push((name.into(), value.into()));
    }

    /// Sets `name = value`: replaces the first entry of that name in place, or appends.
    ///
    /// This is how PHP treats a repeated form key, so a form parsed by the gateway
    /// and one parsed here agree.
    pub fn set(&mut self, name: impl Into<Name>, value: impl Into<Value>) {
        let name = name.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Builder form of [`Params::push`].
    pub fn with(mut self, name: impl Into<Name>, value: impl Into<Value>) -> Self {
        self.push(name, value);
        self
    }

    /// The first value named `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The first value named `name`, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The text of the first value named `name`, if it is a leaf.
    pub fn get_text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_text)
    }

    /// Every value named `name`, in order (XML may repeat an element).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Whether a value named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Removes every entry named `name`, returning the first removed value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let first = self
            .entries
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| self.entries.remove(i).1);
        self.entries.retain(|(n, _)| n != name);
        first
    }

    /// The entries in order, as stored.
    pub(crate) fn entries(&self) -> &[(Name, Value)] {
        &self.entries
    }

    /// The entries in order, their values writable.
    pub(crate) fn entries_mut(&mut self) -> &mut [(Name, Value)] {
        &mut self.entries
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(n, v)| (n.as_ref(), v))
    }

    /// Number of top-level entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends every entry of `other`.
    pub fn extend(&mut self, other: Params) {
        self.entries.extend(other.entries);
    }
}

/// Collects names of any lifetime (each one copied into a [`Name`]).
impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Params {
            entries: iter
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into()), v.into()))
                .collect(),
        }
    }
}

impl IntoIterator for Params {
    type Item = (Name, Value);
    type IntoIter = std::vec::IntoIter<(Name, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}
