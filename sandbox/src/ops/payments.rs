//! Payments through the page: creation (init_payment, g2g/payment_page,
//! mobile init, payment.php), status, cancel, clearing and refunds.

use std::str::FromStr;
use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::errors::ErrorCode;
use freedompay::merchant::mobile_balance::{
    MobileBalanceRefundPayment, MobileBalanceStatusResponse,
};
use freedompay::merchant::payments::{
    CancelRequest, CancelResponse, ClearingRequest, ClearingResponse, PaymentStatusResponse,
    RecurringPaymentRequest, RecurringPaymentResponse, RefundPayment, RefundRequest,
    RefundResponse,
};
use freedompay::test_data::{Availability, CardUse, Outcome as CardOutcome, TEST_CARDS, TestCard};
use freedompay::{Amount, Params};
use rust_decimal::Decimal;

use super::{App, Event, Failure, Page, idempotency, invalid, merchant_params, text};
use crate::merchant::Merchant;
use crate::store::{
    AmountRange, Method, Payment, PaymentState, RecurringProfile, Refund, Store, StoreError, Urls,
};
use crate::values::{currency, mask, now};

/// Creates a payment from the parameters of a payment-creating request
/// (`init_payment`, `payment_page`, `mobile_balance_init`, `payment_redirect`,
/// `any_amount`: they share their wire names), returning it with the URL of
/// its payment page.
pub(crate) fn create_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
    any_amount: bool,
) -> Result<(Payment, String), Failure> {
    // With any_amount the payer chooses the amount on the page; a `pg_amount`
    // sent anyway is offered there as the suggestion.
    let amount = match text(params, "pg_amount") {
        Some(text) => Amount::from_str(text).map_err(|e| invalid(format!("pg_amount: {e}")))?,
        None if any_amount => Amount::from_minor(0),
        None => return Err(invalid("pg_amount: required")),
    };
    let description = match text(params, "pg_description") {
        Some(text) => text.to_owned(),
        None if any_amount => String::new(),
        None => return Err(invalid("pg_description: required")),
    };
    let amount_range = if any_amount {
        Some(amount_range(params)?)
    } else {
        None
    };
    let id = app.store.next_id();
    let mobile = text(params, "pg_payment_method") == Some("mobile_commerce");
    let method = if mobile {
        Method::MobileBalance
    } else {
        Method::Card
    };
    let order_id = text(params, "pg_order_id").map_or_else(|| id.to_string(), str::to_owned);
    let payment = Payment {
        amount_range,
        currency: text(params, "pg_currency").unwrap_or("KZT").to_owned(),
        auto_clearing: text(params, "pg_auto_clearing") != Some("0"),
        testing: text(params, "pg_testing_mode") == Some("1"),
        urls: Urls {
            check: text(params, "pg_check_url").map(str::to_owned),
            result: text(params, "pg_result_url").map(str::to_owned),
            success: text(params, "pg_success_url").map(str::to_owned),
            failure: text(params, "pg_failure_url").map(str::to_owned),
            request_method: text(params, "pg_request_method").map(str::to_owned),
            success_method: text(params, "pg_success_url_method").map(str::to_owned),
            failure_method: text(params, "pg_failure_url_method").map(str::to_owned),
        },
        merchant_params: merchant_params(params),
        phone: text(params, "pg_user_phone").map(str::to_owned),
        ..Payment::new(id, &merchant.id, order_id, amount, description, method)
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    ask_for_recurring_profile(app, &payment, params)?;
    tracing::info!(payment_id = payment.id, merchant = %merchant.id, amount = %payment.amount, "payment created");
    let page = app.page_url(Page::Payment, payment.id);
    Ok((payment, page))
}

/// The bounds of an any-amount payment: `pg_amount_interval_from` (0.01 when
/// not given) to `pg_amount_interval_to` (open when not given).
fn amount_range(params: &Params) -> Result<AmountRange, Failure> {
    let bound = |name: &str| {
        text(params, name)
            .map(|t| {
                t.parse::<Decimal>()
                    .map_err(|e| invalid(format!("{name}: {e}")))
            })
            .transpose()
    };
    let from = bound("pg_amount_interval_from")?.unwrap_or(Decimal::new(1, 2));
    let to = bound("pg_amount_interval_to")?;
    if from <= Decimal::ZERO {
        return Err(invalid("pg_amount_interval_from: must be more than 0"));
    }
    if to.is_some_and(|to| to < from) {
        return Err(invalid(
            "pg_amount_interval_to: must not be less than pg_amount_interval_from",
        ));
    }
    Ok(AmountRange { from, to })
}

/// The `get_status3.php` answer of payment `$payment_id` of `$merchant`,
/// built as `$answer` with refund items of `$refund`, or 11068: the
/// payment-status and the mobile-balance status responses have the same
/// fields, so both are built straight from the stored payment (read where it
/// is stored, not copied) rather than one converted into the other.
macro_rules! status_answer {
    ($app:expr, $merchant:expr, $payment_id:expr, $answer:ident, $refund:ident) => {
        $app.store
            .read_payment(&$merchant.id, $payment_id, |payment| {
                status_answer!(payment, $answer, $refund)
            })
            .ok_or_else(not_found)
    };
    ($payment:expr, $answer:ident, $refund:ident) => {{
        let payment: &Payment = $payment;
        let mut answer = $answer::new(
            ResponseStatus::Ok,
            payment.id,
            currency(&payment.currency),
            payment.amount,
        )
        .order_id(payment.order_id.clone())
        .payment_status(payment.state.wire().parse().unwrap_or_else(|_| {
            freedompay::enums::PaymentState::Unknown(payment.state.wire().to_owned())
        }))
        .captured(payment.captured.as_decimal() > Decimal::ZERO)
        .clearing_amount(payment.captured)
        .can_reject(matches!(
            payment.state,
            PaymentState::Paid | PaymentState::Held
        ))
        .create_date(payment.created_at.clone());
        if let Some(paid_at) = &payment.paid_at {
            answer = answer.payment_date(paid_at.clone());
        }
        if let Some(pan) = &payment.card_pan {
            answer = answer.card_pan(pan.clone());
        }
        if let PaymentState::Failed { code, description } = &payment.state {
            answer = answer
                .failure_code(*code)
                .failure_description(description.clone());
        }
        if !payment.refunds.is_empty() {
            answer = answer.refund_amount(-payment.refunded()).refund_payments(
                payment
                    .refunds
                    .iter()
                    .map(|r| {
                        $refund::new()
                            .payment_id(r.id)
                            .payment_status(freedompay::enums::PaymentState::Success)
                            .amount(-r.amount.as_decimal())
                    })
                    .collect(),
            );
        }
        answer
    }};
}

/// The state of payment `payment_id` (`get_status3.php`).
pub(super) fn status(
    app: &Arc<App>,
    merchant: &Merchant,
    payment_id: i64,
) -> Result<PaymentStatusResponse, Failure> {
    status_answer!(
        app,
        merchant,
        payment_id,
        PaymentStatusResponse,
        RefundPayment
    )
}

/// The state of payment `payment_id` as the mobile-balance section
/// documents `get_status3.php`: the same answer as [`status`].
pub(super) fn mobile_status(
    app: &Arc<App>,
    merchant: &Merchant,
    payment_id: i64,
) -> Result<MobileBalanceStatusResponse, Failure> {
    status_answer!(
        app,
        merchant,
        payment_id,
        MobileBalanceStatusResponse,
        MobileBalanceRefundPayment
    )
}

/// A payment of the merchant, or 11068.
pub(super) fn find(app: &App, merchant: &Merchant, payment_id: i64) -> Result<Payment, Failure> {
    app.store
        .payment(&merchant.id, payment_id)
        .ok_or_else(not_found)
}

/// The refusal of a payment the merchant does not have: 11068.
fn not_found() -> Failure {
    Failure::new(ErrorCode::PaymentNotFound, "payment not found")
}

/// Cancels (reverses) a held payment, for `cancel.php` and `g2g/cancel`
/// alike: only a held payment whose card allows a reversal; a cancelled one
/// answers 10033, a cleared one 10012, any other 9013. The payment is
/// returned with its reversal's id.
pub(super) fn cancel_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    payment_id: i64,
) -> Result<Payment, Failure> {
    let revoke_id = app.store.next_id();
    let (payment, ()) = app
        .store
        .update_payment(Some(&merchant.id), payment_id, |p| match &p.state {
            PaymentState::Held => {
                card_allows(p, |c| c.reverse, ErrorCode::CancelNotPossible, "reversal")?;
                p.state = PaymentState::Cancelled;
                p.revoke_id = Some(revoke_id);
                Ok(())
            }
            PaymentState::Cancelled => Err(Failure::new(
                ErrorCode::AlreadyCancelled,
                "the payment is already cancelled",
            )),
            PaymentState::Paid => Err(Failure::new(
                ErrorCode::CancelNotPossible,
                "a cleared payment cannot be cancelled; refund it instead",
            )),
            _ => Err(Failure::new(
                ErrorCode::CancelOfUnsuccessfulPayment,
                "only a successful, held payment can be cancelled",
            )),
        })?;
    tracing::info!(payment_id = payment.id, "payment cancelled");
    Ok(payment)
}

