//! Payouts against the merchant's payout balance, and their status.
//!
//! Rules the sandbox follows:
//!
//! - Every payout draws on the merchant's payout balance: `8888` when the
//!   balance is lower than the amount. `pg_post_link` gets the payout
//!   notification, signed with the payout key, once the payout is final.
//! - A card payout (`g2g/p2p2nonreg`), a token payout (`api/reg2reg`) and the
//!   payout page (`api/reg2nonreg`) end as the payout test cards say:
//!   success; declined with the card's code (nothing debited); pending, then
//!   success or declined (the amount comes back). A card that is not a payout
//!   test card is paid out.
//! - IBAN payouts (`api/to_iban`) have no test accounts: an IBAN whose ISO
//!   13616 check digits are right (mod 97), 20 characters for a `KZ` one, is
//!   paid out at once; any other IBAN is refused with `200` naming
//!   `pg_recipient_iban` (the documentation's example `KZ123412341234123412`
//!   fails the check; `KZ86125KZT5004100100` passes). The sandbox also needs
//!   `pg_amount` and `pg_order_id` (`200` without them); `pg_post_link` is
//!   notified when given.
//! - Token payouts go to a card saved with `cardstorage/add2` for the same
//!   `pg_user_id` (`10032` for any other token, including cards saved for
//!   payments with `cardstorage/add`); the saved test card decides the outcome.
//!   Cards saved for payouts are listed and removed by `cardstorage/list` and
//!   `cardstorage/remove` with the user's other cards, and cannot be charged
//!   (`card/init` answers `10032`).
//! - `pg_order_time_limit` is read as UTC: a token payout or a payout page
//!   whose limit has passed is refused with `200`; a payout page not completed
//!   by then fails with `10018` (payment lifetime expired) and is notified.
//! - The payout page registers the payout without debiting it; the payee types
//!   a card on `pg_redirect_url`, the payout is then made (or fails with
//!   `8888` when the balance has dropped meanwhile).
//! - `api/payment_status` (v1) names the payout by `pg_order_id` and answers
//!   the payout's state in `pg_status`, with the values of the predecessor's
//!   SDK for look-ups by order id: `partial` (waiting for the payee),
//!   `pending`, `ok`, `failed`. Unknown order ids answer `11068`.

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::errors::ErrorCode;
use freedompay::merchant::card_storage::{PayoutCardAddRequest, PayoutCardAddResponse};
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutResponse, CardPayoutResponseRequired, IbanPayoutRequest,
    IbanPayoutResponse, PayoutBalanceRequest, PayoutBalanceResponse, PayoutPageRequest,
    PayoutPageResponse, PayoutPaymentStatus, PayoutStatusByOrderRequest,
    PayoutStatusByOrderResponse, PayoutStatusByOrderResponseRequired, PayoutStatusRequest,
    PayoutStatusResponse, PayoutStatusV2Request, PayoutStatusV2Response,
    PayoutStatusV2ResponseRequired, PayoutTransactionStatus, TokenPayoutRequest,
    TokenPayoutResponse,
};
use freedompay::test_data::{CardUse, Outcome as CardOutcome, TestCard};
use rust_decimal::Decimal;

use super::{App, Event, Failure, Page, amount, invalid};
use crate::merchant::Merchant;
use crate::store::{Payout, PayoutCardSession, PayoutDestination, PayoutState};
use crate::values::{mask, now};

/// How a payout to `number` ends, by the payout test cards: the state it is
/// made in, or the documented code it is declined with. A card that is not a
/// payout test card is paid out, as a real one would be.
pub(crate) fn card_decision(number: &str) -> Result<PayoutState, i64> {
    let card = TestCard::find(number).filter(|c| c.usage == CardUse::Payout);
    match card.map(|c| (c.outcome, c.error_code)) {
        None | Some((CardOutcome::Success, _)) => Ok(PayoutState::Success),
        Some((CardOutcome::Declined, code)) => {
            Err(code.unwrap_or_else(|| ErrorCode::PaymentErrorRetryLater.code()))
        }
        Some((CardOutcome::PendingThenSuccess, _)) => Ok(PayoutState::Pending {
            then: Box::new(PayoutState::Success),
        }),
        Some((CardOutcome::PendingThenDeclined, code)) => Ok(PayoutState::Pending {
            then: Box::new(PayoutState::Failed {
                code: code.unwrap_or_else(|| ErrorCode::PaymentErrorRetryLater.code()),
            }),
        }),
    }
}

