//! The flows the documentation describes for the JSON families, with the
//! sandbox's state: Async Gateway payments, and Card API requests and
//! clients.
//!
//! The documented answers of these endpoints are mostly empty (`{}`) or cut
//! off, so the state invents no answer field: it decides between the
//! documented answer (the spec's, as for every JSON endpoint) and the
//! families' error envelope, and fills the fields the spec lists (Create
//! client's `client_id`). Everything belongs to the calling `auth_id`:
//! another API user or merchant does not see it.
//!
//! # Async Gateway payments (`/v5/g2g/*`)
//!
//! - `create` records a payment of the caller with a fresh id (a UUID v7,
//!   like the documented `01907dac-…` ids) and its `order_id`, and answers
//!   the documented answer with that `id` (a test can also read it from the
//!   sandbox, `RunningSandbox::async_payment_of_order`). A create with an
//!   `order_id` the caller already used is answered with that order's
//!   payment, as the Gateway export documents a repeated order ("the
//!   original response"): an order id names one payment.
//! - `edit` with `gateway.payment.clearing` clears a payment once, at most its
//!   amount (409 `already_cleared`, 400 `amount`); `gateway.payment.refund`
//!   refunds it up to the cleared amount, or the payment's when it was never
//!   cleared (400 `amount` beyond); a reversed payment takes neither (409
//!   `reversed`), an unknown one is 404.
//! - `read` with `gateway.request.status` names an earlier Async request by
//!   its `X-Request-Id`: a request of the caller gets the documented answer
//!   with that id and, in `response.id`, the id its answer named; any other
//!   is 404.
//! - `read` names the payment by `id`, `order_id` or both (both must then be
//!   the same payment's). A payment of the caller gets the documented answer,
//!   any other 404 `not_found`; naming none is 400 `validation`.
//! - `edit` with `X-Action: gateway.payment.reverse` lists no body field; the
//!   payment is named with the extra fields `id`/`order_id` as in the read
//!   (the spec's notes say so, unverified). It reverses a payment once: 404
//!   for an unknown payment, 409 `already_reversed` for a second reversal.
//!
//! The Async payments live here, not in the store with the Merchant API's
//! payments: their ids are UUIDs where the Merchant API's `pg_payment_id` is
//! a number, and the documentation says nothing of the Merchant API seeing
//! them, nor of a lifecycle beyond the reversal (no payment page, no
//! callbacks). So the Merchant API's status call does not report them, and
//! like the answers kept for `X-Request-Id` they live in memory only, not in
//! the `--db` file.
//!
//! # Card API (`/v5/card-api/*`)
//!
//! - "request-id must be unique. If duplicates are found, an error will be
//!   returned and the request will not be processed": every Card API request
//!   with a `request_id` of its own (all but Request status, which names
//!   another request's, and the gift cards', which carry none) records it
//!   once processed, and one the caller used before is refused (409
//!   `duplicate_request_id`). A retry with the same `X-Request-Id` and body
//!   gets its first answer before this rule is asked.
//! - Create client answers a fresh `client_id` (a UUID v7); Update client
//!   (`card/link`) refuses a `client_id` the caller's Create client did not
//!   answer (404 `not_found`). The cards come from Bulk issue, which is not
//!   documented, so any `card_id` is taken.
//! - Request status answers the documented answer for a `request_id` the
//!   caller sent before and that was processed, 404 `not_found` for any other.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use freedompay::card::cards::{
    CardCloseRequest, CardCloseResponse, CardInfoRequest, CardInfoResponse, CardLinkRequest,
    CardLinkResponse, CardUnblockRequest, CardUnblockResponse,
};
use freedompay::card::clients::{CardClientAddRequest, CardClientAddResponse};
use freedompay::card::requests::{CardRequestStatusRequest, CardRequestStatusResponse};
use freedompay::card::transactions::{CardTransactionRefundRequest, CardTransactionRefundResponse};
use freedompay::gateway::async_payments::{
    AsyncPaymentClearingRequest, AsyncPaymentClearingResponse, AsyncPaymentCreateRequest,
    AsyncPaymentCreateResponse, AsyncPaymentReadRequest, AsyncPaymentReadResponse,
    AsyncPaymentRefundRequest, AsyncPaymentRefundResponse, AsyncPaymentRequestStatusRequest,
    AsyncPaymentRequestStatusResponse, AsyncPaymentReverseRequest, AsyncPaymentReverseResponse,
};
use freedompay::json::JsonMap;
use freedompay::server::{JsonHandler, SpecAnswerError};
use freedompay::{Amount, Decimal};
use serde_json::Value;