pub(super) fn cancel(
    app: &Arc<App>,
    merchant: &Merchant,
    request: CancelRequest,
) -> Result<CancelResponse, Failure> {
    let payment = cancel_payment(app, merchant, request.payment_id)?;
    Ok(CancelResponse::new(ResponseStatus::Ok).payment_id(payment.id))
}

/// Clears (debits) a held payment, for `clearing.php` and `g2g/clearing`
/// alike: `amount` (the whole authorised amount when `None`, never more) of
/// a held payment whose card allows clearing; a cleared one answers 10036,
/// any other 10035. The payment is returned with the cleared amount.
pub(super) fn clear_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    payment_id: i64,
    amount: Option<Amount>,
) -> Result<(Payment, Amount), Failure> {
    let (payment, cleared) =
        app.store
            .update_payment(Some(&merchant.id), payment_id, |p| match &p.state {
                PaymentState::Held => {
                    card_allows(
                        p,
                        |c| c.clearing,
                        ErrorCode::PaymentErrorContactIssuer,
                        "clearing",
                    )?;
                    let cleared = amount.unwrap_or(p.amount);
                    if cleared.as_decimal() > p.amount.as_decimal() {
                        return Err(Failure::new(
                            ErrorCode::InvalidAmount,
                            format!("the clearing amount exceeds the authorised {}", p.amount),
                        ));
                    }
                    p.captured = cleared;
                    p.state = PaymentState::Paid;
                    Ok(cleared)
                }
                PaymentState::Paid => Err(Failure::new(
                    ErrorCode::AlreadyCleared,
                    "the payment is already cleared",
                )),
                _ => Err(Failure::new(
                    ErrorCode::ClearingOfUnsuccessfulPayment,
                    "only a successful, held payment can be cleared",
                )),
            })?;
    tracing::info!(payment_id = payment.id, %cleared, "payment cleared");
    Ok((payment, cleared))
}

