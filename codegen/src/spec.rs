//! The raw spec model: exactly what the YAML files say, nothing resolved.
//!
//! Every type here derives `Deserialize` with `deny_unknown_fields` (a typo in
//! a key is an error, not a silently ignored line) and `JsonSchema`, from which
//! `spec/schema.json` is generated so editors validate and complete the files.
//! Doc comments become the schema's descriptions. Meaning is given to these
//! values only in [`crate::ir`]; the loader ([`crate::load`]) is the one place
//! that parses YAML.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One endpoint or callback: a file under `spec/<api>/<group>/`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// Unique id, snake_case (`init_payment`, `mobile_balance_pay`).
    pub id: String,
    /// UpperCamelCase stem of the generated types: `InitPayment` gives
    /// `InitPaymentRequest` and `InitPaymentResponse` (callbacks: `CheckCallback`, `CheckReply`).
    pub rust_name: String,
    /// Short title, as the documentation names the endpoint.
    pub title: String,
    /// What the endpoint does, in our own words (Markdown).
    pub description: String,
    /// Which API the endpoint belongs to.
    pub api: ApiName,
    /// Group within the API, snake_case (`page`, `pay`, `payout`, `mobile_balance`, `callbacks`).
    pub group: String,
    /// `request`: the merchant calls the gateway. `callback`: the gateway calls
    /// the merchant. `redirect`: the merchant signs the parameters into a URL the
    /// payer's browser opens.
    pub direction: Direction,
    /// Name of the generated client method (`client.<group>().<method>(…)`);
    /// defaults to the id without its `<group>_` prefix.
    #[serde(default)]
    pub client_method: Option<String>,
    /// HTTP method.
    #[serde(default = "default_method")]
    pub method: Method,
    /// Path on the gateway host, starting with `/`; `{name}` marks a path
    /// parameter filled from the request field whose `rust` name is `name`.
    /// Absent for callbacks (they go to the merchant's own URL).
    #[serde(default)]
    pub path: Option<String>,
    /// The script name that starts the string to sign. Defaults to the last
    /// segment of `path`; required where that is in doubt.
    #[serde(default)]
    pub script: Option<String>,
    /// Sites that serve the endpoint; all of them when absent.
    #[serde(default)]
    pub hosts: Option<Vec<Site>>,
    /// Which service's host serves it: `api` (the payment API, the default)
    /// or `freedom_id` (`passport.freedompay.kz`, the Partner API's identity
    /// provider).
    #[serde(default)]
    pub server: Server,
    /// Whether the endpoint is signed with the payout secret key when the client has one.
    #[serde(default)]
    pub payout_key: bool,
    /// What a request does to the gateway's state: `read` (a status or a list,
    /// safe to send again) or `write` (creates or changes a payment, a payout,
    /// a card; the default). Requests only. The client retries a `read` after a
    /// transient failure, a `write` only when it carries `pg_idempotency_key`.
    #[serde(default)]
    pub effect: Option<Effect>,
    /// How the request is authenticated; default: its API's `auth` (`apis:` in
    /// `spec/shared/apis.yaml`).
    #[serde(default)]
    pub auth: Option<Auth>,
    /// The `X-Action` header a JSON request carries, where the documentation
    /// names the method that way (`gateway.payment.status`).
    #[serde(default)]
    pub action: Option<String>,
    /// Where several requests share one method and path (`/g2g/payment` for a
    /// card, a saved card's token, Apple Pay, Google Pay): the parameters that
    /// make a request this one, each with the value it must have, or `~` for
    /// "present with any value". An endpoint without it is tried, in spec
    /// order, when no other's parameters match.
    #[serde(default)]
    pub selected_by: Option<std::collections::BTreeMap<String, Option<Scalar>>>,
    /// How completely the stored documentation describes the endpoint.
    pub completeness: Completeness,
    /// Gaps, contradictions between sites and decisions taken, one per item.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Where the facts come from (documentation pages).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Enums used only by this endpoint.
    #[serde(default)]
    pub enums: Vec<EnumDef>,
    /// What the sender transmits: our request, or the gateway's callback.
    pub request: Message,
    /// What comes back: the gateway's response, or the merchant's reply to a callback.
    #[serde(default)]
    pub response: Option<Message>,
    /// Documented examples; each one is also a test.
    #[serde(default)]
    pub examples: Vec<Example>,
}

