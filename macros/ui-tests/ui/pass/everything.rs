//! Every attribute in one place: this compiles without warnings and behaves.

use freedompay::{
    Amount, Builder, Decimal, Decode, Encode, Params, SecretKey, Sign, Validate, WireEnum,
    signature,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, WireEnum)]
pub enum Language {
    #[freedompay(rename = "ru")]
    Russian,
    #[freedompay(rename = "en")]
    English,
    Kazakh,
}

#[derive(Debug, Clone, PartialEq, Eq, WireEnum)]
pub enum Status {
    #[freedompay(rename = "ok")]
    Ok,
    #[freedompay(other)]
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
pub struct Position {
    #[freedompay(min_length = 1, max_length = 128)]
    pub name: String,
    #[freedompay(min = 1)]
    pub count: u32,
    #[freedompay(min = 0.01, max = "99999.99")]
    pub price: Amount,
}

#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode)]
pub struct Card {
    #[freedompay(rename = "pg_card_id", pattern = r"^\d+$")]
    pub id: String,
}

/// A request using every field attribute.
#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode, Sign)]
#[freedompay(script = "init_payment.php")]
pub struct Request {
    #[freedompay(
        rename = "pg_order_id",
        min_length = 1,
        max_length = 50,
        pattern = "^[0-9a-z-]+$"
    )]
    pub order_id: String,
    #[freedompay(rename = "pg_amount", min = 0.01, max = 1000000)]
    pub amount: Amount,
    #[freedompay(rename = "pg_rate", min = -1, max = "1.5")]
    pub rate: Option<Decimal>,
    #[freedompay(rename = "pg_language")]
    pub language: Option<Language>,
    #[freedompay(rename = "pg_status")]
    pub status: Status,
    #[freedompay(rename = "pg_result_url", format = "url")]
    pub result_url: Option<String>,
    #[freedompay(rename = "pg_user_contact_email", format = "email")]
    pub email: Option<String>,
    #[freedompay(rename = "pg_user_phone", format = "phone")]
    pub phone: Option<String>,
    #[freedompay(rename = "pg_user_ip", format = "ip")]
    pub ip: Option<String>,
    #[freedompay(rename = "pg_date", format = "datetime")]
    pub date: Option<String>,
    #[freedompay(
        rename = "pg_receipt_positions",
        nested,
        min_items = 1,
        max_items = 100
    )]
    pub positions: Vec<Position>,
    #[freedompay(rename = "pg_other_positions", nested)]
    pub other_positions: Option<Vec<Position>>,
    #[freedompay(rename = "card", repeated, max_items = 10)]
    pub cards: Vec<Card>,
    pub plain_name: bool,
    #[freedompay(extra)]
    pub extra: Params,
}

/// A message built with `new` from a struct of its required fields, and setters.
#[derive(Debug, Clone, PartialEq, Validate, Encode, Decode, Builder)]
#[freedompay(required = RefundRequired)]
pub struct Refund {
    #[freedompay(rename = "pg_payment_id")]
    pub payment_id: i64,
    #[freedompay(rename = "pg_reason", max_length = 64)]
    pub reason: String,
    #[freedompay(rename = "pg_note")]
    pub note: Option<String>,
    #[freedompay(rename = "pg_positions", nested)]
    pub positions: Vec<Position>,
    #[freedompay(extra)]
    pub extra: Params,
}

/// The required fields of [`Refund`].
pub struct RefundRequired {
    /// The payment.
    pub payment_id: i64,
    /// Why.
    pub reason: String,
}

fn main() {
    let refund = Refund::new(RefundRequired {
        payment_id: 1,
        reason: "returned".to_owned(),
    })
    .note("by post")
    .positions(Vec::new())
    .with_extra("cart", "A-17");
    assert_eq!(refund.to_params().len(), 4);

    let request = Request {
        order_id: "order-1".to_owned(),
        amount: Amount::from_minor(2550),
        rate: None,
        language: Some(Language::Kazakh),
        status: Status::Unknown("new".to_owned()),
        result_url: Some("https://example.com/result".to_owned()),
        email: None,
        phone: None,
        ip: None,
        date: None,
        positions: vec![Position {
            name: "Pad".to_owned(),
            count: 1,
            price: Amount::from_minor(2550),
        }],
        other_positions: None,
        cards: vec![Card { id: "7".to_owned() }],
        plain_name: true,
        extra: Params::new().with("custom", "1"),
    };
    assert_eq!(request.validate(), Ok(()));
    let params = request.to_params();
    assert_eq!(Request::decode(&params), Ok(request.clone()));
    let secret = SecretKey::new("key");
    let signed = request.signed_params(None, &secret, "salt");
    let mut unsigned = signed.clone();
    unsigned.remove(signature::SIG);
    assert_eq!(
        signed.get_text(signature::SIG),
        Some(signature::sign(Request::SCRIPT, &unsigned, &secret).as_str())
    );
    assert_eq!(Language::VALUES, ["ru", "en", "Kazakh"]);
    assert_eq!(Status::Ok.as_str(), "ok");
}