pub(super) fn clearing(
    app: &Arc<App>,
    merchant: &Merchant,
    request: ClearingRequest,
) -> Result<ClearingResponse, Failure> {
    let (payment, cleared) =
        clear_payment(app, merchant, request.payment_id, request.clearing_amount)?;
    Ok(ClearingResponse::new(ResponseStatus::Ok)
        .amount(payment.amount)
        .clearing_amount(cleared))
}

/// Refunds a paid (cleared) payment, for `revoke.php` and `g2g/refund`
/// alike: `amount` (what is left to refund when `None`, never more) of a
/// payment whose card allows refunds; a held one answers 10034, one refunded
/// in full or a refund past what is left 10020, any other 9013. The payment
/// is returned with the new refund.
pub(super) fn refund_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    payment_id: i64,
    amount: Option<Amount>,
) -> Result<(Payment, Refund), Failure> {
    let refund_id = app.store.next_id();
    let (payment, refund) =
        app.store
            .update_payment(Some(&merchant.id), payment_id, |p| match &p.state {
                PaymentState::Paid => {
                    card_allows(
                        p,
                        |c| c.refund,
                        ErrorCode::PaymentErrorContactIssuer,
                        "refund",
                    )?;
                    let left = p.captured.as_decimal() - p.refunded();
                    if left <= Decimal::ZERO {
                        return Err(Failure::new(
                            ErrorCode::RefundExceedsPayment,
                            "the payment is already refunded in full",
                        ));
                    }
                    let wanted = amount.map_or(left, |a| a.as_decimal());
                    if wanted > left {
                        return Err(Failure::new(
                            ErrorCode::RefundExceedsPayment,
                            format!(
                                "the refund exceeds what is left to refund ({})",
                                super::amount(left)
                            ),
                        ));
                    }
                    let refund = Refund {
                        id: refund_id,
                        amount: super::amount(wanted),
                    };
                    p.refunds.push(refund.clone());
                    Ok(refund)
                }
                PaymentState::Held => Err(Failure::new(
                    ErrorCode::RefundRequiresClearing,
                    "the payment must be cleared before a refund; cancel it instead",
                )),
                _ => Err(Failure::new(
                    ErrorCode::CancelOfUnsuccessfulPayment,
                    "only a successful payment can be refunded",
                )),
            })?;
    tracing::info!(payment_id = payment.id, refunded = %refund.amount, "payment refunded");
    Ok((payment, refund))
}