fn default_method() -> Method {
    Method::Post
}

/// A file under `spec/shared/`: definitions endpoint files refer to.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    /// Fields used by several endpoints, referred to with `ref: <id>`.
    #[serde(default)]
    pub fields: Vec<SharedField>,
    /// Enums used by several endpoints, referred to with `enum: <id>`.
    #[serde(default)]
    pub enums: Vec<EnumDef>,
    /// Error codes the gateway reports in `pg_error_code` (and `pg_failure_code`).
    #[serde(default)]
    pub errors: Vec<ErrorCode>,
    /// Documented test cards.
    #[serde(default)]
    pub test_cards: Vec<TestCard>,
    /// Documented test phone numbers for mobile-balance payments.
    #[serde(default)]
    pub test_phones: Vec<TestPhone>,
    /// Every endpoint of the reference documentation's index, with where it is
    /// in the spec or why it is not.
    #[serde(default)]
    pub reference_index: Vec<IndexEntry>,
    /// The APIs and how their messages are authenticated, unless an endpoint
    /// says otherwise.
    #[serde(default)]
    pub apis: Vec<ApiDef>,
}

/// An API family and its defaults.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiDef {
    /// Which API.
    pub api: ApiName,
    /// Its name in the documentation.
    pub title: String,
    /// How its requests are authenticated, unless an endpoint sets `auth`.
    pub auth: Auth,
    /// Where the documentation says so, in our own words.
    #[serde(default)]
    pub note: Option<String>,
    /// The test credentials the documentation's JWS examples of this API
    /// are signed with; the docs pages sign each JSON example with them.
    #[serde(default)]
    pub test_credentials: Option<TestCredentials>,
}

/// Documented test credentials of a JWS-signed API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCredentials {
    /// The `auth_id` of the JWS header.
    pub auth_id: String,
    /// The key.
    pub key: String,
    /// Where the documentation prints them.
    pub source: String,
}

/// How a request is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// `pg_salt` and `pg_sig` (MD5) among the parameters.
    PgSig,
    /// A detached JWS of the JSON body in `X-JWS-Signature`, HMAC-SHA256.
    JwsHs256,
    /// A detached JWS of the JSON body in `X-JWS-Signature`, HMAC-SHA512.
    JwsHs512,
    /// HTTP Basic client credentials in `Authorization` (Freedom ID's OAuth2
    /// calls); the request is a JSON body.
    Basic,
    /// None (a browser redirect the payer's browser opens).
    None,
}

impl Auth {
    /// The JWS algorithm of a `jws_*` authentication.
    pub fn jws_algorithm(self) -> Option<freedompay_core::jws::Algorithm> {
        match self {
            Auth::JwsHs256 => Some(freedompay_core::jws::Algorithm::Hs256),
            Auth::JwsHs512 => Some(freedompay_core::jws::Algorithm::Hs512),
            Auth::PgSig | Auth::Basic | Auth::None => None,
        }
    }

    /// The spec's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Auth::PgSig => "pg_sig",
            Auth::JwsHs256 => "jws_hs256",
            Auth::JwsHs512 => "jws_hs512",
            Auth::Basic => "basic",
            Auth::None => "none",
        }
    }
}

/// Where an error code's meaning comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorSource {
    /// Freedom Pay's own pages.
    Freedompay,
    /// The PayBox-era table (predecessor; may be outdated).
    Paybox,
    /// The Platron/PayBox 1.x table (predecessor; probably outdated).
    Platron,
}

/// One error code.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The numeric code as it travels in `pg_error_code`.
    pub code: i64,
    /// UpperCamelCase variant name.
    pub rust: String,
    /// What the code means, in our own words.
    pub description: String,
    /// Which table the meaning comes from.
    pub source: ErrorSource,
    /// Other meanings given by other sources, or context.
    #[serde(default)]
    pub note: Option<String>,
    /// Marks the code an unsigned error answer stands for ("merchant not
    /// identified"): the client reports any unsigned error as this code,
    /// whatever code it carries. Exactly one code has it.
    #[serde(default)]
    pub unsigned: bool,
}

/// What a test card is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestCardUse {
    /// Purchases (payment page, card payments).
    Purchase,
    /// Payouts to a card.
    Payout,
}