/// The state a payout of the payout page takes when the payee typed a card
/// that `decision` (see [`card_decision`]) is for, told whether the balance
/// still covers the payout: `8888` when it no longer does.
fn page_payout_state(decision: Result<PayoutState, i64>, covered: bool) -> PayoutState {
    match decision {
        Ok(_) if !covered => PayoutState::Failed {
            code: ErrorCode::InsufficientPayoutBalance.code(),
        },
        Ok(made) => made,
        Err(code) => PayoutState::Failed { code },
    }
}

/// Makes payout `id` of the payout page to the card `number` the payee
/// typed, as the payout test cards say (see [`page_payout_state`]), and
/// notifies its `pg_post_link` once it is final. Fails when there is no such
/// payout or it was made (or expired) meanwhile.
pub(crate) fn pay_to_typed_card(app: &Arc<App>, id: i64, number: &str) -> Result<Payout, Failure> {
    let decision = card_decision(number);
    let (payout, _) = app
        .store
        .make_registered_payout(id, mask(number), |covered| {
            page_payout_state(decision, covered)
        })?;
    app.emit(Event::PayoutMade(payout.id));
    Ok(payout)
}

/// The failure a declined payout answers with.
pub(crate) fn declined(code: i64) -> Failure {
    let code = ErrorCode::from_code(code);
    Failure::new(
        code,
        code.description().unwrap_or("payout declined").to_owned(),
    )
}

/// Makes a payout in `state` against the balance (`8888` when too low) and
/// notifies its `pg_post_link` once it is final. Returns it with the balance after.
fn make_payout(app: &Arc<App>, payout: Payout) -> Result<(Payout, Decimal), Failure> {
    let (payout, balance) = app.store.create_payout(payout)?;
    tracing::info!(payout_id = payout.id, amount = %payout.amount, to = %payout.card_hash, "payout made");
    app.emit(Event::PayoutMade(payout.id));
    Ok((payout, balance))
}

pub(super) fn payout_card(
    app: &Arc<App>,
    merchant: &Merchant,
    request: CardPayoutRequest,
) -> Result<CardPayoutResponse, Failure> {
    let state = card_decision(request.payment_to.expose()).map_err(declined)?;
    let (payout, balance) = make_payout(
        app,
        Payout {
            id: app.store.next_id(),
            merchant_id: merchant.id.clone(),
            order_id: request.order_id.clone(),
            amount: request.amount,
            card_hash: mask(request.payment_to.expose()),
            state,
            post_link: Some(request.post_link.clone()),
            created_at: now(),
            destination: PayoutDestination::Card,
        },
    )?;
    Ok(CardPayoutResponse::new(CardPayoutResponseRequired {
        payment_id: payout.id,
        merchant_id: merchant.number(),
        order_id: payout.order_id.clone(),
        status: ResponseStatus::Ok,
        balance: amount(balance),
        payment_amount: payout.amount,
        reference: payout.id.to_string(),
        payment_date: payout.created_at.clone(),
    }))
}

pub(super) fn payout_balance(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutBalanceRequest,
) -> Result<PayoutBalanceResponse, Failure> {
    Ok(PayoutBalanceResponse::new(
        amount(app.store.balance(&merchant.id)),
        ResponseStatus::Ok,
        request.currency,
    ))
}

fn payout_not_found() -> Failure {
    Failure::new(ErrorCode::PaymentNotFound, "payout not found")
}

