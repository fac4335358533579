//! The fixed vocabulary of the spec's reference data: where an error code's
//! meaning comes from, and what a documented test card is for and does. The
//! `freedompay` crate generates the tables themselves (`freedompay::errors`,
//! `freedompay::test_data`) from `spec/shared/`.

/// Where the meaning of an error code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Freedom Pay's own documentation.
    Freedompay,
    /// The PayBox-era table (predecessor; may be outdated).
    Paybox,
    /// The Platron/PayBox 1.x table (predecessor; probably outdated).
    Platron,
}

/// What a test card is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardUse {
    /// Purchases.
    Purchase,
    /// Payouts to a card.
    Payout,
}

/// Whether an operation can be done with a test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    /// The operation succeeds.
    Available,
    /// The operation is refused.
    NotAvailable,
    /// The operation cannot arise: the card never gets that far.
    Impossible,
}

/// The documented outcome of a test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Approved (purchase) or paid out (payout).
    Success,
    /// Declined, with the card's error code when documented.
    Declined,
    /// Stays in process, then succeeds.
    PendingThenSuccess,
    /// Stays in process, then fails with the card's error code.
    PendingThenDeclined,
}
