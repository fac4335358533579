//! Installment (`installment/init`): an installment or loan purchase the
//! buyer completes on a page of the gateway.
//!
//! The documentation says only that the page lists the credit and
//! installment products available to the merchant and that the outcome is
//! then queried with the status call. The sandbox's rule: each call creates
//! a new payment of the order's amount (KZT, charged at once), and
//! `pg_redirect_url` is the sandbox's payment page, where the buyer stands
//! for the chosen product by paying with a documented test card; the
//! payment then succeeds or fails as a card payment does, and
//! `get_status3.php` reports it. No result callback is sent, since the
//! request names no result URL.

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::merchant::installment::{InstallmentInitRequest, InstallmentInitResponse};

use super::merchant_params;
use crate::store::{Failure, Method, Payment};
use crate::{App, Merchant};

pub(super) fn installment_init(
    app: &Arc<App>,
    merchant: &Merchant,
    request: InstallmentInitRequest,
) -> Result<InstallmentInitResponse, Failure> {
    let payment = Payment {
        merchant_params: merchant_params(&request.extra),
        ..Payment::new(
            app.store.next_id(),
            &merchant.id,
            request.order_id.clone(),
            request.amount,
            request.description.clone(),
            Method::Card,
        )
    };
    let payment = app.store.create_payment(payment, None)?;
    tracing::info!(payment_id = payment.id, merchant = %merchant.id, "installment created");
    Ok(InstallmentInitResponse::new()
        .payment_id(payment.id)
        .merchant_id(merchant.number())
        .order_id(payment.order_id.clone())
        .amount(payment.amount)
        .redirect_url(format!("{}/sandbox/pay/{}", app.base_url, payment.id))
        .status(ResponseStatus::Ok)
        .transaction_type("init"))
}