pub(super) fn payout_status_by_order(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutStatusByOrderRequest,
) -> Result<PayoutStatusByOrderResponse, Failure> {
    let payout = app
        .store
        .payout_by_order(&merchant.id, &request.order_id)
        .ok_or_else(payout_not_found)?;
    let payout = expire_if_due(app, payout);
    let status = match payout.state {
        PayoutState::AwaitingPayee => PayoutTransactionStatus::Partial,
        PayoutState::Pending { .. } => PayoutTransactionStatus::Pending,
        PayoutState::Success => PayoutTransactionStatus::Ok,
        PayoutState::Failed { .. } => PayoutTransactionStatus::Failed,
    };
    Ok(
        PayoutStatusByOrderResponse::new(PayoutStatusByOrderResponseRequired {
            status: ResponseStatus::Ok,
            payment_id: payout.id,
            transaction_status: status,
            can_reject: false,
            captured: false,
        })
        .create_date(payout.created_at.clone()),
    )
}

pub(super) fn payout_status_v2(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutStatusV2Request,
) -> Result<PayoutStatusV2Response, Failure> {
    let payout = match request.payment_id {
        Some(id) => app
            .store
            .payout(id)
            .filter(|p| p.merchant_id == merchant.id && p.order_id == request.order_id),
        None => app.store.payout_by_order(&merchant.id, &request.order_id),
    }
    .ok_or_else(payout_not_found)?;
    let payout = expire_if_due(app, payout);
    let status = match payout.state {
        PayoutState::AwaitingPayee | PayoutState::Pending { .. } => PayoutPaymentStatus::Process,
        PayoutState::Success => PayoutPaymentStatus::Success,
        PayoutState::Failed { .. } => PayoutPaymentStatus::Error,
    };
    Ok(PayoutStatusV2Response::new(
        PayoutStatusV2ResponseRequired {
            payment_id: payout.id,
            merchant_id: merchant.number(),
            status: ResponseStatus::Ok,
            payment_status: status,
            order_id: payout.order_id.clone(),
        },
    ))
}

/// The IBAN without spaces, in capitals.
fn normalize_iban(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks an IBAN (normalised): country code, check digits, length (20 for
/// `KZ`), and the ISO 13616 mod-97 check.
pub(crate) fn check_iban(iban: &str) -> Result<(), &'static str> {
    if !(15..=34).contains(&iban.len()) || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("an IBAN is 15 to 34 letters and digits");
    }
    // All ASCII (checked above), so splitting at byte 4 and 2 splits characters.
    let Some((head, account)) = iban.split_at_checked(4) else {
        return Err("an IBAN is 15 to 34 letters and digits");
    };
    let Some((country, check)) = head.split_at_checked(2) else {
        return Err("an IBAN is 15 to 34 letters and digits");
    };
    if !country.bytes().all(|b| b.is_ascii_uppercase())
        || !check.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("an IBAN starts with a country code and two check digits");
    }
    if iban.starts_with("KZ") && iban.len() != 20 {
        return Err("a Kazakh IBAN has 20 characters");
    }
    let mut remainder = 0u32;
    for c in account.chars().chain(head.chars()) {
        let value = c.to_digit(36).ok_or("an IBAN is letters and digits")?;
        let scale = if value < 10 { 10 } else { 100 };
        remainder = (remainder * scale + value) % 97;
    }
    if remainder != 1 {
        return Err("the check digits do not match the account (ISO 13616 mod 97)");
    }
    Ok(())
}

/// An IBAN as logs and the store show it: country, check digits and the last four.
fn mask_iban(iban: &str) -> String {
    let hidden = iban.len().saturating_sub(8);
    format!(
        "{}{}{}",
        iban.get(..4).unwrap_or_default(),
        "*".repeat(hidden),
        iban.get(iban.len().saturating_sub(4)..).unwrap_or_default()
    )
}

fn required<T>(value: Option<T>, name: &str) -> Result<T, Failure> {
    value.ok_or_else(|| invalid(format!("{name} is required")))
}

