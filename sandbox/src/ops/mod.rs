//! What each endpoint does to the sandbox's state, and its answer. Requests
//! arrive here checked (signature, generated validation); answers are built
//! with the generated response types, so they decode in the client exactly
//! as the gateway's do.
//!
//! The operations layer: the business rules, on top of the store. A refusal
//! is a [`Failure`] with the gateway's code; what the merchant must be told
//! about later (a finished payment, a payout) is emitted as an [`Event`],
//! never sent from here.

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::gateway::card_storage::{
    G2gCardAcsRequest, G2gCardAcsResponse, G2gCardAddRequest, G2gCardAddResponse,
    G2gCardListRequest, G2gCardListResponse, G2gCardRemoveRequest, G2gCardRemoveResponse,
};
use freedompay::gateway::page::{G2gAnyAmountRequest, G2gAnyAmountResponse};
use freedompay::gateway::payments::{
    G2gCancelRequest, G2gCancelResponse, G2gCardPaymentRequest, G2gCardPaymentResponse,
    G2gClearingRequest, G2gClearingResponse, G2gPaymentAcsRequest, G2gPaymentAcsResponse,
    G2gPaymentStatusRequest, G2gPaymentStatusResponse, G2gRecurrentPaymentRequest,
    G2gRecurrentPaymentResponse, G2gRefundRequest, G2gRefundResponse,
};
use freedompay::gateway::payout::{
    G2gIbanPayoutRequest, G2gIbanPayoutResponse, G2gPayoutBalanceRequest, G2gPayoutBalanceResponse,
    G2gPayoutStatusRequest, G2gPayoutStatusResponse,
};
use freedompay::gateway::tokens::{
    G2gApplePayPaymentRequest, G2gApplePayPaymentResponse, G2gGooglePayPaymentRequest,
    G2gGooglePayPaymentResponse, G2gTokenPaymentRequest, G2gTokenPaymentResponse,
    G2gTokenPayoutRequest, G2gTokenPayoutResponse,
};
use freedompay::gateway::transfers::{
    G2gTransferAcsRequest, G2gTransferAcsResponse, G2gTransferRatesRequest,
    G2gTransferRatesResponse, G2gTransferRequest, G2gTransferResponse, G2gTransferStatusRequest,
    G2gTransferStatusResponse,
};
use freedompay::merchant::atm::{AtmCheckRequest, AtmCheckResponse};
use freedompay::merchant::card_storage::{
    CardAddRequest, CardAddResponse, CardListRequest, CardListResponse, CardRemoveRequest,
    CardRemoveResponse, PayoutCardAddRequest, PayoutCardAddResponse,
};
use freedompay::merchant::installment::{InstallmentInitRequest, InstallmentInitResponse};
use freedompay::merchant::mobile_balance::{
    MobileBalanceApproveRequest, MobileBalanceApproveResponse, MobileBalanceInitRequest,
    MobileBalanceInitResponse, MobileBalancePayRequest, MobileBalancePayResponse,
    MobileBalanceResendCodeRequest, MobileBalanceStatusRequest, MobileBalanceStatusResponse,
};
use freedompay::merchant::page::{
    AnyAmountRequest, AnyAmountResponse, InitPaymentRequest, InitPaymentResponse,
    PaymentPageRequest, PaymentPageResponse, PaymentRedirectRequest,
};
use freedompay::merchant::payments::{
    CancelRequest, CancelResponse, ClearingRequest, ClearingResponse, PaymentStatusRequest,
    PaymentStatusResponse, RecurringPaymentRequest, RecurringPaymentResponse, RefundRequest,
    RefundResponse,
};
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutResponse, IbanPayoutRequest, IbanPayoutResponse,
    PayoutBalanceRequest, PayoutBalanceResponse, PayoutPageRequest, PayoutPageResponse,
    PayoutStatusByOrderRequest, PayoutStatusByOrderResponse, PayoutStatusRequest,
    PayoutStatusResponse, PayoutStatusV2Request, PayoutStatusV2Response, TokenPayoutRequest,
    TokenPayoutResponse,
};
use freedompay::merchant::token::{
    TokenDirectRequest, TokenDirectResponse, TokenInitRequest, TokenInitResponse,
    TokenInitWithCvcRequest, TokenInitWithCvcResponse, TokenPayWithCvcRequest,
};
use freedompay::server::Handler;
use freedompay::{Amount, Encode, Params};
use rust_decimal::Decimal;

use crate::merchant::Merchant;

