//! The intermediate representation: the spec with every reference resolved
//! and every default applied, as plain data.
//!
//! `lower` builds it from the loaded spec and `check` checks
//! it; the emitters in [`crate::emit`] read it and nothing else: never YAML or
//! serde types.

use crate::spec::{
    ApiDef, ApiName, Auth, Completeness, Direction, Effect, Encoding, ErrorCode, FilledBy,
    IndexEntry, ListStyle, Method, Site, TestCard, TestPhone,
};

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Shared enums, by id order.
    pub enums: Vec<Enum>,
    /// Endpoints and callbacks, in file order.
    pub endpoints: Vec<Endpoint>,
    /// Error codes, test data and the documentation's endpoint index.
    pub reference: Reference,
    /// The shared field definitions as written (by id order), for the checks:
    /// the messages hold copies of them, merged with their overrides.
    pub shared_fields: Vec<Field>,
    /// The API families and their defaults, in `apis:` order.
    pub apis: Vec<ApiDef>,
}

impl Api {
    /// The endpoints and callbacks that travel as forms and XML signed with
    /// `pg_sig` (every one but the JSON endpoints).
    pub fn form_endpoints(&self) -> impl Iterator<Item = &Endpoint> {
        self.endpoints.iter().filter(|e| !e.is_json())
    }

    /// The JSON endpoints (signed with a detached JWS).
    pub fn json_endpoints(&self) -> impl Iterator<Item = &Endpoint> {
        self.endpoints.iter().filter(|e| e.is_json())
    }
}

/// Where a node of the IR was written: the spec file and the YAML path in it,
/// which the loaded file turns into a line and column when a check reports a problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The spec file (`spec/merchant/page/init_payment.yaml`).
    pub file: String,
    /// The YAML path of the node (`request.fields[3]`).
    pub path: String,
}

/// An enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Spec id.
    pub id: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description.
    pub description: String,
    /// Whether unknown values are kept in an `Unknown(String)` variant.
    pub open: bool,
    /// The values.
    pub values: Vec<EnumValue>,
    /// Where the enum is defined (`enums[2]` of its file).
    pub origin: Origin,
}

impl Enum {
    /// Whether every value is an integer: in JSON the enum travels as a number.
    pub fn is_numeric(&self) -> bool {
        !self.values.is_empty() && self.values.iter().all(|v| v.wire.parse::<i64>().is_ok())
    }
}

/// What JSON value a field travels as in a JSON message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// A JSON number: integers, amounts, decimals, enums of integers.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON string: text of any format, other enums.
    Text,
    /// A JSON array.
    Array,
    /// A JSON object.
    Object,
}

impl JsonKind {
    /// The kind in a sentence: "a number", "an array".
    pub fn describe(self) -> &'static str {
        match self {
            JsonKind::Number => "a number",
            JsonKind::Boolean => "a boolean",
            JsonKind::Text => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        }
    }
}

/// One enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// Wire text.
    pub wire: String,
    /// Variant name.
    pub rust: String,
    /// Description.
    pub description: String,
}

