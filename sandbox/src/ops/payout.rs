//! Payouts against the merchant's payout balance, following the payout test
//! cards, and their status.

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::errors::ErrorCode;
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutResponse, PayoutBalanceRequest, PayoutBalanceResponse,
    PayoutPaymentStatus, PayoutStatusByOrderRequest, PayoutStatusByOrderResponse,
    PayoutStatusV2Request, PayoutStatusV2Response, PayoutTransactionStatus,
};
use freedompay::test_data::{CardUse, Outcome as CardOutcome, TestCard};
use freedompay::{Decode, Encode, Params};

use super::{Outcome, amount, invalid, mask, now};
use crate::store::{Failure, Payout, PayoutState};
use crate::{App, Merchant};

/// Runs `id` when it is an endpoint of this group.
pub(super) fn dispatch(
    app: &Arc<App>,
    merchant: &Merchant,
    id: &str,
    params: &Params,
) -> Option<Result<Outcome, Failure>> {
    Some(match id {
        "payout_card" => payout_card(app, merchant, params),
        "payout_balance" => payout_balance(app, merchant, params),
        "payout_status_by_order" => payout_status_by_order(app, merchant, params),
        "payout_status_v2" => payout_status_v2(app, merchant, params),
        _ => return None,
    })
}

fn payout_card(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardPayoutRequest::decode(params).map_err(invalid)?;
    let card = TestCard::find(&request.payment_to).filter(|c| c.usage == CardUse::Payout);
    let state = match card.map(|c| (c.outcome, c.error_code)) {
        // A card that is not a payout test card is paid out, as a real one would be.
        None | Some((CardOutcome::Success, _)) => PayoutState::Success,
        Some((CardOutcome::Declined, code)) => {
            let code = ErrorCode::from_code(code.unwrap_or(10000));
            return Err(Failure::new(
                code,
                code.description().unwrap_or("payout declined").to_owned(),
            ));
        }
        Some((CardOutcome::PendingThenSuccess, _)) => PayoutState::Pending {
            then: Box::new(PayoutState::Success),
        },
        Some((CardOutcome::PendingThenDeclined, code)) => PayoutState::Pending {
            then: Box::new(PayoutState::Failed {
                code: code.unwrap_or(10000),
            }),
        },
    };
    let payout = Payout {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.clone(),
        amount: request.amount,
        card_hash: mask(&request.payment_to),
        state,
        post_link: Some(request.post_link.clone()),
        created_at: now(),
    };
    let (payout, balance) = app.store.create_payout(payout)?;
    tracing::info!(payout_id = payout.id, amount = %payout.amount, card = %payout.card_hash, "payout made");
    crate::page::spawn_payout_notify(app.clone(), payout.id);
    let merchant_id: i64 = merchant.id.parse().unwrap_or_default();
    Ok(Outcome::Xml(
        CardPayoutResponse::new(
            payout.id,
            merchant_id,
            payout.order_id.clone(),
            ResponseStatus::Ok,
            amount(balance),
            payout.amount,
            payout.id.to_string(),
            payout.created_at.clone(),
        )
        .to_params(),
    ))
}

fn payout_balance(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
) -> Result<Outcome, Failure> {
    let request = PayoutBalanceRequest::decode(params).map_err(invalid)?;
    Ok(Outcome::Xml(
        PayoutBalanceResponse::new(
            amount(app.store.balance(&merchant.id)),
            ResponseStatus::Ok,
            request.currency,
        )
        .to_params(),
    ))
}

fn payout_not_found() -> Failure {
    Failure::new(ErrorCode::from_code(11068), "payout not found")
}

fn payout_status_by_order(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
) -> Result<Outcome, Failure> {
    let request = PayoutStatusByOrderRequest::decode(params).map_err(invalid)?;
    let payout = app
        .store
        .payout_by_order(&merchant.id, &request.order_id)
        .ok_or_else(payout_not_found)?;
    let status = match payout.state {
        PayoutState::Pending { .. } => PayoutTransactionStatus::Pending,
        PayoutState::Success => PayoutTransactionStatus::Ok,
        PayoutState::Failed { .. } => PayoutTransactionStatus::Failed,
    };
    Ok(Outcome::Xml(
        PayoutStatusByOrderResponse::new(ResponseStatus::Ok, payout.id, status, false, false)
            .create_date(payout.created_at.clone())
            .to_params(),
    ))
}

fn payout_status_v2(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
) -> Result<Outcome, Failure> {
    let request = PayoutStatusV2Request::decode(params).map_err(invalid)?;
    let payout = match request.payment_id {
        Some(id) => app
            .store
            .payout(id)
            .filter(|p| p.merchant_id == merchant.id && p.order_id == request.order_id),
        None => app.store.payout_by_order(&merchant.id, &request.order_id),
    }
    .ok_or_else(payout_not_found)?;
    let status = match payout.state {
        PayoutState::Pending { .. } => PayoutPaymentStatus::Process,
        PayoutState::Success => PayoutPaymentStatus::Success,
        PayoutState::Failed { .. } => PayoutPaymentStatus::Error,
    };
    Ok(Outcome::Xml(
        PayoutStatusV2Response::new(
            payout.id,
            merchant.id.parse().unwrap_or_default(),
            ResponseStatus::Ok,
            status,
            payout.order_id.clone(),
        )
        .to_params(),
    ))
}
