//! The Gateway API's Token group: a payment with a saved card's token, Apple
//! Pay and Google Pay payments (all at `g2g/payment`), and the payout to a
//! saved card (`g2g/reg2reg`).
//!
//! - A token payment charges a card the user saved (for payments, by either
//!   API) at once, as `card/init` then `card/direct` do: the saved test card
//!   approves or declines (10001, with the payment's `pg_payment_id`); a
//!   token the user has not saved answers 10032.
//! - A wallet payment is a card payment with the wallet's card number: the
//!   test cards decide as for `g2g/payment` with a card, 3-D Secure and
//!   `paymentAcs` included. The cryptogram and ECI are not checked, and the
//!   cryptogram is never kept.
//! - The token payout is the Merchant API's `api/reg2reg`: to a card saved
//!   for payouts, from the payout balance, notified to `pg_post_link`. The
//!   sandbox needs `pg_card_token_to` to name the card (200 without it).

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::gateway::tokens::{
    G2gApplePayPaymentRequest, G2gApplePayPaymentResponse, G2gGooglePayPaymentRequest,
    G2gGooglePayPaymentResponse, G2gTokenPaymentRequest, G2gTokenPaymentResponse,
    G2gTokenPayoutRequest, G2gTokenPayoutResponse,
};
use freedompay::merchant::payout::TokenPayoutRequest;
use freedompay::{Decode, Encode, Params};

use super::card::{CARD_FIELDS, Card};
use super::payments::{Decided, pay_with_card};
use crate::merchant::Merchant;
use crate::ops::cards::{TokenPayment, charge_saved_card, create_token_payment};
use crate::ops::payments::{auth_code, reference};
use crate::ops::{App, Failure, invalid, payout};
use crate::store::Urls;
use crate::values::now;

/// `g2g/payment` with a saved card's token.
pub(crate) fn token_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gTokenPaymentRequest,
) -> Result<G2gTokenPaymentResponse, Failure> {
    let payment = create_token_payment(
        app,
        merchant,
        &request.to_params(),
        TokenPayment {
            order_id: request.order_id.trim(),
            amount: request.amount,
            description: &request.description,
            user_id: request.user_id.trim(),
            card_token: request.card_token.trim(),
            user_phone: None,
            urls: Urls::default(),
        },
    )?;
    let (payment, declined) = charge_saved_card(app, Some(&merchant.id), payment.id)?;
    if let Some(refused) = declined {
        return Err(refused.of_payment(payment.id));
    }
    Ok(G2gTokenPaymentResponse::new(payment.id, ResponseStatus::Ok)
        .merchant_id(merchant.number())
        .order_id(payment.order_id.clone())
        .datetime(now()))
}

/// The parameters of a wallet payment that the payment keeps: without the
/// card data, the cryptogram and the wallet's name.
fn wallet_params(request: &impl Encode) -> Params {
    let mut params = request.to_params();
    for name in CARD_FIELDS {
        params.remove(name);
    }
    params.remove("pg_payment_method");
    params
}

/// `g2g/payment` with an Apple Pay token's card.
pub(crate) fn apple_pay(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gApplePayPaymentRequest,
) -> Result<G2gApplePayPaymentResponse, Failure> {
    let params = wallet_params(&request);
    let Decided { payment, three_ds } =
        pay_with_card(app, merchant, &params, &Card::of_apple_pay(&request))?;
    let mut answer =
        G2gApplePayPaymentResponse::new(payment.id, ResponseStatus::Ok, three_ds.is_some())
            .datetime(now());
    answer = match three_ds {
        Some(three_ds) => answer
            .three_d_acs_url(three_ds.url)
            .three_d_md(three_ds.md)
            .three_d_pareq(three_ds.pareq),
        None => answer.auth_code(auth_code(payment.id)),
    };
    Ok(answer)
}

/// `g2g/payment` with a Google Pay token's card.
pub(crate) fn google_pay(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gGooglePayPaymentRequest,
) -> Result<G2gGooglePayPaymentResponse, Failure> {
    let params = wallet_params(&request);
    let Decided { payment, three_ds } =
        pay_with_card(app, merchant, &params, &Card::of_google_pay(&request))?;
    let answer =
        G2gGooglePayPaymentResponse::new(payment.id, ResponseStatus::Ok, three_ds.is_some());
    Ok(match three_ds {
        Some(three_ds) => answer
            .three_d_acs_url(three_ds.url)
            .three_d_md(three_ds.md)
            .three_d_pareq(three_ds.pareq),
        None => answer
            .auth_code(auth_code(payment.id))
            .reference(reference(payment.id)),
    })
}

/// `g2g/reg2reg`: the Merchant API's token payout.
pub(crate) fn token_payout(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gTokenPayoutRequest,
) -> Result<G2gTokenPayoutResponse, Failure> {
    if request.card_token_to.is_none() {
        return Err(invalid(
            "pg_card_token_to: the sandbox needs it to name the card",
        ));
    }
    let merchant_request = TokenPayoutRequest::decode(&request.to_params()).map_err(invalid)?;
    let answer = payout::payout_token(app, merchant, merchant_request)?;
    G2gTokenPayoutResponse::decode(&answer.to_params()).map_err(invalid)
}
