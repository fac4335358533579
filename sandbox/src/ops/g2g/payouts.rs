//! The Gateway API's payouts from the payout balance: the balance
//! (`g2g/balance_status`), a payout to an IBAN (`g2g/to_iban`) and a
//! payout's status (`g2g/payout_status2`). They are the Merchant API's
//! payouts, in the same store and under the same rules (the IBAN's check
//! digits decide, `8888` when the balance is too low, `pg_post_link`
//! notified): each request is read as its Merchant API twin, which shares
//! its wire names, and the answer is given with the Gateway's fields only.

use std::sync::Arc;

use freedompay::enums::G2gPaymentState;
use freedompay::errors::ErrorCode;
use freedompay::gateway::payout::{
    G2gIbanPayoutRequest, G2gIbanPayoutResponse, G2gPayoutBalanceRequest, G2gPayoutBalanceResponse,
    G2gPayoutStatusRequest, G2gPayoutStatusResponse, G2gPayoutStatusResponseRequired,
};
use freedompay::merchant::payout::{
    IbanPayoutRequest, PayoutBalanceRequest, PayoutPaymentStatus, PayoutStatusV2Request,
};
use freedompay::{Decode, Encode, Params};

use crate::merchant::Merchant;
use crate::ops::{App, Failure, invalid, payout};
use crate::values::now;

/// `message` read as the type `T` of its twin, which shares its wire names.
fn as_twin<T: Decode>(message: &impl Encode) -> Result<T, Failure> {
    T::decode(&message.to_params()).map_err(invalid)
}

/// `g2g/balance_status`: as `api/balance_status`.
pub(crate) fn balance(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gPayoutBalanceRequest,
) -> Result<G2gPayoutBalanceResponse, Failure> {
    let answer = payout::payout_balance(app, merchant, as_twin::<PayoutBalanceRequest>(&request)?)?;
    Ok(G2gPayoutBalanceResponse::new(
        answer.balance,
        answer.status,
        answer.currency,
    ))
}

/// `g2g/to_iban`: as `api/to_iban`.
pub(crate) fn iban(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gIbanPayoutRequest,
) -> Result<G2gIbanPayoutResponse, Failure> {
    let answer = payout::payout_iban(app, merchant, as_twin::<IbanPayoutRequest>(&request)?)?;
    let mut gateway: G2gIbanPayoutResponse = as_twin(&answer)?;
    gateway.extra = Params::new();
    Ok(gateway.datetime(now()))
}

/// `g2g/payout_status2`: the payout named by its id and its order id, as
/// `api/v2/payment_status` reports it, with its amount.
pub(crate) fn status(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gPayoutStatusRequest,
) -> Result<G2gPayoutStatusResponse, Failure> {
    let twin = PayoutStatusV2Request::new(request.order_id.trim()).payment_id(request.payment_id);
    let answer = payout::payout_status_v2(app, merchant, twin)?;
    let amount = app
        .store
        .payout(answer.payment_id)
        .map(|p| p.amount)
        .ok_or_else(|| Failure::new(ErrorCode::PaymentNotFound, "payout not found"))?;
    let payment_status = match answer.payment_status {
        PayoutPaymentStatus::Success => G2gPaymentState::Success,
        PayoutPaymentStatus::Error => G2gPaymentState::Error,
        PayoutPaymentStatus::Process => G2gPaymentState::Process,
        PayoutPaymentStatus::Unknown(other) => G2gPaymentState::Unknown(other),
    };
    Ok(
        G2gPayoutStatusResponse::new(G2gPayoutStatusResponseRequired {
            payment_id: answer.payment_id,
            payment_status,
            status: answer.status,
            order_id: answer.order_id,
            amount,
        })
        .merchant_id(answer.merchant_id)
        .datetime(now()),
    )
}
