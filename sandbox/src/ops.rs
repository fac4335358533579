//! What each endpoint does to the sandbox's state, and its answer. Requests
//! arrive here checked (signature, generated validation); answers are built
//! with the generated response types, so they decode in the client exactly
//! as the gateway's do.

use std::str::FromStr;
use std::sync::Arc;

use freedompay::enums::CardStatus;
use freedompay::enums::{Currency, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::card_storage::{
    CardAddRequest, CardAddResponse, CardListRequest, CardListResponse, CardRemoveRequest,
    CardRemoveResponse, CardRemoveStatus, StoredCard,
};
use freedompay::merchant::mobile_balance::{
    MobileBalanceApproveRequest, MobileBalanceApproveResponse, MobileBalanceApproveStatus,
    MobileBalanceInitResponse, MobileBalancePayRequest, MobileBalancePayResponse,
    MobileBalancePayStatus,
};
use freedompay::merchant::page::{InitPaymentResponse, PaymentPageResponse};
use freedompay::merchant::payments::{
    CancelRequest, CancelResponse, ClearingRequest, ClearingResponse, PaymentStatusRequest,
    PaymentStatusResponse, RefundPayment, RefundRequest, RefundResponse,
};
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutResponse, PayoutBalanceRequest, PayoutBalanceResponse,
    PayoutPaymentStatus, PayoutStatusByOrderRequest, PayoutStatusByOrderResponse,
    PayoutStatusV2Request, PayoutStatusV2Response, PayoutTransactionStatus,
};
use freedompay::merchant::token::{
    TokenDirectRequest, TokenDirectResponse, TokenInitRequest, TokenInitResponse,
};
use freedompay::registry::EndpointInfo;
use freedompay::test_data::{CardUse, Outcome as CardOutcome, TEST_PHONES, TestCard};
use freedompay::{Amount, Decode, Encode, Params};
use rust_decimal::Decimal;

use crate::store::{
    CardSession, Failure, Method, Payment, PaymentState, Payout, PayoutState, Refund, SavedCard,
    Urls,
};
use crate::{App, Merchant};

/// What an operation answers.
pub enum Outcome {
    /// Parameters of a signed XML answer (salt and signature are added).
    Xml(Params),
    /// A browser redirect.
    Redirect(String),
}

fn invalid(error: impl std::fmt::Display) -> Failure {
    Failure::new(ErrorCode::from_code(200), error.to_string())
}

/// The current time as the gateway writes it.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn amount(value: Decimal) -> Amount {
    Amount::new(value.round_dp(2)).unwrap_or_else(|_| Amount::from_minor(0))
}

/// Runs the operation of `endpoint`.
pub fn dispatch(
    app: &Arc<App>,
    merchant: &Merchant,
    endpoint: &EndpointInfo,
    params: &Params,
) -> Result<Outcome, Failure> {
    match endpoint.id {
        "init_payment" | "payment_page" | "mobile_balance_init" | "payment_redirect" => {
            create_payment(app, merchant, endpoint.id, params)
        }
        "payments_status" | "mobile_balance_status" => status(app, merchant, params),
        "payments_cancel" => cancel(app, merchant, params),
        "payments_clearing" => clearing(app, merchant, params),
        "payments_refund" => refund(app, merchant, params),
        "mobile_balance_pay" => mobile_pay(app, merchant, params),
        "mobile_balance_approve" => mobile_approve(app, merchant, params),
        "payout_card" => payout_card(app, merchant, params),
        "payout_balance" => payout_balance(app, merchant, params),
        "payout_status_by_order" => payout_status_by_order(app, merchant, params),
        "payout_status_v2" => payout_status_v2(app, merchant, params),
        "card_storage_add" => card_add(app, merchant, params),
        "card_storage_list" => card_list(app, merchant, params),
        "card_storage_remove" => card_remove(app, merchant, params),
        "token_init" => token_init(app, merchant, params),
        "token_direct" => token_direct(app, merchant, params),
        other => Err(Failure::new(
            ErrorCode::from_code(9992),
            format!("`{other}` is accepted and checked, but not simulated by the sandbox"),
        )),
    }
}

