//! The sandbox gateway with the generated client and a merchant server, all
//! in-process: full flows, the rules it enforces (signature, unknown
//! merchant, validation, idempotency, lifecycle) and the callbacks it sends.

// What the tests below share: the sandbox, the client, a merchant server, a payer.
mod harness;

// Card purchase, decline, hold → clearing → refund, cancel, mobile balance,
// payouts, saved cards; signature, validation and idempotency rules.
mod flows;

// The page's steps: the amount the payer chooses, 3-D Secure, a mobile
// balance paid with a phone and a code; what each test card's issuer allows.
mod page_steps;

// One test per validation rule, per kind of bad signature, per unknown merchant.
mod rules;

// Every endpoint a merchant calls is answered: by its simulated operation or
// from the spec; the README's table of which is which is current.
mod coverage;

// A new endpoint needs only its YAML: generated, served and called.
mod yaml_only;

// Random parameters on every path and random forms on the page: always a readable answer.
mod robustness;

// Payouts to an IBAN, to a card saved for payouts, through the payee's
// payout page; the v1 payout status.
mod payouts;

// Recurring charges on the profile of a paid card payment, saved cards
// charged after the payer types the CVC, installment, ATM cash by code, the
// resend of a mobile-balance code.
mod more_payments;

// Never charge twice: lost answers behind a fault proxy, retries only where a
// second copy cannot act twice, "outcome unknown" otherwise, pacing.
mod faults;

// The JSON families (Async Gateway, Card, Partner, Invoice v5): every example
// sent by the client with its detached JWS and answered; the JWS, request id
// and validation rules of the front door.
mod json_families;

// The Gateway API (Sync) server to server: card payments that approve,
// decline or pass 3-D Secure on the sandbox's ACS page, then paymentAcs,
// clearing, cancel, refund and status_v2 on the Merchant API's payments; no
// card number or CVC in the logs.
mod gateway;

// Freedom ID (the Partner API's identity provider): its calls with HTTP Basic
// client credentials, on their own host; refusals in Freedom ID's envelope.
mod freedom_id;

// The signature debugger over HTTP: its page is self-contained, every input
// is answered (never a 5xx), a documented request and JWS are explained.
mod debugger;