/// Whether an operation can be done with a test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// The operation succeeds.
    Available,
    /// The operation is refused.
    NotAvailable,
    /// The operation cannot arise (the card never gets that far).
    Impossible,
}

/// The documented outcome of a test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// Approved / success.
    Success,
    /// Declined / error (with `error_code` when documented).
    Declined,
    /// Stays in process, then succeeds.
    PendingThenSuccess,
    /// Stays in process, then fails (with `error_code` when documented).
    PendingThenDeclined,
}

/// A documented test card.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCard {
    /// The card number, digits only.
    pub number: String,
    /// What the card is for.
    #[serde(rename = "use")]
    pub usage: TestCardUse,
    /// The outcome of an authorisation (purchase) or a payout.
    pub outcome: TestOutcome,
    /// The error code reported when the outcome is a decline.
    #[serde(default)]
    pub error_code: Option<i64>,
    /// Whether the payment goes through 3-D Secure (purchase cards).
    #[serde(default)]
    pub three_ds: Option<Availability>,
    /// Clearing (capture) after authorisation.
    #[serde(default)]
    pub clearing: Option<Availability>,
    /// Reversal (cancel) after authorisation.
    #[serde(default)]
    pub reverse: Option<Availability>,
    /// Refund after clearing.
    #[serde(default)]
    pub refund: Option<Availability>,
    /// Saving the card (card storage).
    #[serde(default)]
    pub card_add: Option<Availability>,
    /// What the card does, in our own words.
    pub description: String,
    /// Where the card is documented.
    pub source: String,
}

/// A documented test phone number for mobile-balance payments.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestPhone {
    /// The mobile operator's code (`pg_payment_system_code`), e.g. `KCELLKZT`.
    pub operator: String,
    /// The phone number as documented (`+77017777777`).
    pub phone: String,
    /// The one-time code that approves the debit.
    pub code: String,
    /// What the number does, in our own words.
    pub description: String,
    /// Where the number is documented.
    pub source: String,
}

/// One row of the reference documentation's endpoint index.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// The API whose documentation index the row belongs to (default: `merchant`).
    #[serde(default = "merchant_api")]
    pub api: ApiName,
    /// The row's number in its API's reference index (`1`, `C2`, `G-ASYNC-3`).
    pub number: String,
    /// The endpoint's name in the index.
    pub name: String,
    /// The path as the index gives it, when it gives one.
    #[serde(default)]
    pub path: Option<String>,
    /// Ids of the spec endpoints that cover the row.
    #[serde(default)]
    pub covered_by: Vec<String>,
    /// Why the row is not in the spec (required when `covered_by` is empty).
    #[serde(default)]
    pub not_covered: Option<String>,
}

fn merchant_api() -> ApiName {
    ApiName::Merchant
}

/// A shared field definition.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedField {
    /// The id endpoint files use in `ref:`.
    pub id: String,
    /// The definition.
    #[serde(flatten)]
    pub field: Field,
}

/// The APIs of Freedom Pay.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApiName {
    /// Merchant API (`init_payment.php`, payouts, mobile balance, cards…).
    Merchant,
    /// Gateway (g2g) API.
    Gateway,
    /// Card API.
    Card,
    /// Partner API.
    Partner,
}

/// Who sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The merchant calls the gateway.
    Request,
    /// The gateway calls the merchant's URL.
    Callback,
    /// The merchant builds a signed URL for the payer's browser; nothing is
    /// sent by the client and no response comes back to it.
    Redirect,
}

impl Direction {
    /// Whether the merchant signs and sends the message (a request or a redirect).
    pub fn outgoing(self) -> bool {
        matches!(self, Direction::Request | Direction::Redirect)
    }
}

/// What a request does to the gateway's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Reads only (a status, a balance, a list): sending it twice is harmless.
    Read,
    /// Creates or changes something (a payment, a refund, a payout, a saved card).
    #[default]
    Write,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Method {
    /// GET.
    #[serde(rename = "GET")]
    Get,
    /// POST.
    #[serde(rename = "POST")]
    Post,
}