/// A payment made through the Async Gateway API (`/v5/g2g/create`), as the
/// sandbox holds it. No card data is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncPayment {
    /// The sandbox's id of the payment: a UUID v7.
    pub id: String,
    /// The API user (merchant) that created it: the JWS `auth_id`.
    pub auth_id: String,
    /// The merchant's order id, when the request carried one.
    pub order_id: Option<String>,
    /// The amount, when the request carried one.
    pub amount: Option<Amount>,
    /// The currency, when the request carried one.
    pub currency: Option<String>,
    /// Whether it was reversed (`/v5/g2g/edit`, `gateway.payment.reverse`).
    pub reversed: bool,
    /// The amount cleared (`gateway.payment.clearing`), once it was.
    pub cleared: Option<Decimal>,
    /// The amount refunded so far (`gateway.payment.refund`).
    pub refunded: Decimal,
}

/// Whose record it is, and its id: `(auth_id, id)`.
type Owned = (String, String);

/// The state of the documented JSON flows.
#[derive(Default)]
pub(crate) struct Flows {
    state: Mutex<FlowState>,
}

#[derive(Default)]
struct FlowState {
    /// Async payments by `(auth_id, id)`.
    payments: BTreeMap<Owned, AsyncPayment>,
    /// The id of the Async payment of `(auth_id, order_id)`.
    orders: BTreeMap<Owned, String>,
    /// The Card API `request_id`s processed, by `(auth_id, request_id)`.
    card_requests: BTreeSet<Owned>,
    /// The Async Gateway requests answered, by `(auth_id, X-Request-Id)`:
    /// the id their answer named (a payment's), if any.
    async_requests: BTreeMap<Owned, Option<String>>,
    /// The Card API clients created, by `(auth_id, client_id)`.
    card_clients: BTreeSet<Owned>,
}

impl Flows {
    fn state(&self) -> MutexGuard<'_, FlowState> {
        // Nothing panics while holding it; a poisoned lock keeps its state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records an answered Async Gateway request, for the read request
    /// (`gateway.request.status`): its `X-Request-Id` and the `id` its answer
    /// named, if any.
    pub(crate) fn record_async_request(&self, auth_id: &str, request_id: &str, id: Option<&str>) {
        let mut state = self.state();
        if state.async_requests.len() >= super::MAX_REMEMBERED {
            state.async_requests.clear();
        }
        state.async_requests.insert(
            (auth_id.to_owned(), request_id.to_owned()),
            id.map(str::to_owned),
        );
    }

    /// The Async payment `id` of `auth_id`.
    pub fn async_payment(&self, auth_id: &str, id: &str) -> Option<AsyncPayment> {
        self.state()
            .payments
            .get(&(auth_id.to_owned(), id.to_owned()))
            .cloned()
    }

    /// The Async payment of `auth_id` for `order_id`.
    pub fn async_payment_of_order(&self, auth_id: &str, order_id: &str) -> Option<AsyncPayment> {
        let state = self.state();
        let id = state
            .orders
            .get(&(auth_id.to_owned(), order_id.to_owned()))?;
        state
            .payments
            .get(&(auth_id.to_owned(), id.clone()))
            .cloned()
    }
}

/// A refusal of a JSON request: its HTTP status and the error envelope's
/// `error_code` and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The HTTP status: 4xx for the caller's mistakes, 500 for the sandbox's.
    pub status: StatusCode,
    /// `error_code`.
    pub code: &'static str,
    /// `error_description`.
    pub description: String,
}

impl Refusal {
    /// A refusal with its HTTP status, code and description.
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Refusal {
            status,
            code,
            description: description.into(),
        }
    }

    fn not_found(description: impl Into<String>) -> Self {
        Refusal::new(StatusCode::NOT_FOUND, "not_found", description)
    }
}

