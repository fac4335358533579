//! The sandbox gateway with the generated client and a merchant server, all
//! in-process: full flows, the rules it enforces (signature, unknown
//! merchant, validation, idempotency, lifecycle) and the callbacks it sends.

// What the tests below share: the sandbox, the client, a merchant server, a payer.
mod harness;

// Card purchase, decline, hold → clearing → refund, cancel, mobile balance,
// payouts, saved cards; signature, validation and idempotency rules.
mod flows;

// Recurring charges on the profile of a paid card payment, saved cards
// charged after the payer types the CVC, installment, ATM cash by code, the
// resend of a mobile-balance code.
mod more_payments;