/// An endpoint or callback.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Spec id.
    pub id: String,
    /// Stem of the Rust type names.
    pub rust_name: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// API.
    pub api: ApiName,
    /// Group (module name).
    pub group: String,
    /// Name of the client method (`client.<group>().<client_method>(…)`).
    pub client_method: String,
    /// Who calls whom.
    pub direction: Direction,
    /// HTTP method.
    pub method: Method,
    /// Path template on the gateway (requests only).
    pub path: Option<String>,
    /// Path parameters, by the request field's Rust name.
    pub path_params: Vec<String>,
    /// Script name for the signature (for callbacks: the one used in examples).
    pub script: String,
    /// Sites serving the endpoint.
    pub hosts: Vec<Site>,
    /// The service whose host serves it (the payment API or Freedom ID).
    pub server: crate::spec::Server,
    /// Signed with the payout key when configured.
    pub payout_key: bool,
    /// What the request does to the gateway's state (`Write` for callbacks and redirects).
    pub effect: Effect,
    /// How the request is authenticated (its own `auth`, or its API's).
    pub auth: Auth,
    /// The `X-Action` header of a JSON request, where documented.
    pub action: Option<String>,
    /// The parameters (wire name, value or any) that make a request at a
    /// shared path this endpoint; empty for the path's default.
    pub selected_by: Vec<(String, Option<String>)>,
    /// The documented test credentials of its API's JWS examples, if any.
    pub test_credentials: Option<crate::spec::TestCredentials>,
    /// Documentation completeness.
    pub completeness: Completeness,
    /// Notes on gaps and contradictions.
    pub notes: Vec<String>,
    /// Sources.
    pub sources: Vec<String>,
    /// Enums local to this endpoint.
    pub enums: Vec<Enum>,
    /// The request (or callback) message.
    pub request: Message,
    /// The response (or reply) message.
    pub response: Option<Message>,
    /// Examples.
    pub examples: Vec<Example>,
    /// The spec file (for docs and diagnostics); the YAML path is empty, the
    /// whole file being the endpoint.
    pub origin: Origin,
}

/// The wire name of the idempotency key: a request carrying it may be resent.
pub const IDEMPOTENCY_KEY: &str = "pg_idempotency_key";

impl Endpoint {
    /// Whether the request travels as JSON (signed by a header, if at all).
    pub fn is_json(&self) -> bool {
        self.request.encoding == Encoding::Json
    }

    /// The JWS algorithm of a JSON endpoint (the checks give every one a
    /// `jws_*` authentication; HS256 stands in for any other).
    pub fn jws_algorithm(&self) -> freedompay_core::jws::Algorithm {
        self.auth
            .jws_algorithm()
            .unwrap_or(freedompay_core::jws::Algorithm::Hs256)
    }

    /// The request's idempotency key field (`pg_idempotency_key`), if it has one.
    pub fn idempotency_key(&self) -> Option<&Field> {
        self.request
            .fields
            .iter()
            .find(|f| f.wire == IDEMPOTENCY_KEY)
    }

    /// Rust name of the request (or callback) type.
    pub fn request_type(&self) -> String {
        match self.direction {
            Direction::Request | Direction::Redirect => format!("{}Request", self.rust_name),
            Direction::Callback => format!("{}Callback", self.rust_name),
        }
    }

    /// Rust name of the response (or reply) type.
    pub fn response_type(&self) -> String {
        match self.direction {
            Direction::Request | Direction::Redirect => format!("{}Response", self.rust_name),
            Direction::Callback => format!("{}Reply", self.rust_name),
        }
    }
}

/// A message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Encoding.
    pub encoding: Encoding,
    /// Whether it carries `pg_salt` and `pg_sig`.
    pub signed: bool,
    /// Description.
    pub description: Option<String>,
    /// Fields in wire order. A signed message always holds its salt and
    /// signature fields (`filled_by: salt` / `signature`): where the spec lists
    /// them, or else added last, as the client's signing appends them.
    pub fields: Vec<Field>,
}

impl Message {
    /// Fields the user sets (not filled by the client).
    pub fn user_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.filled_by.is_none())
    }
}

/// A field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust field name.
    pub rust: String,
    /// Type.
    pub ty: Type,
    /// Required.
    pub required: bool,
    /// Filled by the client.
    pub filled_by: Option<FilledBy>,
    /// Shown masked by `Debug` (a card number).
    pub sensitive: bool,
    /// JSON: sent as `null` when absent instead of left out.
    pub nullable: bool,
    /// Constraints.
    pub constraints: Constraints,
    /// Default value's wire text.
    pub default: Option<String>,
    /// Example value's wire text.
    pub example: Option<String>,
    /// Description.
    pub description: String,
    /// Documentation note.
    pub note: Option<String>,
    /// Where the field is written (for a `ref:`, the referring entry).
    pub origin: Origin,
}