impl From<SpecAnswerError> for Refusal {
    /// The spec's answer does not build: the sandbox's fault, never the caller's.
    fn from(error: SpecAnswerError) -> Self {
        Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "spec", error.to_string())
    }
}

/// The spec's answers to every JSON endpoint (`JsonHandler`'s defaults).
struct SpecAnswers;

impl JsonHandler for SpecAnswers {
    type Context = ();
    type Error = SpecAnswerError;
}

/// The sandbox's answers to the JSON endpoints: the spec's, decided by the
/// state where the documentation describes a flow. The context is the
/// caller's `auth_id`.
pub(crate) struct StatefulAnswers<'a> {
    flows: &'a Flows,
}

impl<'a> StatefulAnswers<'a> {
    /// The answers, with the state in `flows`.
    pub fn new(flows: &'a Flows) -> Self {
        StatefulAnswers { flows }
    }

    /// Runs a Card API request whose own id is `request_id`: refused when
    /// the caller used the id before, else `answer` (which may refuse too),
    /// and the id is recorded once the request is answered.
    fn card_request<T>(
        &self,
        auth_id: &str,
        request_id: &str,
        answer: impl FnOnce(&mut FlowState) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut state = self.flows.state();
        let key = (auth_id.to_owned(), request_id.to_owned());
        if state.card_requests.contains(&key) {
            return Err(Refusal::new(
                StatusCode::CONFLICT,
                "duplicate_request_id",
                format!("the request_id {request_id:?} was already used"),
            ));
        }
        let answer = answer(&mut state)?;
        state.card_requests.insert(key);
        Ok(answer)
    }
}

/// A text naming a payment: absent when missing or blank.
fn named(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// An extra member naming a payment, as text: a string or a number
/// (liberal); absent when missing, null or blank; another JSON value is
/// refused.
fn extra_text(extra: &JsonMap, name: &str) -> Result<Option<String>, Refusal> {
    match extra.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(named(Some(text))),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(_) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "validation",
            format!("`{name}` must be text"),
        )),
    }
}

impl FlowState {
    /// The key of the caller's Async payment named by `id` and/or
    /// `order_id` (both: the same payment's).
    /// The payment `key` names, unless it was reversed (409 `reversed`).
    fn live_payment(&self, key: &Owned) -> Result<&AsyncPayment, Refusal> {
        match self.payments.get(key) {
            Some(payment) if payment.reversed => Err(Refusal::new(
                StatusCode::CONFLICT,
                "reversed",
                format!("the payment {:?} is reversed", key.1),
            )),
            Some(payment) => Ok(payment),
            None => Err(Refusal::not_found(format!("no payment {:?}", key.1))),
        }
    }

    fn find_payment(
        &self,
        auth_id: &str,
        id: Option<String>,
        order_id: Option<String>,
    ) -> Result<Owned, Refusal> {
        let key = match (id, &order_id) {
            (None, None) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "validation",
                    "name the payment with `id` or `order_id`",
                ));
            }
            (Some(id), _) => (auth_id.to_owned(), id),
            (None, Some(order_id)) => {
                let order = (auth_id.to_owned(), order_id.clone());
                match self.orders.get(&order) {
                    Some(id) => (auth_id.to_owned(), id.clone()),
                    None => {
                        return Err(Refusal::not_found(format!(
                            "no payment for the order {order_id:?}"
                        )));
                    }
                }
            }
        };
        match self.payments.get(&key) {
            Some(payment) if order_id.is_none() || payment.order_id == order_id => Ok(key),
            Some(_) => Err(Refusal::not_found(format!(
                "the payment {:?} is not the order {:?}'s",
                key.1,
                order_id.unwrap_or_default()
            ))),
            None => Err(Refusal::not_found(format!("no payment {:?}", key.1))),
        }
    }
}