pub(super) fn refund(
    app: &Arc<App>,
    merchant: &Merchant,
    request: RefundRequest,
) -> Result<RefundResponse, Failure> {
    let (payment, _) = refund_payment(app, merchant, request.payment_id, request.refund_amount)?;
    Ok(RefundResponse::new(ResponseStatus::Ok).payment_id(payment.id))
}

/// Refuses `operation` with `code` when the documented test card the payment
/// was paid with does not allow it (its clearing, reverse or refund mark is
/// not "available"). Payments without a test card (mobile balance) allow all.
fn card_allows(
    payment: &Payment,
    mark: impl Fn(&TestCard) -> Option<Availability>,
    code: ErrorCode,
    operation: &str,
) -> Result<(), Failure> {
    let card = payment
        .card_pan
        .as_deref()
        .and_then(|pan| TEST_CARDS.iter().find(|c| mask(c.number) == pan));
    match card.and_then(mark) {
        None | Some(Availability::Available) => Ok(()),
        Some(_) => Err(Failure::new(
            code,
            format!(
                "the issuer of test card {} does not allow {operation}",
                mask(card.map_or("", |c| c.number))
            ),
        )),
    }
}

/// What the issuer of a card does with a payment, by the documented test
/// cards: the payment page and the Gateway's card payments alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Issuer {
    /// Approves it at once.
    Approves,
    /// Asks the payer for 3-D Secure first, then approves it.
    AsksForThreeDs,
    /// Declines it with this refusal: 10001 for a declining test card,
    /// 99999 for a card that is not a purchase test card.
    Declines(Failure),
}

/// How the issuer of card `number` (its digits) decides a payment.
pub(crate) fn issuer_of(number: &str) -> Issuer {
    let card = TestCard::find(number).filter(|c| c.usage == CardUse::Purchase);
    match card.map(|c| (c.outcome, c.three_ds)) {
        Some((CardOutcome::Success | CardOutcome::PendingThenSuccess, three_ds)) => {
            if three_ds == Some(Availability::Available) {
                Issuer::AsksForThreeDs
            } else {
                Issuer::Approves
            }
        }
        Some(_) => Issuer::Declines(Failure::new(
            ErrorCode::PaymentErrorContactIssuer,
            "the issuing bank declined the payment",
        )),
        None => Issuer::Declines(Failure::new(
            ErrorCode::UnknownPaymentSystemError,
            "unknown card: use a documented test card",
        )),
    }
}