/// A field's type.
#[derive(Debug, Clone)]
pub enum Type {
    /// Text.
    String,
    /// Integer.
    Integer,
    /// Money.
    Amount,
    /// Non-money decimal.
    Decimal,
    /// 0/1 flag.
    Flag,
    /// JSON `true`/`false`.
    Boolean,
    /// Enum; `shared` tells where the type lives.
    Enum {
        /// The enum.
        def: Enum,
        /// Whether it is a shared enum (else local to the endpoint).
        shared: bool,
    },
    /// URL.
    Url,
    /// E-mail.
    Email,
    /// Phone.
    Phone,
    /// IP address.
    Ip,
    /// Date-time.
    DateTime,
    /// Card number (PAN), Luhn-checked, shown masked.
    CardNumber,
    /// Card security code, 3 or 4 digits, never shown.
    CardCvc,
    /// Card expiry month, `01` to `12`, never shown.
    CardMonth,
    /// Card expiry year, two digits, never shown.
    CardYear,
    /// List of objects.
    List {
        /// Item type name.
        item_rust_name: String,
        /// How the list travels.
        style: ListStyle,
        /// Item fields.
        fields: Vec<Field>,
    },
    /// List of text values.
    TextList {
        /// How the list travels.
        style: ListStyle,
    },
    /// A JSON object.
    Object {
        /// Its type name.
        rust_name: String,
        /// Its fields.
        fields: Vec<Field>,
    },
}

impl Type {
    /// The spec's name for the type.
    pub fn name(&self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Integer => "integer",
            Type::Amount => "amount",
            Type::Decimal => "decimal",
            Type::Flag => "flag",
            Type::Enum { .. } => "enum",
            Type::Url => "url",
            Type::Email => "email",
            Type::Phone => "phone",
            Type::Ip => "ip",
            Type::DateTime => "date_time",
            Type::CardNumber => "card_number",
            Type::CardCvc => "card_cvc",
            Type::CardMonth => "card_month",
            Type::CardYear => "card_year",
            Type::List { .. } => "list",
            Type::TextList { .. } => "text_list",
            Type::Boolean => "boolean",
            Type::Object { .. } => "object",
        }
    }

    /// The JSON value the type travels as in a JSON message.
    pub fn json_kind(&self) -> JsonKind {
        match self {
            Type::Integer | Type::Amount | Type::Decimal => JsonKind::Number,
            Type::Enum { def, .. } if def.is_numeric() => JsonKind::Number,
            Type::Boolean | Type::Flag => JsonKind::Boolean,
            Type::List { .. } | Type::TextList { .. } => JsonKind::Array,
            Type::Object { .. } => JsonKind::Object,
            Type::String
            | Type::Url
            | Type::Email
            | Type::Phone
            | Type::Ip
            | Type::DateTime
            | Type::CardNumber
            | Type::CardCvc
            | Type::CardMonth
            | Type::CardYear
            | Type::Enum { .. } => JsonKind::Text,
        }
    }

    /// Whether values are text checked by length and pattern: what travels
    /// as a JSON string, enums aside.
    pub fn is_text(&self) -> bool {
        !matches!(self, Type::Enum { .. }) && self.json_kind() == JsonKind::Text
    }

    /// Whether the value is card data, always sensitive (a card number is
    /// shown masked, the other details never).
    pub fn is_card_data(&self) -> bool {
        matches!(
            self,
            Type::CardNumber | Type::CardCvc | Type::CardMonth | Type::CardYear
        )
    }

    /// The text format values of the type must have, by its name in the
    /// spec and in `#[freedompay(format = "…")]`.
    pub fn format(&self) -> Option<&'static str> {
        Some(match self {
            Type::Url => "url",
            Type::Email => "email",
            Type::Phone => "phone",
            Type::Ip => "ip",
            Type::DateTime => "datetime",
            Type::CardNumber => "card_number",
            Type::CardCvc => "card_cvc",
            Type::CardMonth => "card_month",
            Type::CardYear => "card_year",
            _ => return None,
        })
    }

    /// Whether the value is a list (of objects or of text values).
    pub fn is_list(&self) -> bool {
        matches!(self, Type::List { .. } | Type::TextList { .. })
    }

    /// Whether values are numbers checked by min and max.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Integer | Type::Amount | Type::Decimal)
    }
}