pub(crate) mod acs;
mod app;
mod atm;
mod cards;
mod failure;
mod g2g;
mod installment;
pub(crate) mod mobile;
mod payments;
mod payout;

pub(crate) use app::{App, Event, Inbox, Page};
pub(crate) use cards::charge_saved_card;
pub(crate) use failure::{Failure, invalid};
pub(crate) use payments::{
    Issuer, THREE_DS_ATTEMPTS, await_three_ds, issuer_of, reported_profile, settle,
    three_ds_refused,
};
pub(crate) use payout::{expire_if_due, pay_to_typed_card};

pub(crate) fn amount(value: Decimal) -> Amount {
    Amount::new(value.round_dp(2)).unwrap_or_else(|_| Amount::from_minor(0))
}

/// The sandbox's operations as the generated [`Handler`]: every request
/// endpoint the sandbox simulates overrides its method; any other endpoint of
/// the spec answers from the spec (see [`STATEFUL`]).
pub(crate) struct Operations<'a> {
    /// The sandbox's state.
    pub app: &'a Arc<App>,
}

/// The request endpoints whose answers come from the sandbox's state; every
/// other request endpoint of the spec answers from the spec.
pub const STATEFUL: &[&str] = &[
    "any_amount",
    "atm_check",
    "card_storage_add",
    "card_storage_add_for_payout",
    "card_storage_list",
    "card_storage_remove",
    "g2g_card_acs",
    "g2g_card_add",
    "g2g_card_list",
    "g2g_card_remove",
    "g2g_page_any_amount",
    "g2g_payment_acs",
    "g2g_payment_cancel",
    "g2g_payment_card",
    "g2g_payment_clearing",
    "g2g_payment_recurrent",
    "g2g_payment_refund",
    "g2g_payment_status",
    "g2g_payout_balance",
    "g2g_payout_iban",
    "g2g_payout_status",
    "g2g_token_apple_pay",
    "g2g_token_google_pay",
    "g2g_token_pay",
    "g2g_token_payout",
    "g2g_transfer_acs",
    "g2g_transfer_card",
    "g2g_transfer_rates",
    "g2g_transfer_status",
    "init_payment",
    "installment_init",
    "mobile_balance_approve",
    "mobile_balance_init",
    "mobile_balance_pay",
    "mobile_balance_resend_code",
    "mobile_balance_status",
    "payment_page",
    "payment_redirect",
    "payments_cancel",
    "payments_clearing",
    "payments_recurring",
    "payments_refund",
    "payments_status",
    "payout_balance",
    "payout_card",
    "payout_iban",
    "payout_page",
    "payout_status",
    "payout_status_by_order",
    "payout_status_v2",
    "payout_token",
    "token_direct",
    "token_init",
    "token_init_with_cvc",
    "token_pay_with_cvc",
];

/// The answer of a payment-creating request: the new payment and its page.
fn created<T>(
    app: &Arc<App>,
    merchant: &Merchant,
    request: &impl Encode,
    any_amount: bool,
    answer: impl FnOnce(i64, String) -> T,
) -> Result<T, Failure> {
    let (payment, page) =
        payments::create_payment(app, merchant, &request.to_params(), any_amount)?;
    Ok(answer(payment.id, page))
}