fn text<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get_text(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn create_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    endpoint: &str,
    params: &Params,
) -> Result<Outcome, Failure> {
    let id = app.store.next_id();
    let amount_text = text(params, "pg_amount").ok_or_else(|| invalid("pg_amount: required"))?;
    let amount = Amount::from_str(amount_text).map_err(|e| invalid(format!("pg_amount: {e}")))?;
    let description = text(params, "pg_description")
        .ok_or_else(|| invalid("pg_description: required"))?
        .to_owned();
    let mobile = text(params, "pg_payment_method") == Some("mobile_commerce");
    let payment = Payment {
        id,
        merchant_id: merchant.id.clone(),
        order_id: text(params, "pg_order_id").map_or_else(|| id.to_string(), str::to_owned),
        amount,
        currency: text(params, "pg_currency").unwrap_or("KZT").to_owned(),
        description,
        method: if mobile {
            Method::MobileBalance
        } else {
            Method::Card
        },
        auto_clearing: text(params, "pg_auto_clearing") != Some("0"),
        testing: text(params, "pg_testing_mode") == Some("1"),
        state: PaymentState::New,
        captured: Amount::from_minor(0),
        refunds: Vec::new(),
        urls: Urls {
            check: text(params, "pg_check_url").map(str::to_owned),
            result: text(params, "pg_result_url").map(str::to_owned),
            success: text(params, "pg_success_url").map(str::to_owned),
            failure: text(params, "pg_failure_url").map(str::to_owned),
            request_method: text(params, "pg_request_method").map(str::to_owned),
            success_method: text(params, "pg_success_url_method").map(str::to_owned),
            failure_method: text(params, "pg_failure_url_method").map(str::to_owned),
        },
        merchant_params: params
            .iter()
            .filter(|(name, _)| !name.starts_with("pg_"))
            .filter_map(|(name, value)| Some((name.to_owned(), value.as_text()?.to_owned())))
            .collect(),
        phone: text(params, "pg_user_phone").map(str::to_owned),
        card_pan: None,
        created_at: now(),
        paid_at: None,
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    tracing::info!(payment_id = payment.id, merchant = %merchant.id, amount = %payment.amount, "payment created");
    let page = format!("{}/sandbox/pay/{}", app.base_url, payment.id);
    let answer = match endpoint {
        "payment_redirect" => return Ok(Outcome::Redirect(page)),
        "payment_page" => {
            PaymentPageResponse::new(payment.id, ResponseStatus::Ok, page, "need data").to_params()
        }
        "mobile_balance_init" => {
            MobileBalanceInitResponse::new(ResponseStatus::Ok, payment.id, page, "need data")
                .to_params()
        }
        _ => {
            InitPaymentResponse::new(ResponseStatus::Ok, payment.id, page, "need data").to_params()
        }
    };
    Ok(Outcome::Xml(answer))
}

/// A currency code as the generated open enum (unknown codes are kept).
pub fn currency(text: &str) -> Currency {
    text.parse().unwrap_or(Currency::Unknown(text.to_owned()))
}

/// `pg_idempotency_key` with the request's fingerprint: every parameter but
/// the salt and the signature, which change with each sending.
fn idempotency(params: &Params) -> Option<(String, String)> {
    let key = text(params, "pg_idempotency_key")?;
    let mut fingerprint = params.clone();
    fingerprint.remove("pg_salt");
    fingerprint.remove("pg_sig");
    Some((key.to_owned(), freedompay::form::encode(&fingerprint)))
}

fn status(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = PaymentStatusRequest::decode(params).map_err(invalid)?;
    let payment = app
        .store
        .payment(&merchant.id, request.payment_id)
        .ok_or_else(|| Failure::new(ErrorCode::from_code(11068), "payment not found"))?;
    let refunded = payment.refunded();
    let mut answer = PaymentStatusResponse::new(
        ResponseStatus::Ok,
        payment.id,
        payment.order_id.clone(),
        currency(&payment.currency),
        payment.amount,
    )
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
        answer = answer.refund_amount(-refunded).refund_payments(
            payment
                .refunds
                .iter()
                .map(|r| {
                    RefundPayment::new()
                        .payment_id(r.id)
                        .payment_status(freedompay::enums::PaymentState::Success)
                        .amount(-r.amount.as_decimal())
                })
                .collect(),
        );
    }
    Ok(Outcome::Xml(answer.to_params()))
}