/// Wrong 3-D Secure passwords the issuer allows before the payer fails.
pub(crate) const THREE_DS_ATTEMPTS: u32 = 3;

/// The refusal of a payment whose payer failed 3-D Secure (10004).
pub(crate) fn three_ds_refused() -> Failure {
    Failure::new(
        ErrorCode::ThreeDsNotEnteredOrWrong,
        "the 3-D Secure password was entered wrongly",
    )
}

/// Puts a new payment on hold for 3-D Secure, paid with the card whose
/// masked number is `card_mask`, for `amount` (what the payer chose on an
/// any-amount page). A payment that is no longer new is left as it is.
pub(crate) fn await_three_ds(
    app: &App,
    payment_id: i64,
    card_mask: &str,
    amount: Amount,
) -> Result<Payment, StoreError> {
    let (payment, ()) =
        app.store
            .update_payment(None, payment_id, |p| -> Result<(), StoreError> {
                if p.state != PaymentState::New {
                    return Ok(());
                }
                p.amount = amount;
                p.amount_range = None;
                p.card_pan = Some(card_mask.to_owned());
                p.state = PaymentState::AwaitingThreeDs { attempts: 0 };
                Ok(())
            })?;
    tracing::info!(payment_id = payment.id, "3-D Secure requested");
    Ok(payment)
}

/// Settles a new payment, or one waiting for 3-D Secure, paid with the card
/// whose masked number is `card_mask`, for `amount`: approved, it is paid
/// (held when `pg_auto_clearing` was 0); refused, it fails with the
/// refusal's code. The result callback is then due. Returns the payment and
/// whether it was settled now: one settled before is left as it was, and no
/// callback is due for it.
pub(crate) fn settle(
    app: &App,
    payment_id: i64,
    card_mask: &str,
    amount: Amount,
    decision: &Result<(), Failure>,
) -> Result<(Payment, bool), StoreError> {
    let (payment, settled) =
        app.store
            .update_payment(None, payment_id, |p| -> Result<bool, StoreError> {
                if !matches!(
                    p.state,
                    PaymentState::New | PaymentState::AwaitingThreeDs { .. }
                ) {
                    return Ok(false);
                }
                p.amount = amount;
                p.amount_range = None;
                p.card_pan = Some(card_mask.to_owned());
                p.paid_at = Some(now());
                match decision {
                    Ok(()) if p.auto_clearing => {
                        p.state = PaymentState::Paid;
                        p.captured = p.amount;
                    }
                    Ok(()) => p.state = PaymentState::Held,
                    Err(failure) => {
                        p.state = PaymentState::Failed {
                            code: failure.code.code(),
                            description: failure.description.clone(),
                        };
                    }
                }
                Ok(true)
            })?;
    if settled {
        tracing::info!(
            payment_id = payment.id,
            state = payment.state.wire(),
            "payment processed"
        );
        app.emit(Event::PaymentFinished(Box::new(payment.clone())));
    }
    Ok((payment, settled))
}

/// The authorisation code the sandbox's issuer gives payment `id`: six
/// digits, the same every time it is asked.
pub(crate) fn auth_code(id: i64) -> String {
    format!("{:06}", id.rem_euclid(1_000_000))
}

/// The reference number (RRN) the sandbox's bank gives payment `id`: twelve
/// digits, the same every time it is asked.
pub(crate) fn reference(id: i64) -> String {
    format!("{:012}", id.rem_euclid(1_000_000_000_000))
}

/// The lifetime of a recurring profile when `pg_recurring_lifetime` is not
/// sent: the longest the documentation allows (156 months, 13 years).
const RECURRING_LIFETIME_MONTHS: u32 = 156;