impl Handler for Operations<'_> {
    type Context = Merchant;
    type Error = Failure;

    fn atm_check(
        &self,
        merchant: &Merchant,
        request: AtmCheckRequest,
    ) -> Result<AtmCheckResponse, Failure> {
        atm::atm_check(self.app, merchant, request)
    }

    fn card_storage_add(
        &self,
        merchant: &Merchant,
        request: CardAddRequest,
    ) -> Result<CardAddResponse, Failure> {
        cards::card_add(self.app, merchant, request)
    }

    fn card_storage_add_for_payout(
        &self,
        merchant: &Merchant,
        request: PayoutCardAddRequest,
    ) -> Result<PayoutCardAddResponse, Failure> {
        payout::card_add_for_payout(self.app, merchant, request)
    }

    fn card_storage_list(
        &self,
        merchant: &Merchant,
        request: CardListRequest,
    ) -> Result<CardListResponse, Failure> {
        cards::card_list(self.app, merchant, request)
    }

    fn card_storage_remove(
        &self,
        merchant: &Merchant,
        request: CardRemoveRequest,
    ) -> Result<CardRemoveResponse, Failure> {
        cards::card_remove(self.app, merchant, request)
    }

    fn g2g_card_acs(
        &self,
        merchant: &Merchant,
        request: G2gCardAcsRequest,
    ) -> Result<G2gCardAcsResponse, Failure> {
        g2g::cards::card_acs(self.app, merchant, request)
    }

    fn g2g_card_add(
        &self,
        merchant: &Merchant,
        request: G2gCardAddRequest,
    ) -> Result<G2gCardAddResponse, Failure> {
        g2g::cards::card_add(self.app, merchant, request)
    }

    fn g2g_card_list(
        &self,
        merchant: &Merchant,
        request: G2gCardListRequest,
    ) -> Result<G2gCardListResponse, Failure> {
        g2g::cards::card_list(self.app, merchant, request)
    }

    fn g2g_card_remove(
        &self,
        merchant: &Merchant,
        request: G2gCardRemoveRequest,
    ) -> Result<G2gCardRemoveResponse, Failure> {
        g2g::cards::card_remove(self.app, merchant, request)
    }

    fn g2g_page_any_amount(
        &self,
        merchant: &Merchant,
        request: G2gAnyAmountRequest,
    ) -> Result<G2gAnyAmountResponse, Failure> {
        // The Gateway's twin of any_amount.php: the same payment and page.
        created(self.app, merchant, &request, true, |id, page| {
            G2gAnyAmountResponse::new(id, ResponseStatus::Ok, page, "need data")
        })
    }

    fn g2g_payment_acs(
        &self,
        merchant: &Merchant,
        request: G2gPaymentAcsRequest,
    ) -> Result<G2gPaymentAcsResponse, Failure> {
        g2g::payments::payment_acs(self.app, merchant, request)
    }

    fn g2g_payment_cancel(
        &self,
        merchant: &Merchant,
        request: G2gCancelRequest,
    ) -> Result<G2gCancelResponse, Failure> {
        g2g::payments::cancel(self.app, merchant, request)
    }

    fn g2g_payment_card(
        &self,
        merchant: &Merchant,
        request: G2gCardPaymentRequest,
    ) -> Result<G2gCardPaymentResponse, Failure> {
        g2g::payments::card_payment(self.app, merchant, request)
    }

    fn g2g_payment_clearing(
        &self,
        merchant: &Merchant,
        request: G2gClearingRequest,
    ) -> Result<G2gClearingResponse, Failure> {
        g2g::payments::clearing(self.app, merchant, request)
    }

    fn g2g_payment_recurrent(
        &self,
        merchant: &Merchant,
        request: G2gRecurrentPaymentRequest,
    ) -> Result<G2gRecurrentPaymentResponse, Failure> {
        g2g::payments::recurrent(self.app, merchant, request)
    }

    fn g2g_payout_balance(
        &self,
        merchant: &Merchant,
        request: G2gPayoutBalanceRequest,
    ) -> Result<G2gPayoutBalanceResponse, Failure> {
        g2g::payouts::balance(self.app, merchant, request)
    }

    fn g2g_payout_iban(
        &self,
        merchant: &Merchant,
        request: G2gIbanPayoutRequest,
    ) -> Result<G2gIbanPayoutResponse, Failure> {
        g2g::payouts::iban(self.app, merchant, request)
    }

    fn g2g_payout_status(
        &self,
        merchant: &Merchant,
        request: G2gPayoutStatusRequest,
    ) -> Result<G2gPayoutStatusResponse, Failure> {
        g2g::payouts::status(self.app, merchant, request)
    }

    fn g2g_payment_refund(
        &self,
        merchant: &Merchant,
        request: G2gRefundRequest,
    ) -> Result<G2gRefundResponse, Failure> {
        g2g::payments::refund(self.app, merchant, request)
    }

    fn g2g_payment_status(
        &self,
        merchant: &Merchant,
        request: G2gPaymentStatusRequest,
    ) -> Result<G2gPaymentStatusResponse, Failure> {
        g2g::payments::status(self.app, merchant, request)
    }

    fn g2g_token_apple_pay(
        &self,
        merchant: &Merchant,
        request: G2gApplePayPaymentRequest,
    ) -> Result<G2gApplePayPaymentResponse, Failure> {
        g2g::tokens::apple_pay(self.app, merchant, request)
    }

    fn g2g_token_google_pay(
        &self,
        merchant: &Merchant,
        request: G2gGooglePayPaymentRequest,
    ) -> Result<G2gGooglePayPaymentResponse, Failure> {
        g2g::tokens::google_pay(self.app, merchant, request)
    }

    fn g2g_token_pay(
        &self,
        merchant: &Merchant,
        request: G2gTokenPaymentRequest,
    ) -> Result<G2gTokenPaymentResponse, Failure> {
        g2g::tokens::token_payment(self.app, merchant, request)
    }

    fn g2g_token_payout(
        &self,
        merchant: &Merchant,
        request: G2gTokenPayoutRequest,
    ) -> Result<G2gTokenPayoutResponse, Failure> {
        g2g::tokens::token_payout(self.app, merchant, request)
    }

    fn g2g_transfer_acs(
        &self,
        merchant: &Merchant,
        request: G2gTransferAcsRequest,
    ) -> Result<G2gTransferAcsResponse, Failure> {
        g2g::transfers::transfer_acs(self.app, merchant, request)
    }

    fn g2g_transfer_card(
        &self,
        merchant: &Merchant,
        request: G2gTransferRequest,
    ) -> Result<G2gTransferResponse, Failure> {
        g2g::transfers::transfer(self.app, merchant, request)
    }

    fn g2g_transfer_rates(
        &self,
        merchant: &Merchant,
        request: G2gTransferRatesRequest,
    ) -> Result<G2gTransferRatesResponse, Failure> {
        g2g::transfers::rates(self.app, merchant, request)
    }

    fn g2g_transfer_status(
        &self,
        merchant: &Merchant,
        request: G2gTransferStatusRequest,
    ) -> Result<G2gTransferStatusResponse, Failure> {
        g2g::transfers::transfer_status(self.app, merchant, request)
    }

    fn installment_init(
        &self,
        merchant: &Merchant,
        request: InstallmentInitRequest,
    ) -> Result<InstallmentInitResponse, Failure> {
        installment::installment_init(self.app, merchant, request)
    }

    fn mobile_balance_approve(
        &self,
        merchant: &Merchant,
        request: MobileBalanceApproveRequest,
    ) -> Result<MobileBalanceApproveResponse, Failure> {
        mobile::mobile_approve(self.app, merchant, request)
    }

    fn mobile_balance_init(
        &self,
        merchant: &Merchant,
        request: MobileBalanceInitRequest,
    ) -> Result<MobileBalanceInitResponse, Failure> {
        created(self.app, merchant, &request, false, |id, page| {
            MobileBalanceInitResponse::new(ResponseStatus::Ok, id, page, "need data")
        })
    }

    fn mobile_balance_pay(
        &self,
        merchant: &Merchant,
        request: MobileBalancePayRequest,
    ) -> Result<MobileBalancePayResponse, Failure> {
        mobile::mobile_pay(self.app, merchant, request)
    }

    fn mobile_balance_resend_code(
        &self,
        merchant: &Merchant,
        request: MobileBalanceResendCodeRequest,
    ) -> Result<Params, Failure> {
        mobile::mobile_resend_code(self.app, merchant, request)
    }

    fn mobile_balance_status(
        &self,
        merchant: &Merchant,
        request: MobileBalanceStatusRequest,
    ) -> Result<MobileBalanceStatusResponse, Failure> {
        payments::mobile_status(self.app, merchant, request.payment_id)
    }

    fn any_amount(
        &self,
        merchant: &Merchant,
        request: AnyAmountRequest,
    ) -> Result<AnyAmountResponse, Failure> {
        created(self.app, merchant, &request, true, |id, page| {
            AnyAmountResponse::new(ResponseStatus::Ok, id, page, "need data")
        })
    }

    fn init_payment(
        &self,
        merchant: &Merchant,
        request: InitPaymentRequest,
    ) -> Result<InitPaymentResponse, Failure> {
        created(self.app, merchant, &request, false, |id, page| {
            InitPaymentResponse::new(ResponseStatus::Ok, id, page, "need data")
        })
    }

    fn payment_page(
        &self,
        merchant: &Merchant,
        request: PaymentPageRequest,
    ) -> Result<PaymentPageResponse, Failure> {
        created(self.app, merchant, &request, false, |id, page| {
            PaymentPageResponse::new(id, ResponseStatus::Ok, page, "need data")
        })
    }

    fn payment_redirect(
        &self,
        merchant: &Merchant,
        request: PaymentRedirectRequest,
    ) -> Result<String, Failure> {
        created(self.app, merchant, &request, false, |_, page| page)
    }

    fn payments_cancel(
        &self,
        merchant: &Merchant,
        request: CancelRequest,
    ) -> Result<CancelResponse, Failure> {
        payments::cancel(self.app, merchant, request)
    }

    fn payments_clearing(
        &self,
        merchant: &Merchant,
        request: ClearingRequest,
    ) -> Result<ClearingResponse, Failure> {
        payments::clearing(self.app, merchant, request)
    }

    fn payments_recurring(
        &self,
        merchant: &Merchant,
        request: RecurringPaymentRequest,
    ) -> Result<RecurringPaymentResponse, Failure> {
        payments::recurring(self.app, merchant, request)
    }

    fn payments_refund(
        &self,
        merchant: &Merchant,
        request: RefundRequest,
    ) -> Result<RefundResponse, Failure> {
        payments::refund(self.app, merchant, request)
    }

    fn payments_status(
        &self,
        merchant: &Merchant,
        request: PaymentStatusRequest,
    ) -> Result<PaymentStatusResponse, Failure> {
        payments::status(self.app, merchant, request.payment_id)
    }

    fn payout_balance(
        &self,
        merchant: &Merchant,
        request: PayoutBalanceRequest,
    ) -> Result<PayoutBalanceResponse, Failure> {
        payout::payout_balance(self.app, merchant, request)
    }

    fn payout_card(
        &self,
        merchant: &Merchant,
        request: CardPayoutRequest,
    ) -> Result<CardPayoutResponse, Failure> {
        payout::payout_card(self.app, merchant, request)
    }

    fn payout_iban(
        &self,
        merchant: &Merchant,
        request: IbanPayoutRequest,
    ) -> Result<IbanPayoutResponse, Failure> {
        payout::payout_iban(self.app, merchant, request)
    }

    fn payout_page(
        &self,
        merchant: &Merchant,
        request: PayoutPageRequest,
    ) -> Result<PayoutPageResponse, Failure> {
        payout::payout_page(self.app, merchant, request)
    }

    fn payout_status(
        &self,
        merchant: &Merchant,
        request: PayoutStatusRequest,
    ) -> Result<PayoutStatusResponse, Failure> {
        payout::payout_status(self.app, merchant, request)
    }

    fn payout_status_by_order(
        &self,
        merchant: &Merchant,
        request: PayoutStatusByOrderRequest,
    ) -> Result<PayoutStatusByOrderResponse, Failure> {
        payout::payout_status_by_order(self.app, merchant, request)
    }

    fn payout_status_v2(
        &self,
        merchant: &Merchant,
        request: PayoutStatusV2Request,
    ) -> Result<PayoutStatusV2Response, Failure> {
        payout::payout_status_v2(self.app, merchant, request)
    }

    fn payout_token(
        &self,
        merchant: &Merchant,
        request: TokenPayoutRequest,
    ) -> Result<TokenPayoutResponse, Failure> {
        payout::payout_token(self.app, merchant, request)
    }

    fn token_direct(
        &self,
        merchant: &Merchant,
        request: TokenDirectRequest,
    ) -> Result<TokenDirectResponse, Failure> {
        cards::token_direct(self.app, merchant, request)
    }

    fn token_init(
        &self,
        merchant: &Merchant,
        request: TokenInitRequest,
    ) -> Result<TokenInitResponse, Failure> {
        cards::token_init(self.app, merchant, request)
    }

    fn token_init_with_cvc(
        &self,
        merchant: &Merchant,
        request: TokenInitWithCvcRequest,
    ) -> Result<TokenInitWithCvcResponse, Failure> {
        cards::token_init_with_cvc(self.app, merchant, request)
    }

    fn token_pay_with_cvc(
        &self,
        merchant: &Merchant,
        request: TokenPayWithCvcRequest,
    ) -> Result<String, Failure> {
        cards::token_pay_with_cvc(self.app, merchant, request)
    }
}

pub(crate) fn text<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get_text(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `pg_idempotency_key` with the request's fingerprint: every parameter but
/// the salt and the signature, which change with each sending.
pub(crate) fn idempotency(params: &Params) -> Option<(String, String)> {
    let key = text(params, "pg_idempotency_key")?;
    let mut fingerprint = params.clone();
    fingerprint.remove("pg_salt");
    fingerprint.remove("pg_sig");
    Some((key.to_owned(), freedompay::form::encode(&fingerprint)))
}

/// The merchant's own parameters of a request (names without `pg_`), which
/// the gateway forwards to the check and result callbacks.
pub(crate) fn merchant_params(params: &Params) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(name, _)| !name.starts_with("pg_"))
        .filter_map(|(name, value)| Some((name.to_owned(), value.as_text()?.to_owned())))
        .collect()
}