/// Constraints on a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Minimum (decimal text).
    pub min: Option<String>,
    /// Maximum (decimal text).
    pub max: Option<String>,
    /// Minimum length in characters.
    pub min_length: Option<u32>,
    /// Maximum length in characters.
    pub max_length: Option<u32>,
    /// Regular expression.
    pub pattern: Option<String>,
    /// Minimum list length.
    pub min_items: Option<u32>,
    /// Maximum list length.
    pub max_items: Option<u32>,
}

/// An example exchange.
#[derive(Debug, Clone)]
pub struct Example {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Request parameters by wire name, in order.
    pub request: freedompay_core::Params,
    /// Documented string to sign, with `{merchant_id}` / `{secret_key}` placeholders.
    pub string_to_sign: Option<String>,
    /// Documented response body.
    pub response: Option<String>,
    /// A JSON request's body as written (objects keep their key order).
    pub body: Option<serde_json::Value>,
    /// The documented `X-JWS-Signature` of a JSON request.
    pub jws: Option<crate::spec::JwsExample>,
    /// Where the example is written (`examples[1]`).
    pub origin: Origin,
}

/// What lowering built but could not make part of the [`Api`], kept so that
/// the checks still apply their rules to it: a spec with such parts has a
/// problem reported already, and its IR is never returned.
#[derive(Debug, Clone, Default)]
pub(crate) struct LeftOut {
    /// Enums defined a second time (the first definition is the one used).
    pub enums: Vec<Enum>,
    /// Endpoints missing what the API needs of them (a request's `path`, a
    /// callback's `script`); their path is `None` and their script empty.
    pub endpoints: Vec<Endpoint>,
    /// Field entries whose type could not be lowered, with the names they have.
    pub fields: Vec<NamedEntry>,
    /// By endpoint file, the entries of its messages that could not be lowered
    /// (only endpoints that have some): their examples may set them unchecked.
    pub unlowered: std::collections::BTreeMap<String, Unlowered>,
}

/// The wire names of the entries of an endpoint's messages that could not be
/// lowered (their problem is reported, or is a consequence of one).
#[derive(Debug, Clone, Default)]
pub(crate) struct Unlowered {
    /// Their wire names.
    pub names: std::collections::BTreeSet<String>,
    /// An entry whose wire name is unknown was left out: any `pg_` name may be it.
    pub any: bool,
}

impl Unlowered {
    /// Whether an example's `name` may be one of the entries left out.
    pub fn covers(&self, name: &str) -> bool {
        self.any || self.names.contains(name)
    }

    /// Whether every entry was lowered.
    pub fn is_empty(&self) -> bool {
        !self.any && self.names.is_empty()
    }
}

/// The names of a field entry whose type could not be lowered.
#[derive(Debug, Clone)]
pub(crate) struct NamedEntry {
    /// Wire name.
    pub wire: String,
    /// Rust field name.
    pub rust: String,
    /// Where the entry is written.
    pub origin: Origin,
}

/// The documented test credentials examples are signed with.
pub const TEST_MERCHANT_ID: &str = "12345";
/// The documented test secret key examples are signed with.
pub const TEST_SECRET_KEY: &str = "mysecret";

/// Everything in the shared files besides fields and enums, with prose folded
/// onto one line. The items are the spec's own types: lowering adds no meaning
/// to them.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// Error codes, sorted by code.
    pub errors: Vec<ErrorCode>,
    /// Test cards in file order.
    pub test_cards: Vec<TestCard>,
    /// Test phones in file order.
    pub test_phones: Vec<TestPhone>,
    /// The documentation's endpoint index, in file order.
    pub index: Vec<IndexEntry>,
}
