//! Whether a request that met a transient failure may be sent again, with no I/O.
//!
//! A payment library must never charge twice. A request that failed before
//! it left (no connection) can always be sent again. One that may have reached
//! the gateway (no answer in time, a broken connection, a proxy's 502, 503 or
//! 504) is sent again only when a second copy cannot do anything twice: it
//! only reads ([`Effect::Read`]), or it carries an idempotency key, which makes
//! the gateway answer the copy with the outcome of the first.
//!
//! ```
//! use freedompay_core::retry::{Resend, Transient};
//!
//! assert!(Resend::Unsafe.allows(Transient::NotSent));
//! assert!(!Resend::Unsafe.allows(Transient::NoAnswer));
//! assert!(Resend::Idempotent.allows(Transient::Unavailable(503)));
//! assert_eq!(Transient::from_status(500), None);
//! ```

use crate::exchange::PreparedRequest;
use crate::message::{Effect, Endpoint};

/// A failure after which the same request may succeed if sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// No connection could be made: the request never left.
    NotSent,
    /// The request was (or may have been) sent, and no answer came: a timeout
    /// or a connection closed before the answer was complete.
    NoAnswer,
    /// Something in front of the gateway answered 502, 503 or 504.
    Unavailable(u16),
}

impl Transient {
    /// The transient failure an HTTP status stands for: 502, 503 and 504.
    pub fn from_status(status: u16) -> Option<Self> {
        matches!(status, 502..=504).then_some(Transient::Unavailable(status))
    }

    /// Whether the gateway may have received the request (and acted on it).
    pub fn may_have_reached_gateway(self) -> bool {
        self != Transient::NotSent
    }
}

/// What sending a request a second time could do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// It only reads: a second copy is harmless.
    Read,
    /// It carries an idempotency key: the gateway answers a second copy with
    /// the outcome of the first.
    Idempotent,
    /// It creates or changes something and carries no idempotency key: a
    /// second copy could do it twice.
    Unsafe,
}

impl Resend {
    /// How safe it is to send `prepared`, a request of `E`, again.
    pub fn of<E: Endpoint>(prepared: &PreparedRequest) -> Self {
        Resend::new(E::EFFECT, prepared.idempotency_key::<E>().is_some())
    }

    /// How safe it is to send again a request with `effect` that carries
    /// (`keyed`) or not a key the gateway deduplicates by.
    pub fn new(effect: Effect, keyed: bool) -> Self {
        match (effect, keyed) {
            (Effect::Read, _) => Resend::Read,
            (Effect::Write, true) => Resend::Idempotent,
            (Effect::Write, false) => Resend::Unsafe,
        }
    }

    /// Whether the request may be sent again after `failure`.
    pub fn allows(self, failure: Transient) -> bool {
        !failure.may_have_reached_gateway() || self != Resend::Unsafe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_502_503_and_504_are_transient_statuses() {
        for status in [200, 400, 404, 429, 500, 501, 505] {
            assert_eq!(Transient::from_status(status), None, "{status}");
        }
        for status in [502, 503, 504] {
            assert_eq!(
                Transient::from_status(status),
                Some(Transient::Unavailable(status))
            );
        }
    }

    #[test]
    fn an_unsafe_request_is_resent_only_when_it_never_left() {
        let failures = [
            Transient::NotSent,
            Transient::NoAnswer,
            Transient::Unavailable(502),
        ];
        for failure in failures {
            assert!(Resend::Read.allows(failure));
            assert!(Resend::Idempotent.allows(failure));
            assert_eq!(
                Resend::Unsafe.allows(failure),
                failure == Transient::NotSent
            );
        }
    }
}