pub(super) fn payout_iban(
    app: &Arc<App>,
    merchant: &Merchant,
    request: IbanPayoutRequest,
) -> Result<IbanPayoutResponse, Failure> {
    let sum = required(request.amount, "pg_amount")?;
    let order_id = required(
        request.order_id.clone().filter(|o| !o.trim().is_empty()),
        "pg_order_id",
    )?;
    let iban = normalize_iban(&required(
        request.recipient_iban.clone(),
        "pg_recipient_iban",
    )?);
    check_iban(&iban).map_err(|why| invalid(format!("pg_recipient_iban: {why}")))?;
    let (payout, _) = make_payout(
        app,
        Payout {
            id: app.store.next_id(),
            merchant_id: merchant.id.clone(),
            order_id,
            amount: sum,
            card_hash: String::new(),
            state: PayoutState::Success,
            post_link: request.post_link.clone(),
            created_at: now(),
            destination: PayoutDestination::Iban {
                iban: mask_iban(&iban),
            },
        },
    )?;
    Ok(IbanPayoutResponse::new(payout.created_at.clone())
        .payment_id(payout.id)
        .merchant_id(merchant.number())
        .status(ResponseStatus::Ok)
        .order_id(payout.order_id.clone())
        .payment_amount(payout.amount))
}

/// Whether `pg_order_time_limit` (`YYYY-MM-DD HH:MM:SS`, read as UTC) has
/// passed; `200` when it is not a date and time.
pub(crate) fn deadline_passed(limit: &str) -> Result<bool, Failure> {
    let deadline = humantime::parse_rfc3339_weak(limit.trim())
        .map_err(|e| invalid(format!("pg_order_time_limit: {e}")))?;
    Ok(deadline < std::time::SystemTime::now())
}

fn refuse_passed(limit: &str) -> Result<(), Failure> {
    if deadline_passed(limit)? {
        return Err(invalid(format!(
            "pg_order_time_limit {limit} has already passed (read as UTC)"
        )));
    }
    Ok(())
}

pub(super) fn payout_token(
    app: &Arc<App>,
    merchant: &Merchant,
    request: TokenPayoutRequest,
) -> Result<TokenPayoutResponse, Failure> {
    refuse_passed(&request.order_time_limit)?;
    let card = app
        .store
        .payout_card(&merchant.id, &request.user_id, &request.card_token_to)
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::InvalidCardNumber,
                "no card saved for payouts with this token for this user",
            )
        })?;
    let state = card_decision(&card.test_card).map_err(declined)?;
    let (payout, balance) = make_payout(
        app,
        Payout {
            id: app.store.next_id(),
            merchant_id: merchant.id.clone(),
            order_id: request.order_id.clone(),
            amount: request.amount,
            card_hash: card.card_hash.clone(),
            state,
            post_link: Some(request.post_link.clone()),
            created_at: now(),
            destination: PayoutDestination::SavedCard {
                token: card.token.clone(),
            },
        },
    )?;
    Ok(TokenPayoutResponse::new()
        .payment_id(payout.id)
        .merchant_id(merchant.number())
        .status(ResponseStatus::Ok)
        .order_id(payout.order_id.clone())
        .balance(amount(balance))
        .card_hash(payout.card_hash.clone())
        .card_token(card.token)
        .payment_amount(payout.amount)
        .payment_date(payout.created_at.clone()))
}

pub(super) fn payout_page(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutPageRequest,
) -> Result<PayoutPageResponse, Failure> {
    refuse_passed(&request.order_time_limit)?;
    let payout = app.store.register_payout(Payout {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.clone(),
        amount: request.amount,
        card_hash: String::new(),
        state: PayoutState::AwaitingPayee,
        post_link: Some(request.post_link.clone()),
        created_at: now(),
        destination: PayoutDestination::PayeePage {
            description: request.description.clone(),
            order_time_limit: request.order_time_limit.clone(),
            back_link: request.back_link.clone(),
        },
    })?;
    tracing::info!(payout_id = payout.id, amount = %payout.amount, "payout page registered");
    Ok(PayoutPageResponse::new()
        .status(ResponseStatus::Ok)
        .payment_id(payout.id)
        .merchant_id(merchant.number())
        .redirect_url(app.page_url(Page::Payout, payout.id)))
}