impl JsonHandler for StatefulAnswers<'_> {
    type Context = String;
    type Error = Refusal;

    fn async_payment_create(
        &self,
        auth_id: &String,
        request: AsyncPaymentCreateRequest,
    ) -> Result<AsyncPaymentCreateResponse, Refusal> {
        let mut state = self.flows.state();
        let order_id = named(request.order_id.as_deref());
        // A repeated order is answered with its payment, as the Gateway
        // export documents ("the original response"), not a second payment.
        if let Some(order_id) = &order_id
            && let Some(first) = state.orders.get(&(auth_id.clone(), order_id.clone()))
        {
            let mut answer = SpecAnswers.async_payment_create(&(), request)?;
            answer.id = Some(first.clone());
            return Ok(answer);
        }
        let payment = AsyncPayment {
            id: uuid::Uuid::now_v7().to_string(),
            auth_id: auth_id.clone(),
            order_id: order_id.clone(),
            amount: request.amount,
            currency: request.currency.clone(),
            reversed: false,
            cleared: None,
            refunded: Decimal::ZERO,
        };
        // The documented answer, naming the payment the sandbox made.
        let mut answer = SpecAnswers.async_payment_create(&(), request)?;
        answer.id = Some(payment.id.clone());
        tracing::info!(%auth_id, id = %payment.id, "async payment created");
        if let Some(order_id) = order_id {
            state
                .orders
                .insert((auth_id.clone(), order_id), payment.id.clone());
        }
        state
            .payments
            .insert((auth_id.clone(), payment.id.clone()), payment);
        Ok(answer)
    }

    fn async_payment_read(
        &self,
        auth_id: &String,
        request: AsyncPaymentReadRequest,
    ) -> Result<AsyncPaymentReadResponse, Refusal> {
        let id = named(request.id.as_deref());
        let order_id = named(request.order_id.as_deref());
        self.flows.state().find_payment(auth_id, id, order_id)?;
        Ok(SpecAnswers.async_payment_read(&(), request)?)
    }

    fn async_payment_reverse(
        &self,
        auth_id: &String,
        request: AsyncPaymentReverseRequest,
    ) -> Result<AsyncPaymentReverseResponse, Refusal> {
        // The body names the payment by `id`; an `order_id` is read from the
        // extra members too (liberal, as the read takes one).
        let id = named(request.id.as_deref());
        let order_id = extra_text(&request.extra, "order_id")?;
        let mut state = self.flows.state();
        let key = state.find_payment(auth_id, id, order_id)?;
        if state.payments.get(&key).is_some_and(|p| p.reversed) {
            return Err(Refusal::new(
                StatusCode::CONFLICT,
                "already_reversed",
                format!("the payment {:?} is reversed already", key.1),
            ));
        }
        let answer = SpecAnswers.async_payment_reverse(&(), request)?;
        if let Some(payment) = state.payments.get_mut(&key) {
            payment.reversed = true;
        }
        tracing::info!(%auth_id, id = %key.1, "async payment reversed");
        Ok(answer)
    }

    fn async_payment_request_status(
        &self,
        auth_id: &String,
        request: AsyncPaymentRequestStatusRequest,
    ) -> Result<AsyncPaymentRequestStatusResponse, Refusal> {
        let asked = (auth_id.clone(), request.id.clone());
        let Some(named) = self.flows.state().async_requests.get(&asked).cloned() else {
            return Err(Refusal::not_found(format!(
                "no request {:?} was received",
                asked.1
            )));
        };
        let mut answer = SpecAnswers.async_payment_request_status(&(), request)?;
        answer.id = asked.1;
        if let Some(id) = named {
            answer.response.id = id;
        }
        Ok(answer)
    }

    fn async_payment_clearing(
        &self,
        auth_id: &String,
        request: AsyncPaymentClearingRequest,
    ) -> Result<AsyncPaymentClearingResponse, Refusal> {
        let mut state = self.flows.state();
        let key = state.find_payment(auth_id, named(Some(&request.id)), None)?;
        let wanted = request.amount.as_decimal();
        let payment = state.live_payment(&key)?;
        if payment.cleared.is_some() {
            return Err(Refusal::new(
                StatusCode::CONFLICT,
                "already_cleared",
                format!("the payment {:?} is cleared already", key.1),
            ));
        }
        if payment
            .amount
            .is_some_and(|amount| wanted > amount.as_decimal())
        {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "amount",
                "the clearing amount is more than the payment's",
            ));
        }
        let answer = SpecAnswers.async_payment_clearing(&(), request)?;
        if let Some(payment) = state.payments.get_mut(&key) {
            payment.cleared = Some(wanted);
        }
        tracing::info!(%auth_id, id = %key.1, "async payment cleared");
        Ok(answer)
    }

    fn async_payment_refund(
        &self,
        auth_id: &String,
        request: AsyncPaymentRefundRequest,
    ) -> Result<AsyncPaymentRefundResponse, Refusal> {
        let mut state = self.flows.state();
        let key = state.find_payment(auth_id, named(Some(&request.id)), None)?;
        let wanted = request.amount.as_decimal();
        let payment = state.live_payment(&key)?;
        // What may be refunded: the cleared amount, else the payment's.
        let limit = payment
            .cleared
            .or_else(|| payment.amount.map(|amount| amount.as_decimal()));
        if limit.is_some_and(|limit| payment.refunded + wanted > limit) {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "amount",
                "the refunds would exceed the payment's amount",
            ));
        }
        let answer = SpecAnswers.async_payment_refund(&(), request)?;
        if let Some(payment) = state.payments.get_mut(&key) {
            payment.refunded += wanted;
        }
        tracing::info!(%auth_id, id = %key.1, "async payment refunded");
        Ok(answer)
    }

    fn card_client_add(
        &self,
        auth_id: &String,
        request: CardClientAddRequest,
    ) -> Result<CardClientAddResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |state| {
            let mut answer = SpecAnswers.card_client_add(&(), request)?;
            let client_id = uuid::Uuid::now_v7().to_string();
            state
                .card_clients
                .insert((auth_id.clone(), client_id.clone()));
            answer.client_id = Some(client_id);
            Ok(answer)
        })
    }

    fn card_link(
        &self,
        auth_id: &String,
        request: CardLinkRequest,
    ) -> Result<CardLinkResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |state| {
            let client = (auth_id.clone(), request.client_id.clone());
            if !state.card_clients.contains(&client) {
                return Err(Refusal::not_found(format!(
                    "no client {:?} was created (Create client)",
                    client.1
                )));
            }
            Ok(SpecAnswers.card_link(&(), request)?)
        })
    }

    fn card_request_status(
        &self,
        auth_id: &String,
        request: CardRequestStatusRequest,
    ) -> Result<CardRequestStatusResponse, Refusal> {
        let asked = (auth_id.clone(), request.request_id.clone());
        if !self.flows.state().card_requests.contains(&asked) {
            return Err(Refusal::not_found(format!(
                "no request {:?} was received",
                asked.1
            )));
        }
        Ok(SpecAnswers.card_request_status(&(), request)?)
    }

    fn card_close(
        &self,
        auth_id: &String,
        request: CardCloseRequest,
    ) -> Result<CardCloseResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |_| {
            Ok(SpecAnswers.card_close(&(), request)?)
        })
    }

    fn card_info(
        &self,
        auth_id: &String,
        request: CardInfoRequest,
    ) -> Result<CardInfoResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |_| {
            Ok(SpecAnswers.card_info(&(), request)?)
        })
    }

    fn card_unblock(
        &self,
        auth_id: &String,
        request: CardUnblockRequest,
    ) -> Result<CardUnblockResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |_| {
            Ok(SpecAnswers.card_unblock(&(), request)?)
        })
    }

    fn card_transaction_refund(
        &self,
        auth_id: &String,
        request: CardTransactionRefundRequest,
    ) -> Result<CardTransactionRefundResponse, Refusal> {
        let request_id = request.request_id.clone();
        self.card_request(auth_id, &request_id, |_| {
            Ok(SpecAnswers.card_transaction_refund(&(), request)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::json;

    use super::*;

    fn request<T: DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).expect("a request")
    }

    fn merchant() -> String {
        "545084".to_owned()
    }

    #[test]
    fn an_async_payment_is_read_and_reversed_once() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        answers
            .async_payment_create(&me, request(json!({"order_id": "o-1", "amount": 10.5})))
            .expect("created");
        let payment = flows.async_payment_of_order(&me, "o-1").expect("recorded");
        assert_eq!(payment.id.len(), 36, "a UUID: {}", payment.id);
        assert_eq!(&payment.id[14..15], "7", "a UUID v7: {}", payment.id);
        assert_eq!(payment.amount, Some("10.5".parse().unwrap()));
        assert!(!payment.reversed);
        let id = payment.id.clone();
        for named in [
            json!({"id": id}),
            json!({"order_id": "o-1"}),
            json!({"id": id, "order_id": "o-1"}),
        ] {
            answers
                .async_payment_read(&me, request(named.clone()))
                .unwrap_or_else(|e| panic!("{named}: {e:?}"));
        }
        answers
            .async_payment_reverse(&me, request(json!({"id": id})))
            .expect("reversed");
        assert!(flows.async_payment(&me, &id).unwrap().reversed);
        answers
            .async_payment_read(&me, request(json!({"id": id})))
            .expect("a reversed payment is still there");
        let again = answers
            .async_payment_reverse(&me, request(json!({"order_id": "o-1"})))
            .unwrap_err();
        assert_eq!(
            (again.status, again.code),
            (StatusCode::CONFLICT, "already_reversed")
        );
    }

    #[test]
    fn unknown_or_mismatched_payments_are_not_found() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        answers
            .async_payment_create(&me, request(json!({"order_id": 1234})))
            .expect("created");
        let id = flows.async_payment_of_order(&me, "1234").unwrap().id;
        let not_found = |refusal: Refusal| {
            assert_eq!(
                (refusal.status, refusal.code),
                (StatusCode::NOT_FOUND, "not_found"),
                "{refusal:?}"
            );
        };
        // The documented example's id is not the sandbox's.
        not_found(
            answers
                .async_payment_read(
                    &me,
                    request(
                        json!({"id": "01907dac-a93d-776e-b475-cba6a54a4888", "order_id": "1234"}),
                    ),
                )
                .unwrap_err(),
        );
        not_found(
            answers
                .async_payment_read(&me, request(json!({"id": id, "order_id": "999"})))
                .unwrap_err(),
        );
        not_found(
            answers
                .async_payment_reverse(&me, request(json!({"order_id": "999"})))
                .unwrap_err(),
        );
        // Another auth_id does not see it.
        not_found(
            answers
                .async_payment_read(&"777".to_owned(), request(json!({"order_id": "1234"})))
                .unwrap_err(),
        );
        // Naming nothing: the caller's mistake, 400 (an `id` that is not
        // text is refused by the body's type before it gets here).
        for body in [
            json!({}),
            json!({"id": "  "}),
            json!({"order_id": {"x": 1}}),
        ] {
            let refused = answers
                .async_payment_reverse(&me, request(body.clone()))
                .unwrap_err();
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        }
        assert!(flows.async_payment(&me, &id).is_some_and(|p| !p.reversed));
        // An order id sent as a number names it too, liberally.
        answers
            .async_payment_reverse(&me, request(json!({"order_id": 1234})))
            .expect("reversed");
        assert!(flows.async_payment(&me, &id).is_some_and(|p| p.reversed));
    }

    #[test]
    fn clearing_and_refunds_follow_the_payment() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        let created = answers
            .async_payment_create(
                &me,
                request(json!({"order_id": "o-9", "amount": 100, "auto_clearing": false})),
            )
            .expect("created");
        let id = created.id.expect("the payment's id");
        let clear = |amount: u32| {
            answers.async_payment_clearing(&me, request(json!({"id": id, "amount": amount})))
        };
        let refund = |amount: u32| {
            answers.async_payment_refund(&me, request(json!({"id": id, "amount": amount})))
        };
        let refused = |result: Result<(), Refusal>, status, code| {
            let refusal = result.unwrap_err();
            assert_eq!(
                (refusal.status, refusal.code),
                (status, code),
                "{refusal:?}"
            );
        };
        refused(clear(101).map(drop), StatusCode::BAD_REQUEST, "amount");
        clear(60).expect("cleared");
        refused(clear(60).map(drop), StatusCode::CONFLICT, "already_cleared");
        refund(50).expect("refunded");
        refused(refund(20).map(drop), StatusCode::BAD_REQUEST, "amount");
        refund(10).expect("the rest of the cleared amount");
        let payment = flows.async_payment(&me, &id).expect("kept");
        assert_eq!(
            (payment.cleared, payment.refunded),
            (Some(Decimal::from(60)), Decimal::from(60))
        );
        answers
            .async_payment_reverse(&me, request(json!({"id": id})))
            .expect("reversed");
        refused(refund(1).map(drop), StatusCode::CONFLICT, "reversed");
        refused(
            answers
                .async_payment_clearing(
                    &me,
                    request(json!({"id": "01909b30-b86a-77ef-ab25-0a7d126e8f4a", "amount": 1})),
                )
                .map(drop),
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }

    #[test]
    fn an_order_id_names_one_async_payment() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        let first = answers
            .async_payment_create(&me, request(json!({"order_id": "o-1"})))
            .expect("created");
        assert_eq!(
            first.id,
            flows.async_payment_of_order(&me, "o-1").map(|p| p.id),
            "the answer names the sandbox's payment"
        );
        let twice = answers
            .async_payment_create(&me, request(json!({"order_id": "o-1"})))
            .expect("the same order: its payment again");
        assert_eq!(twice.id, first.id);
        // Another caller's order ids are its own; a payment without one is kept too.
        answers
            .async_payment_create(&"777".to_owned(), request(json!({"order_id": "o-1"})))
            .expect("another auth_id");
        answers
            .async_payment_create(&me, request(json!({})))
            .expect("no order id");
    }

    fn client_add(request_id: &str) -> CardClientAddRequest {
        request(json!({
            "request_id": request_id,
            "product_id": 2000,
            "client": {"phone": 77001234567u64, "type": 1, "resident": 1,
                       "first_name": "IVAN", "last_name": "IVANOV"}
        }))
    }

    #[test]
    fn card_requests_are_unique_and_their_status_is_known() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        let status =
            |id: &str| answers.card_request_status(&me, request(json!({"request_id": id})));
        let unknown = status("r-1").unwrap_err();
        assert_eq!(
            (unknown.status, unknown.code),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let added = answers
            .card_client_add(&me, client_add("r-1"))
            .expect("added");
        let client_id = added.client_id.clone().expect("a client id");
        assert_eq!(&client_id[14..15], "7", "a UUID v7: {client_id}");
        status("r-1").expect("a request it sent");
        // The status call names another request: asking twice is fine.
        status("r-1").expect("asked again");
        let twice = answers.card_client_add(&me, client_add("r-1")).unwrap_err();
        assert_eq!(
            (twice.status, twice.code),
            (StatusCode::CONFLICT, "duplicate_request_id")
        );
        let other = answers
            .card_client_add(&me, client_add("r-2"))
            .expect("added");
        assert_ne!(other.client_id, added.client_id, "a fresh client id");
        // Another auth_id: its own request ids.
        let stranger = "777".to_owned();
        assert!(
            answers
                .card_request_status(&stranger, request(json!({"request_id": "r-1"})))
                .is_err()
        );
        answers
            .card_info(
                &stranger,
                request(json!({"request_id": "r-1", "card_id": "c-1"})),
            )
            .expect("its own r-1");
    }

    #[test]
    fn update_client_needs_a_created_client() {
        let flows = Flows::default();
        let answers = StatefulAnswers::new(&flows);
        let me = merchant();
        let link = |request_id: &str, client_id: &str| {
            answers.card_link(
                &me,
                request(
                    json!({"request_id": request_id, "client_id": client_id, "card_id": "c-1"}),
                ),
            )
        };
        let unknown = link("r-1", "nobody").unwrap_err();
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let client_id = answers
            .card_client_add(&me, client_add("r-2"))
            .expect("added")
            .client_id
            .expect("an id");
        // The refused request was not processed: its id is still free.
        link("r-1", &client_id).expect("linked");
        answers
            .card_request_status(&me, request(json!({"request_id": "r-1"})))
            .expect("the link was processed");
    }
}
