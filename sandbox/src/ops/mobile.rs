//! Mobile balance: the subscriber's phone is charged after a code (mfs/pay,
//! mfs/approve, mfs/resend_code), following the documented test phones.

use std::sync::Arc;

use freedompay::Params;
use freedompay::errors::ErrorCode;
use freedompay::merchant::mobile_balance::{
    MobileBalanceApproveRequest, MobileBalanceApproveResponse, MobileBalanceApproveStatus,
    MobileBalancePayRequest, MobileBalancePayResponse, MobileBalancePayStatus,
    MobileBalanceResendCodeRequest,
};
use freedompay::test_data::TEST_PHONES;

use super::{invalid, now, text};
use crate::store::{Failure, Method, Payment, PaymentState};
use crate::{App, Merchant};

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

pub(super) fn mobile_pay(
    app: &Arc<App>,
    merchant: &Merchant,
    request: MobileBalancePayRequest,
) -> Result<MobileBalancePayResponse, Failure> {
    let operator = request
        .payment_system_code
        .as_ref()
        .map(ToString::to_string);
    let payment = send_code(
        app,
        Some(&merchant.id),
        request.payment_id,
        &request.abonent_phone,
        operator.as_deref(),
    )?;
    Ok(MobileBalancePayResponse::new(
        MobileBalancePayStatus::NeedApprove,
        payment.id,
    ))
}

/// Sends the confirmation code for a mobile-balance payment to `phone` (of
/// `operator`, when given): the payment then waits for the code. Only the
/// documented test phones receive one (11004 otherwise). `merchant_id`
/// limits the payment to one merchant's (the payment page passes `None`).
pub(crate) fn send_code(
    app: &Arc<App>,
    merchant_id: Option<&str>,
    payment_id: i64,
    phone: &str,
    operator: Option<&str>,
) -> Result<Payment, Failure> {
    let Some(phone) = test_phone(phone, operator) else {
        return Err(Failure::new(
            ErrorCode::from_code(11004),
            "not a test phone of this operator (see freedompay::test_data::TEST_PHONES)",
        ));
    };
    let (payment, ()) = app
        .store
        .update_payment(merchant_id, payment_id, |p| match &p.state {
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
    Ok(payment)
}

/// Wrong codes allowed before the payment fails.
const CODE_ATTEMPTS: u32 = 3;

pub(super) fn mobile_approve(
    app: &Arc<App>,
    merchant: &Merchant,
    request: MobileBalanceApproveRequest,
) -> Result<MobileBalanceApproveResponse, Failure> {
    let payment = enter_code(
        app,
        Some(&merchant.id),
        request.payment_id,
        &request.approval_code,
    )?;
    Ok(MobileBalanceApproveResponse::new(
        MobileBalanceApproveStatus::Ok,
        payment.id,
    ))
}

/// Checks the confirmation code of a payment waiting for one: the right code
/// pays it; a wrong one is refused (11002) until the attempts run out, which
/// fails the payment (11007). Either way a finished payment gets its result
/// callback. `merchant_id` as in [`send_code`].
pub(crate) fn enter_code(
    app: &Arc<App>,
    merchant_id: Option<&str>,
    payment_id: i64,
    entered: &str,
) -> Result<Payment, Failure> {
    let result = app
        .store
        .update_payment(merchant_id, payment_id, |p| match &p.state {
            PaymentState::AwaitingCode { code, attempts } => {
                if code == entered.trim() {
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
    Ok(payment)
}

/// `mfs/resend_code`: sends the subscriber the code of a payment waiting for
/// it again. The documentation describes no parameter of its own, so the
/// payment is named by `pg_payment_id`, as in Pay and Approve (sent as an
/// extra parameter); without it (or not a number) the request is refused
/// with 200, an unknown payment with 11068, and a payment that is not
/// waiting for a code (no `mfs/pay` yet, or already approved or failed) with
/// 11013, as Approve refuses it. The code sent is the test phone's own, and
/// the wrong attempts already made still count. No answer is documented:
/// the sandbox answers `pg_status=ok` alone.
pub(super) fn mobile_resend_code(
    app: &Arc<App>,
    merchant: &Merchant,
    request: MobileBalanceResendCodeRequest,
) -> Result<Params, Failure> {
    let payment_id = text(&request.extra, "pg_payment_id")
        .ok_or_else(|| invalid("pg_payment_id: required (the payment whose code is resent)"))?
        .parse::<i64>()
        .map_err(|_| invalid("pg_payment_id: not an integer"))?;
    let payment = app.store.payment(&merchant.id, payment_id).ok_or_else(|| {
        Failure::new(
            ErrorCode::from_code(11068),
            format!("payment {payment_id} not found"),
        )
    })?;
    if !matches!(payment.state, PaymentState::AwaitingCode { .. }) {
        return Err(Failure::new(
            ErrorCode::from_code(11013),
            "the payment is not waiting for a confirmation code",
        ));
    }
    tracing::info!(payment_id, "confirmation code sent again");
    Ok(Params::new().with("pg_status", "ok"))
}