/// Records the recurring profile a card payment asks for with
/// `pg_recurring_start=1` (for `pg_recurring_lifetime` months, or
/// [`RECURRING_LIFETIME_MONTHS`]). The profile can be charged only once the
/// payment has succeeded; mobile-balance payments get none (there is no card
/// to charge again).
fn ask_for_recurring_profile(
    app: &Arc<App>,
    payment: &Payment,
    params: &Params,
) -> Result<(), Failure> {
    if payment.method != Method::Card || text(params, "pg_recurring_start") != Some("1") {
        return Ok(());
    }
    let lifetime_months = text(params, "pg_recurring_lifetime")
        .and_then(|t| t.parse().ok())
        .filter(|months| (1..=156).contains(months))
        .unwrap_or(RECURRING_LIFETIME_MONTHS);
    let profile = app.store.create_recurring_profile(RecurringProfile {
        id: app.store.next_id(),
        merchant_id: payment.merchant_id.clone(),
        payment_id: payment.id,
        lifetime_months,
    })?;
    tracing::info!(
        payment_id = payment.id,
        profile = profile.id,
        "recurring profile asked for"
    );
    Ok(())
}

/// Whether the payment went through (paid, held, or held and later cancelled).
fn succeeded(payment: &Payment) -> bool {
    payment.paid_at.is_some()
        && matches!(
            payment.state,
            PaymentState::Paid | PaymentState::Held | PaymentState::Cancelled
        )
}

/// An RFC 3339 time as the gateway writes dates (`2029-01-29 00:00:00`).
pub(super) fn gateway_time(stamp: &str) -> Option<String> {
    Some(format!("{} {}", stamp.get(0..10)?, stamp.get(11..19)?))
}

/// When the profile expires: its lifetime in months after the payment that
/// created it.
fn profile_expiry(origin: &Payment, profile: &RecurringProfile) -> Option<String> {
    add_months(origin.paid_at.as_deref()?, profile.lifetime_months)
}

/// `months` after an RFC 3339 time, as the gateway writes dates; the day is
/// kept, or the month's last day when the month is shorter.
fn add_months(stamp: &str, months: u32) -> Option<String> {
    let year: u32 = stamp.get(0..4)?.parse().ok()?;
    let month: u32 = stamp.get(5..7)?.parse().ok()?;
    let day: u32 = stamp.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let months = (year * 12 + (month - 1)).checked_add(months)?;
    let (year, month) = (months / 12, months % 12 + 1);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last_day = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let time = stamp.get(11..19)?;
    Some(format!(
        "{year:04}-{month:02}-{:02} {time}",
        day.min(last_day)
    ))
}

/// The recurring profile the result callback of `payment` reports, with its
/// expiry date as the gateway writes dates: the profile a successful payment
/// asked for, once it has a date.
pub(crate) fn reported_profile(store: &Store, payment: &Payment) -> Option<(i64, String)> {
    if !succeeded(payment) {
        return None;
    }
    let profile = store.recurring_profile_of(payment.id)?;
    let expiry = profile_expiry(payment, &profile)?;
    Some((profile.id, expiry))
}