impl Method {
    /// The method's name on the wire (`GET`, `POST`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A Freedom Pay site; each has a production and a test host.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Site {
    /// Kazakhstan: `api.freedompay.kz`.
    Kz,
    /// Kyrgyzstan: `api.freedompay.kg`.
    Kg,
    /// Uzbekistan: `api.freedompay.uz`.
    Uz,
    /// International mirror: `api.freedompay.money`.
    Money,
}

/// A service with hosts of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    /// The payment API: `api.freedompay.<site>`.
    #[default]
    Api,
    /// Freedom ID, the OAuth2/OpenID Connect provider: `passport.freedompay.kz`.
    FreedomId,
}

/// How completely the stored documentation describes an endpoint.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
pub enum Completeness {
    /// Request and response fully documented.
    #[serde(rename = "F")]
    Full,
    /// Mostly documented; a list is cut off or a detail is missing.
    #[serde(rename = "P+")]
    Mostly,
    /// Partly documented: some fields, types or the response are missing.
    #[serde(rename = "P")]
    Partly,
    /// Stub: only the path or a mention.
    #[serde(rename = "S")]
    Stub,
}

/// A message: request, response, callback or reply.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// How the message travels.
    pub encoding: Encoding,
    /// Whether the message carries `pg_salt` and `pg_sig`: by default a form
    /// or XML message does and a JSON message (authenticated by its
    /// endpoint's `auth`, a header) does not. A signed message carries them
    /// whether or not `fields` lists them (`ref: salt`, `ref: sig`, where the
    /// documentation shows them); unlisted, they come last.
    #[serde(default)]
    pub signed: Option<bool>,
    /// Notes on the message as a whole.
    #[serde(default)]
    pub description: Option<String>,
    /// The fields in wire order.
    pub fields: Vec<Field>,
}

/// Wire encoding of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` (or a query string), bracket notation for lists.
    Form,
    /// A form's parameters sent as `multipart/form-data` parts, as the Gateway
    /// API's pages document (requests only; signed like a form).
    Multipart,
    /// An XML document (`<response>…</response>`).
    Xml,
    /// A JSON body.
    Json,
}

/// A field. Either a full definition (`name`, `type`, …) or a reference to a
/// shared field (`ref: <id>`) that may override `required`, `description`,
/// `example`, `default` and the constraints.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Id of a shared field in `spec/shared/` this entry stands for.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Wire name (`pg_amount`). Required unless `ref` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// snake_case Rust field name; defaults to the wire name without `pg_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
    /// Value type. Required unless `ref` is given.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<FieldType>,
    /// Whether the field must be present (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Who fills the field: the client sets it, the user never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled_by: Option<FilledBy>,
    /// For `type: enum`: id of the enum (shared or in this file's `enums`).
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enumeration: Option<String>,
    /// Smallest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Number>,
    /// Largest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Number>,
    /// Fewest characters (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Regular expression the whole value must match (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Fewest items (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Most items (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// A card number or another value no log may show: `Debug` of the
    /// generated types renders it masked (first six and last four characters
    /// of a value of 13 or more, otherwise nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// For `type: list`: the fields of one item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Field>>,
    /// For `type: list`: UpperCamelCase name of the item type (e.g. `ReceiptPosition`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_rust_name: Option<String>,
    /// For `type: object` (JSON): the object's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
    /// For `type: object`: UpperCamelCase name of its type; defaults to the
    /// field's `rust` name in UpperCamelCase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_rust_name: Option<String>,
    /// JSON only: the field may travel as `null` where the documentation says
    /// so. An optional field that is absent is left out of what we send; a
    /// nullable one is sent as `null`. Received `null` is read as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// For `type: list`: `indexed` (one element with children `0`, `1`, … —
    /// form bracket notation), `repeated` (the element repeats in XML) or
    /// `array` (a JSON array, the default and only style in JSON messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_style: Option<ListStyle>,
    /// The value the gateway assumes when the field is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Scalar>,
    /// A documented example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Scalar>,
    /// What the field means, in our own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A documentation gap or contradiction concerning this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    String,
    /// Whole number.
    Integer,
    /// Money: a decimal with at most two fraction digits.
    Amount,
    /// A decimal number that is not money (percentages, loyalty units).
    Decimal,
    /// `0` or `1` (forms and XML).
    Flag,
    /// `true` or `false` (JSON).
    Boolean,
    /// One of an enum's values (`enum: <id>`).
    Enum,
    /// An absolute http(s) URL.
    Url,
    /// An e-mail address.
    Email,
    /// A phone number starting with the country code.
    Phone,
    /// An IP address.
    Ip,
    /// A date and time (`YYYY-MM-DD HH:MM:SS` or RFC 3339).
    DateTime,
    /// A card number (PAN): digits with a Luhn check digit; shown masked.
    CardNumber,
    /// A card security code (CVC2/CVV2): three or four digits; never shown.
    CardCvc,
    /// A card's expiry month: two digits, `01` to `12`; never shown.
    CardMonth,
    /// A card's expiry year: two digits; never shown.
    CardYear,
    /// A list of objects (`items`).
    List,
    /// A list of text values (`list_style` as for `list`).
    TextList,
    /// A JSON object with its own `fields`.
    Object,
}

