//! The card data of the Gateway's requests (number, expiry, CVC), read in
//! this one place: the rest of the sandbox sees a [`Card`], which shows
//! nothing but the masked number, and never keeps the CVC. Nothing here is
//! logged.

use freedompay::errors::ErrorCode;
use freedompay::gateway::card_storage::G2gCardAddRequest;
use freedompay::gateway::payments::G2gCardPaymentRequest;
use freedompay::gateway::tokens::{G2gApplePayPaymentRequest, G2gGooglePayPaymentRequest};
use freedompay::gateway::transfers::G2gTransferRequest;
use freedompay::{CardNumber, Sensitive};

use crate::ops::{Failure, invalid};
use crate::values::{mask, this_month};

/// The wire names of the card data a Gateway request may carry (a wallet's
/// cryptogram too): left out of what the sandbox keeps of a request (its
/// merchant parameters, an idempotency fingerprint).
pub(super) const CARD_FIELDS: &[&str] = &[
    "pg_card_pan",
    "pg_card_cvc",
    "pg_card_month",
    "pg_card_year",
    "pg_card_name",
    "pg_online_payment_cryptogram",
];

/// The recipient's card number of a transfer (`pg_card_recipient`), as
/// sent, when it names one.
pub(super) fn transfer_recipient(request: &G2gTransferRequest) -> Option<&str> {
    request
        .card_recipient
        .as_ref()
        .map(|number| number.expose().trim())
        .filter(|n| !n.is_empty())
}

/// The card of a request, as sent. It has no `Debug`: only
/// [`Card::masked`] may be shown.
pub(super) struct Card<'a> {
    number: &'a str,
    cvc: Option<&'a str>,
    month: &'a str,
    year: &'a str,
}

impl<'a> Card<'a> {
    /// The payer's card of a card payment (`g2g/payment`).
    pub(super) fn of_payment(request: &'a G2gCardPaymentRequest) -> Self {
        Card {
            number: request.card_pan.expose(),
            cvc: Some(request.card_cvc.expose()),
            month: request.card_month.expose(),
            year: request.card_year.expose(),
        }
    }

    /// The device card of an Apple Pay payment (its DPAN and expiry).
    pub(super) fn of_apple_pay(request: &'a G2gApplePayPaymentRequest) -> Self {
        Card {
            number: request.card_pan.expose(),
            cvc: request.card_cvc.as_ref().map(Sensitive::expose),
            month: request.card_month.expose(),
            year: request.card_year.expose(),
        }
    }

    /// The card of a Google Pay payment (its number and expiry).
    pub(super) fn of_google_pay(request: &'a G2gGooglePayPaymentRequest) -> Self {
        Card {
            number: request.card_pan.expose(),
            cvc: None,
            month: request.card_month.expose(),
            year: request.card_year.expose(),
        }
    }

    /// The card of a card-saving request (`g2g/cardstorage/add`): its
    /// number, or `saved_number` (that of the saved card its `pg_card_token`
    /// names) when it sends none; `None` without either.
    pub(super) fn of_card_add(
        request: &'a G2gCardAddRequest,
        saved_number: Option<&'a str>,
    ) -> Option<Self> {
        Some(Card {
            number: request
                .card_pan
                .as_ref()
                .map(CardNumber::expose)
                .or(saved_number)?,
            cvc: Some(request.card_cvc.expose()),
            month: request.card_month.expose(),
            year: request.card_year.expose(),
        })
    }

    /// The sender's card of a transfer (`g2g/p2p/transfer`), when it sends
    /// `pg_card_pan`; its expiry is then needed (200 without it).
    pub(super) fn of_transfer_sender(
        request: &'a G2gTransferRequest,
    ) -> Result<Option<Self>, Failure> {
        let Some(number) = request.card_pan.as_ref().map(CardNumber::expose) else {
            return Ok(None);
        };
        let needed = |value: &'a Option<Sensitive>, name: &str| {
            value
                .as_ref()
                .map(Sensitive::expose)
                .ok_or_else(|| invalid(format!("{name}: required with pg_card_pan")))
        };
        Ok(Some(Card {
            number,
            cvc: request.card_cvc.as_ref().map(Sensitive::expose),
            month: needed(&request.card_month, "pg_card_month")?,
            year: needed(&request.card_year, "pg_card_year")?,
        }))
    }

    /// The card's number, as sent (its digits, for the issuer's decision).
    pub(super) fn number(&self) -> &str {
        self.number.trim()
    }

    /// The number as the gateway shows it: the first six and last four digits.
    pub(super) fn masked(&self) -> String {
        mask(self.number())
    }

    /// Refuses a card whose expiry or CVC cannot be a card's (10005) or
    /// whose expiry has passed (10017).
    pub(super) fn check(&self) -> Result<(), Failure> {
        let wrong = |what: &str| Failure::new(ErrorCode::InvalidCardData, what);
        let month: u32 = self
            .month
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| wrong("the expiry month is not 01 to 12"))?;
        let year: u32 = self
            .year
            .trim()
            .parse()
            .ok()
            .filter(|y| *y < 100)
            .ok_or_else(|| wrong("the expiry year is not two digits"))?;
        if let Some(cvc) = self.cvc.map(str::trim)
            && !((3..=4).contains(&cvc.len()) && cvc.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(wrong("the CVC is not 3 or 4 digits"));
        }
        if (2000 + year, month) < this_month() {
            return Err(Failure::new(ErrorCode::CardExpired, "the card has expired"));
        }
        Ok(())
    }
}
