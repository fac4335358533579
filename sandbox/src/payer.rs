//! What a payer's browser sends to the sandbox's pages, for tests and demos
//! that pay without a browser.

use freedompay::{Params, form};

/// The password the sandbox's 3-D Secure page accepts (the page shows it).
pub const THREE_DS_PASSWORD: &str = "123456";

/// An expiry (`MM/YY`) the payment page accepts: December, five years ahead.
pub fn valid_expiry() -> String {
    let (year, _) = crate::values::this_month();
    format!("12/{:02}", (year + 5) % 100)
}

/// The card form filled in with `card_number`, a valid expiry, a CVC and a
/// cardholder, URL-encoded: the body a browser posts to a payment page
/// (`pg_redirect_url`) or a card-storage page.
pub fn card_form(card_number: &str) -> String {
    form::encode(
        &Params::new()
            .with("card_number", card_number)
            .with("expiry", valid_expiry())
            .with("cvc", "123")
            .with("holder", "IVAN IVANOV"),
    )
}

/// Posts [`card_form`] to `page_url` with `http`, whose redirect policy
/// decides whether the payer follows the way back to the merchant.
pub async fn submit_card(
    http: &reqwest::Client,
    page_url: &str,
    card_number: &str,
) -> reqwest::Result<reqwest::Response> {
    http.post(page_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(card_form(card_number))
        .send()
        .await
}

/// Posts `fields` (URL-encoded) to a sandbox page: the next step of a
/// payment at `page_url` (the 3-D Secure `password`, the mobile `phone` and
/// `operator`, the confirmation `code`).
pub async fn submit(
    http: &reqwest::Client,
    page_url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let params: Params = fields.iter().copied().collect();
    http.post(page_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form::encode(&params))
        .send()
        .await
}

/// What the sandbox's ACS page posts back to the merchant's `TermUrl` once
/// the payer passed 3-D Secure: the `MD` and `PaRes` that the 3-D Secure
/// call (`paymentAcs`, `payment_acs`, `transfer_acs`) takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsAnswer {
    /// `MD`, the payment's reference on the ACS page.
    pub md: String,
    /// `PaRes`, the issuer's answer.
    pub pares: String,
}

/// Plays the payer on the ACS page at `acs_url` (a Gateway answer's
/// `pg_3d_acsurl`): the merchant's form (`PaReq`, `MD`, `TermUrl`), then the
/// documented test password. The answer is what the page posts back to
/// `term_url`; `None` when the page did not pass the payer.
pub async fn pass_three_ds(
    http: &reqwest::Client,
    acs_url: &str,
    pareq: &str,
    md: &str,
    term_url: &str,
) -> reqwest::Result<Option<AcsAnswer>> {
    let merchant_form = [("PaReq", pareq), ("MD", md), ("TermUrl", term_url)];
    submit(http, acs_url, &merchant_form).await?;
    let fields = [
        ("MD", md),
        ("TermUrl", term_url),
        ("password", THREE_DS_PASSWORD),
    ];
    let back = submit(http, acs_url, &fields).await?.text().await?;
    let hidden = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = back.find(&marker)? + marker.len();
        let value = back.get(start..)?.split('"').next()?;
        Some(value.to_owned())
    };
    Ok(hidden("MD")
        .zip(hidden("PaRes"))
        .map(|(md, pares)| AcsAnswer { md, pares }))
}