/// Who fills a field instead of the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilledBy {
    /// The merchant id from the client configuration.
    MerchantId,
    /// A fresh random salt.
    Salt,
    /// The signature.
    Signature,
}

/// How a list travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListStyle {
    /// One element whose children are the items: `name[0][…]`, `name[1][…]`.
    Indexed,
    /// The element itself repeats, once per item (XML).
    Repeated,
    /// A JSON array.
    Array,
}

/// A number in the spec: written as a YAML number or as a string (`"0.01"`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Number {
    /// An integer.
    Integer(i64),
    /// A decimal written as a YAML float.
    Float(f64),
    /// A decimal written as a string.
    Text(String),
}

impl Number {
    /// The number's text as written.
    pub fn text(&self) -> String {
        match self {
            Number::Integer(i) => i.to_string(),
            Number::Float(f) => f.to_string(),
            Number::Text(t) => t.clone(),
        }
    }
}

/// A scalar value in the spec (example, default): its text is what travels.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    /// A YAML boolean, travelling as `1` or `0`.
    Bool(bool),
    /// A YAML integer.
    Integer(i64),
    /// A YAML float.
    Float(f64),
    /// Text.
    Text(String),
}

impl Scalar {
    /// The wire text of the value.
    pub fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(t) => t.clone(),
        }
    }
}

/// An enum definition.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// Id used by fields' `enum:`.
    pub id: String,
    /// UpperCamelCase Rust type name.
    pub rust_name: String,
    /// What the values stand for.
    pub description: String,
    /// Whether the gateway may send values not listed here; the generated type
    /// then keeps them in an `Unknown(String)` variant instead of failing.
    #[serde(default)]
    pub open: bool,
    /// The values in documentation order.
    pub values: Vec<EnumValue>,
}

/// One enum value.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: Scalar,
    /// UpperCamelCase variant name.
    pub rust: String,
    /// What the value means.
    pub description: String,
}

/// A documented example exchange. Every example is a test: the request must
/// validate, encode and sign (to `string_to_sign` when given); the response
/// must parse into the generated type.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Short name (`documented`, `with-receipt`).
    pub name: String,
    /// What the example shows and where it comes from.
    #[serde(default)]
    pub description: Option<String>,
    /// The request (or callback) parameters in wire order, by wire name. Lists
    /// are YAML sequences of mappings. `pg_merchant_id` and `pg_sig` are filled
    /// in with the documented test credentials when absent. A JSON request is
    /// its body: objects are mappings, arrays sequences, YAML numbers and
    /// booleans JSON numbers and booleans.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub request: serde_yaml::Mapping,
    /// The documented string to sign, with `{merchant_id}` and `{secret_key}` placeholders.
    #[serde(default)]
    pub string_to_sign: Option<String>,
    /// The documented response (or reply) body.
    #[serde(default)]
    pub response: Option<String>,
    /// A JSON endpoint's documented `X-JWS-Signature` of this request, with
    /// the test credentials it was computed with: the request serialised
    /// compactly must sign to it.
    #[serde(default)]
    pub jws: Option<JwsExample>,
}

/// A documented detached JWS and the credentials it was made with.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwsExample {
    /// The `auth_id` of the JWS header.
    pub auth_id: String,
    /// The key the documentation signed with (a documented test key).
    pub key: String,
    /// The `X-JWS-Signature` value (`header..signature`).
    pub signature: String,
}
