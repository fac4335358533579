//! The gateway error an operation answers with, and the code each of the
//! store's refusals is answered with.

use freedompay::errors::ErrorCode;
use freedompay::server::SpecAnswerError;

use crate::store::StoreError;

/// A gateway error an operation answers with: `pg_error_code` and
/// `pg_error_description`, and the `pg_payment_id` of the payment it
/// concerns when the refused request made or finished one (a declined
/// Gateway card payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The code.
    pub code: ErrorCode,
    /// The description sent in `pg_error_description`.
    pub description: String,
    /// The payment the refusal concerns, sent as `pg_payment_id`.
    pub payment_id: Option<i64>,
}

impl Failure {
    /// A failure with `code` and a description.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Failure {
            code,
            description: description.into(),
            payment_id: None,
        }
    }

    /// The same failure, naming the payment it concerns.
    pub fn of_payment(mut self, payment_id: i64) -> Self {
        self.payment_id = Some(payment_id);
        self
    }
}

/// A request the sandbox's rules refuse: `200`, naming what is wrong.
pub(crate) fn invalid(error: impl std::fmt::Display) -> Failure {
    Failure::new(ErrorCode::InvalidParameter, error.to_string())
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::NotFound(_) => ErrorCode::PaymentNotFound,
            StoreError::IdempotencyKeyReused => ErrorCode::RepeatedOperation,
            StoreError::InsufficientBalance => ErrorCode::InsufficientPayoutBalance,
            StoreError::OrderIdTaken(_) => ErrorCode::OrderIdNotUnique,
            StoreError::AlreadyDone => ErrorCode::TransactionAlreadyDone,
            StoreError::NotStored(_) => {
                return Failure::new(
                    ErrorCode::SystemError,
                    "system error: the sandbox could not store the change",
                );
            }
        };
        Failure::new(code, error.to_string())
    }
}

impl From<SpecAnswerError> for Failure {
    fn from(error: SpecAnswerError) -> Self {
        Failure::new(ErrorCode::SystemError, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use freedompay::errors::ErrorCode;

    use super::Failure;
    use crate::store::{Missing, StoreError};

    /// Each refusal of the store keeps the gateway code it was always answered with.
    #[test]
    fn store_errors_answer_with_their_gateway_codes() {
        let cases = [
            (
                StoreError::NotFound(Missing::Payment(7)),
                ErrorCode::PaymentNotFound,
                "payment 7 not found",
            ),
            (
                StoreError::NotFound(Missing::Payout(7)),
                ErrorCode::PaymentNotFound,
                "payout not found",
            ),
            (
                StoreError::NotFound(Missing::SavedCard("t".to_owned())),
                ErrorCode::PaymentNotFound,
                "no such saved card for this user",
            ),
            (
                StoreError::IdempotencyKeyReused,
                ErrorCode::RepeatedOperation,
                "this idempotency key was already used for a different request",
            ),
            (
                StoreError::InsufficientBalance,
                ErrorCode::InsufficientPayoutBalance,
                "insufficient funds on the payout balance",
            ),
            (
                StoreError::OrderIdTaken("o-1".to_owned()),
                ErrorCode::OrderIdNotUnique,
                "the order id o-1 was already used for a cash-by-code operation",
            ),
            (
                StoreError::AlreadyDone,
                ErrorCode::TransactionAlreadyDone,
                "the payout has already been made",
            ),
            (
                StoreError::NotStored("disk full".to_owned()),
                ErrorCode::SystemError,
                "system error: the sandbox could not store the change",
            ),
        ];
        for (error, code, description) in cases {
            assert_eq!(Failure::from(error), Failure::new(code, description));
        }
        let numbers: Vec<i64> = [
            ErrorCode::PaymentNotFound,
            ErrorCode::RepeatedOperation,
            ErrorCode::InsufficientPayoutBalance,
            ErrorCode::OrderIdNotUnique,
            ErrorCode::TransactionAlreadyDone,
            ErrorCode::SystemError,
        ]
        .into_iter()
        .map(ErrorCode::code)
        .collect();
        assert_eq!(numbers, [11068, 11013, 8888, 9991, 10015, 9999]);
    }
}
