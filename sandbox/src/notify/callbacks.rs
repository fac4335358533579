//! The gateway's calls to the merchant around payments and payouts: the
//! check before a charge (asked for by the payment page), and, for every
//! [`Event`] the operations emit, the result callback of a finished payment
//! or the settlement and notification of a payout.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use freedompay::enums::{PaymentMethod, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::callbacks::{
    CheckCallback, CheckCallbackRequired, PayoutNotifyCallback, ResultCallback,
    ResultCallbackRequired,
};
use freedompay::{Encode, Params};
use tokio::task::JoinHandle;

use super::{Answer, Notifier, RetryPolicy, sign_for};
use crate::merchant::Merchant;
use crate::ops::{App, Event, Failure, Inbox};
use crate::store::{Method, Payment, PaymentState, PayoutState, Store};
use crate::values::{currency, now};

/// Sends the merchant's callbacks: what they need of the sandbox's state
/// (not the [`App`] itself, so the inbox ends when the sandbox stops).
pub(crate) struct Notifications {
    merchants: Arc<BTreeMap<String, Merchant>>,
    store: Arc<Store>,
    notifier: Notifier,
    payout_delay: Duration,
}

impl Notifications {
    /// Notifications about `app`'s payments and payouts, retried by
    /// `policy`; a pending payout settles `payout_delay` after it was made.
    pub fn new(app: &App, policy: RetryPolicy, payout_delay: Duration) -> Self {
        Notifications {
            merchants: app.merchants.clone(),
            store: app.store.clone(),
            notifier: Notifier::new(policy),
            payout_delay,
        }
    }

    /// Takes the events of `inbox` in order until the sandbox stops; each
    /// callback is sent (and retried) in a task of its own.
    pub fn start(self: Arc<Self>, mut inbox: Inbox) -> JoinHandle<()> {
        tokio::spawn(async move {
            while let Some(event) = inbox.recv().await {
                match event {
                    Event::PaymentFinished(payment) => self.spawn_result(*payment),
                    Event::PayoutMade(id) => self.spawn_payout_notify(id),
                }
            }
        })
    }

    /// The check callback before charging; anything but a signed `ok` refuses.
    pub async fn check(&self, payment: &Payment) -> Result<(), Failure> {
        let Some(url) = &payment.urls.check else {
            return Ok(());
        };
        let Some(merchant) = self.merchants.get(&payment.merchant_id) else {
            return Ok(());
        };
        let currency = currency(&payment.currency);
        let callback = CheckCallback::new(CheckCallbackRequired {
            order_id: payment.order_id.clone(),
            payment_id: payment.id,
            amount: payment.amount,
            currency: currency.clone(),
            ps_amount: payment.amount,
            ps_full_amount: payment.amount,
        })
        .ps_currency(currency);
        let params = with_merchant_params(callback.to_params(), payment);
        let params = sign_for(url, &merchant.secret, params);
        let method = payment.urls.request_method.as_deref().unwrap_or("POST");
        match self
            .notifier
            .check(url, method, &merchant.secret, &params)
            .await
        {
            Answer::Ok => Ok(()),
            Answer::Rejected(reason) => Err(Failure::new(
                ErrorCode::ActionDisabled,
                format!("the merchant's check refused the payment: {reason}"),
            )),
            Answer::Failed(reason) => Err(Failure::new(
                ErrorCode::ActionDisabled,
                format!("the merchant's check did not accept the payment: {reason}"),
            )),
        }
    }

    /// Sends the result callback in the background, retrying on the policy's schedule.
    fn spawn_result(self: &Arc<Self>, payment: Payment) {
        let Some(url) = payment.urls.result.clone() else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let Some(merchant) = this.merchants.get(&payment.merchant_id) else {
                return;
            };
            let success = matches!(payment.state, PaymentState::Paid | PaymentState::Held);
            let currency = currency(&payment.currency);
            let mut callback = ResultCallback::new(ResultCallbackRequired {
                order_id: payment.order_id.clone(),
                payment_id: payment.id,
                amount: payment.amount,
                currency: currency.clone(),
                net_amount: payment.amount,
                ps_amount: payment.amount,
                ps_full_amount: payment.amount,
                description: payment.description.clone(),
                result: i64::from(success),
                payment_date: payment.paid_at.clone().unwrap_or_else(now),
            })
            .can_reject(success)
            .testing_mode(payment.testing)
            .captured(i64::from(!payment.captured.as_decimal().is_zero()))
            .payment_method(match payment.method {
                Method::Card | Method::Token { .. } => PaymentMethod::BankCard,
                Method::MobileBalance => PaymentMethod::MobileCommerce,
            });
            // The payment system's currency may be absent when the payment
            // failed (the check page says so); the sandbox leaves it out then.
            if success {
                callback = callback.ps_currency(currency);
            }
            if let Some(pan) = &payment.card_pan {
                callback = callback.card_pan(pan.clone());
            }
            if let Some(phone) = &payment.phone {
                callback = callback.user_phone(phone.clone());
            }
            let mut params = with_merchant_params(callback.to_params(), &payment);
            // The profile a successful payment created, by the names the
            // documentation gives the notification's profile fields; the
            // result callback's spec does not model them, so they travel
            // (signed) as extra parameters.
            if let Some((profile, expiry)) = crate::ops::reported_profile(&this.store, &payment) {
                params.push("pg_recurring_profile_id", profile.to_string());
                params.push("pg_recurring_profile_expiry_date", expiry);
            }
            let params = sign_for(&url, &merchant.secret, params);
            let method = payment.urls.request_method.as_deref().unwrap_or("POST");
            let (answer, attempts) = this
                .notifier
                .result(&url, method, &merchant.secret, &params)
                .await;
            tracing::info!(
                payment_id = payment.id,
                attempts,
                ?answer,
                "result callback done"
            );
        });
    }

    /// Settles a payout after the delay (when pending) and notifies `pg_post_link`.
    fn spawn_payout_notify(self: &Arc<Self>, payout_id: i64) {
        let this = self.clone();
        tokio::spawn(async move {
            let Some(payout) = this.store.payout(payout_id) else {
                return;
            };
            if matches!(payout.state, PayoutState::Pending { .. }) {
                tokio::time::sleep(this.payout_delay).await;
            }
            let Some((payout, balance)) = this.store.settle_payout(payout_id) else {
                return;
            };
            let (Some(url), Some(merchant)) = (
                payout.post_link.clone(),
                this.merchants.get(&payout.merchant_id),
            ) else {
                return;
            };
            let status = match payout.state {
                PayoutState::Success => ResponseStatus::Ok,
                _ => ResponseStatus::Error,
            };
            let mut callback = PayoutNotifyCallback::new(payout.id, merchant.number())
                .order_id(payout.order_id.clone())
                .status(status)
                .balance(balance.to_string())
                .payment_amount(payout.amount.to_string())
                .payment_date(payout.created_at.clone());
            // No card for an IBAN payout, nor for a payout page that expired unpaid.
            if !payout.card_hash.is_empty() {
                callback = callback.card_hash(payout.card_hash.clone());
            }
            let params = sign_for(&url, merchant.key(true), callback.to_params());
            let (answer, attempts) = this.notifier.payout(&url, &params).await;
            tracing::info!(payout_id, attempts, ?answer, "payout notification done");
        });
    }
}

/// `params` with the payment's merchant parameters, which the gateway
/// forwards to the check and result callbacks.
fn with_merchant_params(mut params: Params, payment: &Payment) -> Params {
    for (name, value) in &payment.merchant_params {
        params.push(name.clone(), value.clone());
    }
    params
}
