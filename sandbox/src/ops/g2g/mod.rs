//! The Gateway API (Sync), server to server: the merchant sends the card's
//! data itself. Its operations are the Merchant API's, on the same store:
//! `payments` (card payments, 3-D Secure, clearing, cancel, refund,
//! status), `cards` (card storage), `transfers` (card to card), `tokens`
//! (saved-card token, Apple Pay and Google Pay payments, token payouts),
//! `payouts` (balance, IBAN, status). The card data of its requests is read
//! in `card` only.

mod card;
pub(super) mod cards;
pub(super) mod payments;
pub(super) mod payouts;
pub(super) mod tokens;
pub(super) mod transfers;