/// A payout page payout whose `pg_order_time_limit` has passed before the
/// payee typed a card fails with `10018` (and is notified); any other payout
/// is returned as it is.
pub(crate) fn expire_if_due(app: &Arc<App>, payout: Payout) -> Payout {
    let PayoutDestination::PayeePage {
        order_time_limit, ..
    } = &payout.destination
    else {
        return payout;
    };
    if payout.state != PayoutState::AwaitingPayee
        || !deadline_passed(order_time_limit).unwrap_or(false)
    {
        return payout;
    }
    let expired = PayoutState::Failed {
        code: ErrorCode::PaymentExpired.code(),
    };
    match app
        .store
        .make_registered_payout(payout.id, String::new(), |_| expired)
    {
        Ok((expired, _)) => {
            tracing::info!(payout_id = expired.id, "payout page expired");
            app.emit(Event::PayoutMade(expired.id));
            expired
        }
        // Made or expired meanwhile: the store holds the current state.
        Err(_) => app.store.payout(payout.id).unwrap_or(payout),
    }
}

pub(super) fn payout_status(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutStatusRequest,
) -> Result<PayoutStatusResponse, Failure> {
    let payout = app
        .store
        .payout_by_order(&merchant.id, &request.order_id)
        .ok_or_else(payout_not_found)?;
    let status = match expire_if_due(app, payout).state {
        PayoutState::Success => ResponseStatus::Ok,
        PayoutState::AwaitingPayee => ResponseStatus::Unknown("partial".to_owned()),
        PayoutState::Pending { .. } => ResponseStatus::Unknown("pending".to_owned()),
        PayoutState::Failed { .. } => ResponseStatus::Unknown("failed".to_owned()),
    };
    Ok(PayoutStatusResponse::new().status(status))
}

pub(super) fn card_add_for_payout(
    app: &Arc<App>,
    merchant: &Merchant,
    request: PayoutCardAddRequest,
) -> Result<PayoutCardAddResponse, Failure> {
    let session = app.store.create_payout_card_session(PayoutCardSession {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        user_id: request.user_id.clone(),
        back_link: request.back_link.clone(),
        token: None,
    })?;
    tracing::info!(session = session.id, merchant = %merchant.id, "payout card session created");
    Ok(PayoutCardAddResponse::new(ResponseStatus::Ok)
        .payment_id(session.id)
        .merchant_id(merchant.number())
        .redirect_url(app.page_url(Page::PayoutCard, session.id)))
}

#[cfg(test)]
mod tests {
    use super::{card_decision, check_iban, mask_iban, normalize_iban, page_payout_state};
    use crate::store::PayoutState;

    #[test]
    fn a_page_payout_the_balance_no_longer_covers_fails_with_8888() {
        let made = Ok(PayoutState::Success);
        assert_eq!(page_payout_state(made.clone(), true), PayoutState::Success);
        assert_eq!(
            page_payout_state(made, false),
            PayoutState::Failed { code: 8888 }
        );
        // A declined card fails with its code, covered or not.
        assert_eq!(
            page_payout_state(Err(10001), false),
            PayoutState::Failed { code: 10001 }
        );
    }

    #[test]
    fn iban_check_digits_decide() {
        assert_eq!(check_iban("KZ86125KZT5004100100"), Ok(()));
        assert_eq!(check_iban("GB82WEST12345698765432"), Ok(()));
        assert!(
            check_iban("KZ123412341234123412").is_err(),
            "the documented example"
        );
        assert!(
            check_iban("KZ87125KZT5004100100").is_err(),
            "one check digit off"
        );
        assert!(check_iban("KZ86125KZT500410010").is_err(), "19 characters");
        assert!(check_iban("1Z86125KZT5004100100").is_err());
        assert!(check_iban("KZ86125KZT50041001ё0").is_err());
        assert!(check_iban("").is_err());
        assert_eq!(
            normalize_iban(" kz86 125k zt50 0410 0100 "),
            "KZ86125KZT5004100100"
        );
        assert_eq!(mask_iban("KZ86125KZT5004100100"), "KZ86************0100");
        assert_eq!(mask_iban("KZ"), "KZ");
    }

    #[test]
    fn payout_test_cards_decide() {
        assert_eq!(card_decision("4671593866478252"), Ok(PayoutState::Success));
        assert_eq!(card_decision("5543974702876045"), Err(8888));
        assert_eq!(
            card_decision("4532676596620704"),
            Ok(PayoutState::Pending {
                then: Box::new(PayoutState::Failed { code: 10001 })
            })
        );
        assert_eq!(card_decision("4000000000000002"), Ok(PayoutState::Success));
    }
}