fn cancel(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CancelRequest::decode(params).map_err(invalid)?;
    let (payment, ()) = app
        .store
        .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
            PaymentState::Held => {
                p.state = PaymentState::Cancelled;
                Ok(())
            }
            PaymentState::Cancelled => Err(Failure::new(
                ErrorCode::from_code(10033),
                "the payment is already cancelled",
            )),
            PaymentState::Paid => Err(Failure::new(
                ErrorCode::from_code(10012),
                "a cleared payment cannot be cancelled; refund it instead",
            )),
            _ => Err(Failure::new(
                ErrorCode::from_code(9013),
                "only a successful, held payment can be cancelled",
            )),
        })?;
    tracing::info!(payment_id = payment.id, "payment cancelled");
    Ok(Outcome::Xml(
        CancelResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .to_params(),
    ))
}

fn clearing(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = ClearingRequest::decode(params).map_err(invalid)?;
    let (payment, cleared) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
                PaymentState::Held => {
                    let cleared = request.clearing_amount.unwrap_or(p.amount);
                    if cleared.as_decimal() > p.amount.as_decimal() {
                        return Err(Failure::new(
                            ErrorCode::from_code(11005),
                            format!("the clearing amount exceeds the authorised {}", p.amount),
                        ));
                    }
                    p.captured = cleared;
                    p.state = PaymentState::Paid;
                    Ok(cleared)
                }
                PaymentState::Paid => Err(Failure::new(
                    ErrorCode::from_code(10036),
                    "the payment is already cleared",
                )),
                _ => Err(Failure::new(
                    ErrorCode::from_code(10035),
                    "only a successful, held payment can be cleared",
                )),
            })?;
    tracing::info!(payment_id = payment.id, %cleared, "payment cleared");
    Ok(Outcome::Xml(
        ClearingResponse::new(ResponseStatus::Ok)
            .amount(payment.amount)
            .clearing_amount(cleared)
            .to_params(),
    ))
}

fn refund(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = RefundRequest::decode(params).map_err(invalid)?;
    let refund_id = app.store.next_id();
    let (payment, refunded) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
                PaymentState::Paid => {
                    let left = p.captured.as_decimal() - p.refunded();
                    if left <= Decimal::ZERO {
                        return Err(Failure::new(
                            ErrorCode::from_code(10020),
                            "the payment is already refunded in full",
                        ));
                    }
                    let wanted = request.refund_amount.map_or(left, |a| a.as_decimal());
                    if wanted > left {
                        return Err(Failure::new(
                            ErrorCode::from_code(10020),
                            format!(
                                "the refund exceeds what is left to refund ({})",
                                amount(left)
                            ),
                        ));
                    }
                    let refund = Refund {
                        id: refund_id,
                        amount: amount(wanted),
                    };
                    p.refunds.push(refund.clone());
                    Ok(refund.amount)
                }
                PaymentState::Held => Err(Failure::new(
                    ErrorCode::from_code(10034),
                    "the payment must be cleared before a refund; cancel it instead",
                )),
                _ => Err(Failure::new(
                    ErrorCode::from_code(9013),
                    "only a successful payment can be refunded",
                )),
            })?;
    tracing::info!(payment_id = payment.id, %refunded, "payment refunded");
    Ok(Outcome::Xml(
        RefundResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .to_params(),
    ))
}

/// The documented test phone for `phone` and `operator`, if any.
fn test_phone(
    phone: &str,
    operator: Option<&str>,
) -> Option<&'static freedompay::test_data::TestPhone> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    TEST_PHONES.iter().find(|p| {
        digits(p.phone) == digits(phone) && operator.is_none_or(|o| p.operator.to_string() == o)
    })
}

