//! 3-D Secure on the sandbox's ACS page, the card issuer's page of the
//! Gateway API.
//!
//! An operation whose card asks for 3-D Secure opens a session: it answers
//! the merchant `pg_3ds=1` with the page's address (`pg_3d_acsurl`), the
//! session's MD (`pg_3d_md`) and its PaReq (`pg_3d_pareq`). The merchant
//! sends the payer there (posting `PaReq`, `MD` and its `TermUrl`); the payer
//! types the issuer's password (or gives up); the page then hands MD and a
//! PaRes back, posted to the `TermUrl` (or shown, without one). The merchant
//! passes them on (`g2g/paymentAcs`), and the operation ends as the payer
//! did. MD and PaRes serve once: a wrong pair is refused with 8889, a pair
//! already used with 10015, a pair asked for before the payer finished with
//! 11037.
//!
//! MD and PaRes are made of Latin letters, digits and dashes, so they pass
//! the character rules the documentation gives `pg_md` and `pg_pares`.

use std::sync::Arc;

use freedompay::errors::ErrorCode;
use freedompay::signature::generate_salt;

use super::{App, Failure, Page, THREE_DS_ATTEMPTS};
use crate::merchant::Merchant;
use crate::payer::THREE_DS_PASSWORD;
use crate::store::{AcsKind, AcsPurpose, AcsSession, AcsStep};

/// What a 3-D Secure answer tells the merchant: where to send the payer,
/// and what to post there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AcsRequest {
    /// The ACS page (`pg_3d_acsurl`).
    pub url: String,
    /// The merchant data (`pg_3d_md`).
    pub md: String,
    /// The authentication request (`pg_3d_pareq`).
    pub pareq: String,
}

/// Opens the 3-D Secure session of operation `id` of the merchant, for the
/// card whose masked number is `card_mask`; `amount` is what the page says
/// is being confirmed.
pub(crate) fn open(
    app: &Arc<App>,
    merchant: &Merchant,
    id: i64,
    purpose: AcsPurpose,
    card_mask: String,
    amount: Option<String>,
) -> Result<AcsRequest, Failure> {
    let session = app.store.create_acs_session(AcsSession {
        id,
        merchant_id: merchant.id.clone(),
        purpose,
        md: format!("{}{}", generate_salt(), generate_salt()),
        pareq: format!("{}{}{}", generate_salt(), generate_salt(), generate_salt()),
        card_mask,
        amount,
        step: AcsStep::Waiting { attempts: 0 },
    })?;
    tracing::info!(operation = id, "3-D Secure session opened");
    Ok(AcsRequest {
        url: app.page_url(Page::Acs, id),
        md: session.md,
        pareq: session.pareq,
    })
}

/// What the payer did on the ACS page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PayerStep {
    /// Typed a password and confirmed.
    Password(String),
    /// Gave up.
    Cancel,
}

/// What the page shows after the payer's step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AcsTurn {
    /// The password was wrong; the payer may try again.
    WrongPassword(AcsSession),
    /// The payer is done (now or before): MD and PaRes go back to the merchant.
    Answered(AcsSession),
}

/// The payer's step on the ACS page of operation `id`: the right password
/// passes, a wrong one counts (the third fails the payer), giving up fails
/// at once. Once the payer is done the session keeps its answer, and the
/// same PaRes is handed back again.
pub(crate) fn payer_step(app: &App, id: i64, step: &PayerStep) -> Result<AcsTurn, Failure> {
    let (session, answered) = app.store.update_acs_session(id, |s| {
        let AcsStep::Waiting { attempts } = s.step else {
            return Ok::<_, Failure>(true);
        };
        let passed = match step {
            PayerStep::Password(password) if password == THREE_DS_PASSWORD => true,
            PayerStep::Password(_) if attempts + 1 < THREE_DS_ATTEMPTS => {
                s.step = AcsStep::Waiting {
                    attempts: attempts + 1,
                };
                return Ok(false);
            }
            PayerStep::Password(_) | PayerStep::Cancel => false,
        };
        s.step = AcsStep::Answered {
            pares: format!("pares-{}{}", generate_salt(), generate_salt()),
            passed,
        };
        tracing::info!(operation = id, passed, "3-D Secure answered");
        Ok(true)
    })?;
    Ok(if answered {
        AcsTurn::Answered(session)
    } else {
        AcsTurn::WrongPassword(session)
    })
}

/// The values the merchant passed on from the ACS page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Returned<'a> {
    /// `pg_md`.
    pub md: &'a str,
    /// `pg_pares`.
    pub pares: &'a str,
}

/// Uses up the 3-D Secure session of the merchant's operation `id`, which
/// must be of `kind`, with the MD and PaRes the ACS
/// page handed back (or without them, where the finishing call carries
/// none): the session, and whether the payer passed. A session that is not there answers 8889, as do values that are
/// not the session's; a payer who has not finished answers 11037; a session
/// used before answers 10015.
pub(crate) fn take(
    app: &App,
    merchant: &Merchant,
    id: i64,
    kind: AcsKind,
    returned: Option<Returned<'_>>,
) -> Result<(AcsSession, bool), Failure> {
    let failed = |description: &str| Failure::new(ErrorCode::ThreeDsFailed, description);
    let session = app
        .store
        .acs_session(id)
        .filter(|s| s.merchant_id == merchant.id && s.purpose.kind() == kind)
        .ok_or_else(|| failed("the operation has no 3-D Secure to finish"))?;
    if let Some(returned) = returned
        && returned.md.trim() != session.md
    {
        return Err(failed("the MD is not the one of this operation"));
    }
    let (session, passed) = app.store.update_acs_session(id, |s| match &s.step {
        AcsStep::Waiting { .. } => Err(Failure::new(
            ErrorCode::ThreeDsNotEntered,
            "the payer has not finished 3-D Secure",
        )),
        AcsStep::Used { .. } => Err(Failure::new(
            ErrorCode::TransactionAlreadyDone,
            "this 3-D Secure answer was already used",
        )),
        AcsStep::Answered { pares, passed } => {
            if returned.is_some_and(|r| r.pares.trim() != pares) {
                return Err(failed("the PaRes is not the one the ACS issued"));
            }
            let passed = *passed;
            s.step = AcsStep::Used { passed };
            Ok(passed)
        }
    })?;
    tracing::info!(operation = id, passed, "3-D Secure answer used");
    Ok((session, passed))
}