/// `make_recurring_payment.php`: charges the card of a recurring profile
/// again, without the payer.
///
/// - The profile must be one of the merchant's, asked for by a payment that
///   succeeded; otherwise the request is refused with 340 (the transaction
///   does not exist).
/// - A profile whose lifetime has run out is refused with 365.
/// - The amount is `pg_amount`, or the original payment's; the currency is
///   the original's. The new payment is charged at once (no hold) and
///   follows the original card's test outcome (a declining card answers 10001).
/// - Its result goes to `pg_result_url`, or to the original payment's result
///   URL (the sandbox's stand-in for the shop setting), with the merchant
///   parameters of the request.
pub(super) fn recurring(
    app: &Arc<App>,
    merchant: &Merchant,
    request: RecurringPaymentRequest,
) -> Result<RecurringPaymentResponse, Failure> {
    let unknown = |why: &str| {
        Failure::new(
            ErrorCode::LegacyTransactionNotFound,
            format!(
                "recurring profile {}: {why}",
                request.recurring_profile.trim()
            ),
        )
    };
    let profile = request
        .recurring_profile
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| app.store.recurring_profile(&merchant.id, id))
        .ok_or_else(|| unknown("no such profile for this merchant"))?;
    let origin = app
        .store
        .payment(&merchant.id, profile.payment_id)
        .filter(succeeded)
        .ok_or_else(|| unknown("the payment that asked for it has not succeeded"))?;
    let expiry =
        profile_expiry(&origin, &profile).ok_or_else(|| unknown("the profile has no date"))?;
    if gateway_time(&now()).is_some_and(|now| now >= expiry) {
        return Err(Failure::new(
            ErrorCode::RecurringProfileExpired,
            format!("the recurring profile expired on {expiry}"),
        ));
    }
    let approved = origin.card_pan.as_deref().is_some_and(|pan| {
        TEST_CARDS.iter().any(|card| {
            mask(card.number) == pan
                && matches!(
                    card.outcome,
                    CardOutcome::Success | CardOutcome::PendingThenSuccess
                )
        })
    });
    let charged = request.amount.unwrap_or(origin.amount);
    let id = app.store.next_id();
    let declined = Failure::new(
        ErrorCode::PaymentErrorContactIssuer,
        "the issuing bank declined the payment",
    );
    let order_id = request.order_id.clone().unwrap_or_else(|| id.to_string());
    let payment = Payment {
        currency: origin.currency.clone(),
        testing: origin.testing,
        state: if approved {
            PaymentState::Paid
        } else {
            PaymentState::Failed {
                code: declined.code.code(),
                description: declined.description.clone(),
            }
        },
        captured: if approved {
            charged
        } else {
            Amount::from_minor(0)
        },
        urls: Urls {
            result: request.result_url.clone().or(origin.urls.result.clone()),
            request_method: origin.urls.request_method.clone(),
            ..Urls::default()
        },
        merchant_params: merchant_params(&request.extra),
        card_pan: origin.card_pan.clone(),
        paid_at: Some(now()),
        ..Payment::new(
            id,
            &merchant.id,
            order_id,
            charged,
            request.description.clone(),
            Method::Card,
        )
    };
    let payment = app.store.create_payment(payment, None)?;
    tracing::info!(
        payment_id = payment.id,
        profile = profile.id,
        approved,
        "recurring payment charged"
    );
    app.emit(Event::PaymentFinished(Box::new(payment.clone())));
    if !approved {
        return Err(declined);
    }
    Ok(RecurringPaymentResponse::new(ResponseStatus::Ok)
        .payment_id(payment.id)
        .amount(payment.amount)
        .currency(currency(&payment.currency))
        .recurring_profile(profile.id.to_string())
        .recurring_profile_expiry_date(expiry))
}

#[cfg(test)]
mod tests {
    use super::add_months;

    #[test]
    fn profile_lifetimes_count_calendar_months() {
        let cases = [
            ("2025-06-30T12:00:00Z", 156, Some("2038-06-30 12:00:00")),
            ("2025-11-15T08:30:05Z", 2, Some("2026-01-15 08:30:05")),
            ("2025-01-31T10:00:00Z", 1, Some("2025-02-28 10:00:00")),
            ("2024-01-31T10:00:00Z", 1, Some("2024-02-29 10:00:00")),
            ("2025-03-31T00:00:00Z", 1, Some("2025-04-30 00:00:00")),
            ("2025-13-01T00:00:00Z", 1, None),
            ("not a date", 1, None),
            ("2025-01-01T00:00:00Z", u32::MAX, None),
        ];
        for (stamp, months, expected) in cases {
            assert_eq!(
                add_months(stamp, months).as_deref(),
                expected,
                "{stamp} + {months}"
            );
        }
    }
}