fn mobile_pay(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = MobileBalancePayRequest::decode(params).map_err(invalid)?;
    let operator = request
        .payment_system_code
        .as_ref()
        .map(ToString::to_string);
    let Some(phone) = test_phone(&request.abonent_phone, operator.as_deref()) else {
        return Err(Failure::new(
            ErrorCode::from_code(11004),
            "not a test phone of this operator (see freedompay::test_data::TEST_PHONES)",
        ));
    };
    let (payment, ()) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
                PaymentState::New if p.method == Method::MobileBalance => {
                    p.state = PaymentState::AwaitingCode {
                        code: phone.code.to_owned(),
                        attempts: 0,
                    };
                    p.phone = Some(phone.phone.to_owned());
                    Ok(())
                }
                PaymentState::New => Err(invalid(
                    "the payment was not created for mobile balance (pg_payment_method=mobile_commerce)",
                )),
                _ => Err(Failure::new(
                    ErrorCode::from_code(11013),
                    "the payment is not waiting for a phone number",
                )),
            })?;
    tracing::info!(payment_id = payment.id, "confirmation code sent");
    Ok(Outcome::Xml(
        MobileBalancePayResponse::new(MobileBalancePayStatus::NeedApprove, payment.id).to_params(),
    ))
}

/// Wrong codes allowed before the payment fails.
const CODE_ATTEMPTS: u32 = 3;

fn mobile_approve(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
) -> Result<Outcome, Failure> {
    let request = MobileBalanceApproveRequest::decode(params).map_err(invalid)?;
    let result = app
        .store
        .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
            PaymentState::AwaitingCode { code, attempts } => {
                if *code == request.approval_code {
                    p.state = PaymentState::Paid;
                    p.captured = p.amount;
                    p.paid_at = Some(now());
                    Ok(None)
                } else if attempts + 1 >= CODE_ATTEMPTS {
                    let failure = Failure::new(
                        ErrorCode::from_code(11007),
                        "no attempts to enter the confirmation code are left",
                    );
                    p.state = PaymentState::Failed {
                        code: failure.code.code(),
                        description: failure.description.clone(),
                    };
                    p.paid_at = Some(now());
                    Ok(Some(failure))
                } else {
                    p.state = PaymentState::AwaitingCode {
                        code: code.clone(),
                        attempts: attempts + 1,
                    };
                    Ok(Some(Failure::new(
                        ErrorCode::from_code(11002),
                        "the SMS code is wrong; it can be entered again",
                    )))
                }
            }
            _ => Err(Failure::new(
                ErrorCode::from_code(11013),
                "the payment is not waiting for a confirmation code",
            )),
        })?;
    let (payment, failure) = result;
    if let Some(failure) = failure {
        if matches!(payment.state, PaymentState::Failed { .. }) {
            crate::page::spawn_result(app.clone(), payment);
        }
        return Err(failure);
    }
    tracing::info!(payment_id = payment.id, "mobile payment approved");
    crate::page::spawn_result(app.clone(), payment.clone());
    Ok(Outcome::Xml(
        MobileBalanceApproveResponse::new(MobileBalanceApproveStatus::Ok, payment.id).to_params(),
    ))
}

