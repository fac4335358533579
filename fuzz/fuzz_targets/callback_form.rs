//! A callback as the merchant's server receives it: a form body (or a
//! `pg_xml` document), decoded, verified and decoded into the result or check
//! callback (`freedompay_core::callback`, the path of the axum extractor).
//!
//! Input: one selector byte, then the body. Bit 0 picks the callback (result
//! or check); bit 1 re-signs the decoded form with the test key and encodes it
//! again first, so the fuzzer reaches decoding and validation.
#![no_main]

use freedompay::merchant::callbacks::{CheckCallback, ResultCallback};
use freedompay_core::callback::{self, CallbackError};
use freedompay_core::signature::{self, SecretKey, SignatureError};
use freedompay_core::{Callback, form};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "mysecret";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let resign = selector & 2 != 0;
    if selector & 1 == 0 {
        check::<ResultCallback>("result", &body, resign);
    } else {
        check::<CheckCallback>("check", &body, resign);
    }
});

fn check<C: Callback>(script: &str, body: &str, resign: bool) {
    let key = SecretKey::new(KEY);
    let body = if resign {
        // The form as the gateway would have signed it.
        let mut params = form::decode(body);
        params.remove(signature::SIG);
        let sig = signature::sign(script, &params, &key);
        params.push(signature::SIG, sig);
        form::encode(&params)
    } else {
        body.to_owned()
    };

    // `verify_form`: a form body or query string.
    match callback::verify_form::<C>(script, &key, &body) {
        Ok(verified) => {
            assert_eq!(verified.params(), &form::decode(&body));
            assert_eq!(signature::verify(script, verified.params(), &key), Ok(()));
            let salt = verified.params().get_text(signature::SALT);
            assert_eq!(verified.salt(), salt.unwrap_or_default());
            // A verified callback has passed the spec's rules.
            assert!(verified.data().validate().is_ok());
        }
        Err(CallbackError::Signature(SignatureError::Mismatch | SignatureError::Missing)) => {
            assert!(!resign, "a re-signed form does not verify after encoding");
        }
        Err(CallbackError::Decode(_) | CallbackError::Invalid(_)) => {
            assert_eq!(
                signature::verify(script, &form::decode(&body), &key),
                Ok(())
            );
        }
        Err(CallbackError::Malformed(_)) => panic!("a form body is never malformed XML"),
    }

    // The axum extractor's path: a form, a `pg_xml` document or an XML body.
    if let Ok(params) = form::decode_message(&body) {
        match callback::verify::<C>(script, &key, params.clone()) {
            Ok(verified) => {
                assert_eq!(verified.params(), &params);
                assert!(verified.data().validate().is_ok());
            }
            Err(CallbackError::Decode(_) | CallbackError::Invalid(_)) => {
                assert_eq!(signature::verify(script, &params, &key), Ok(()));
            }
            Err(CallbackError::Signature(_)) => {
                assert!(signature::verify(script, &params, &key).is_err());
            }
            Err(CallbackError::Malformed(_)) => panic!("already parsed"),
        }
    }
}