/// The masked card number the gateway shows: first six, last four.
pub fn mask(pan: &str) -> String {
    if pan.len() < 10 {
        return "*".repeat(pan.len());
    }
    format!("{}******{}", &pan[..6], &pan[pan.len() - 4..])
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

fn card_add(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardAddRequest::decode(params).map_err(invalid)?;
    let session = app.store.create_card_session(CardSession {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        user_id: request.user_id.clone(),
        back_link: request.back_link.clone(),
        token: None,
    })?;
    tracing::info!(session = session.id, merchant = %merchant.id, "card storage session created");
    let mut answer = CardAddResponse::new(
        session.id,
        format!("{}/sandbox/card/{}", app.base_url, session.id),
        ResponseStatus::Ok,
    )
    .merchant_id(merchant.id.parse().unwrap_or_default());
    if let Some(order_id) = request.order_id {
        answer = answer.order_id(order_id);
    }
    Ok(Outcome::Xml(answer.to_params()))
}

fn stored_card(card: &SavedCard, merchant_id: &str) -> StoredCard {
    StoredCard::new()
        .status(CardStatus::Approved)
        .merchant_id(merchant_id.parse().unwrap_or_default())
        .card_token(card.token.clone())
        .card_hash(card.card_hash.clone())
        .created_at(card.created_at.clone())
}

fn card_list(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardListRequest::decode(params).map_err(invalid)?;
    let cards = app
        .store
        .cards(&merchant.id, &request.user_id)
        .iter()
        .map(|card| stored_card(card, &merchant.id))
        .collect();
    Ok(Outcome::Xml(
        CardListResponse::new().cards(cards).to_params(),
    ))
}

fn card_remove(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardRemoveRequest::decode(params).map_err(invalid)?;
    let card = app
        .store
        .remove_card(&merchant.id, &request.user_id, &request.card_token)?;
    tracing::info!(card = %card.card_hash, "saved card removed");
    Ok(Outcome::Xml(
        CardRemoveResponse::new()
            .status(CardRemoveStatus::Success)
            .deleted_at(now())
            .to_params(),
    ))
}

fn token_init(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = TokenInitRequest::decode(params).map_err(invalid)?;
    if app
        .store
        .card(&merchant.id, &request.user_id, &request.card_token)
        .is_none()
    {
        return Err(Failure::new(
            ErrorCode::from_code(10032),
            "no saved card with this token for this user",
        ));
    }
    let id = app.store.next_id();
    let payment = Payment {
        id,
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.clone(),
        amount: request.amount,
        currency: "KZT".to_owned(),
        description: request.description.clone(),
        method: Method::Token {
            token: request.card_token.clone(),
        },
        auto_clearing: true,
        testing: false,
        state: PaymentState::New,
        captured: Amount::from_minor(0),
        refunds: Vec::new(),
        urls: Urls {
            result: request.result_url.clone(),
            success: request.success_url.clone(),
            failure: request.failure_url.clone(),
            ..Urls::default()
        },
        merchant_params: Vec::new(),
        phone: request.user_phone.clone(),
        card_pan: None,
        created_at: now(),
        paid_at: None,
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    tracing::info!(payment_id = payment.id, "token payment created");
    Ok(Outcome::Xml(
        TokenInitResponse::new(payment.id, ResponseStatus::Ok)
            .merchant_id(merchant.id.parse().unwrap_or_default())
            .order_id(payment.order_id.clone())
            .to_params(),
    ))
}

fn token_direct(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = TokenDirectRequest::decode(params).map_err(invalid)?;
    // The card is read before the payment is locked for the change (the
    // store's lock is not re-entrant).
    let card = match app
        .store
        .payment(&merchant.id, request.payment_id)
        .map(|p| p.method)
    {
        Some(Method::Token { token }) => app.store.card_by_token(&token),
        _ => None,
    };
    let (payment, declined) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| {
                if !matches!(p.method, Method::Token { .. }) {
                    return Err(invalid("the payment was not created with card/init"));
                }
                if p.state != PaymentState::New {
                    return Err(Failure::new(
                        ErrorCode::from_code(10015),
                        "the payment has already been charged",
                    ));
                }
                let card = card.clone().ok_or_else(|| {
                    Failure::new(ErrorCode::from_code(10032), "the saved card was removed")
                })?;
                let approved = TestCard::find(&card.test_card).is_some_and(|c| {
                    matches!(
                        c.outcome,
                        CardOutcome::Success | CardOutcome::PendingThenSuccess
                    )
                });
                p.card_pan = Some(card.card_hash.clone());
                p.paid_at = Some(now());
                if approved {
                    p.state = PaymentState::Paid;
                    p.captured = p.amount;
                    Ok(None)
                } else {
                    let failure = Failure::new(
                        ErrorCode::from_code(10001),
                        "the issuing bank declined the payment",
                    );
                    p.state = PaymentState::Failed {
                        code: failure.code.code(),
                        description: failure.description.clone(),
                    };
                    Ok(Some(failure))
                }
            })?;
    crate::page::spawn_result(app.clone(), payment.clone());
    if let Some(failure) = declined {
        return Err(failure);
    }
    tracing::info!(payment_id = payment.id, "token payment charged");
    Ok(Outcome::Xml(
        TokenDirectResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .merchant_id(merchant.id.parse().unwrap_or_default())
            .order_id(payment.order_id.clone())
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
