//! An XML answer of the gateway: parsed, verified and decoded as the client
//! reads it (`freedompay_core::exchange::read_response_with`).
//!
//! Input: one selector byte, then the body. The selector's low four bits pick
//! the endpoint (its script name and response type); bit 4 reads the answer with
//! `AnswerSignature::Optional`; bit 5 re-signs the parsed message with the
//! test key and writes it back as XML first, so the fuzzer reaches decoding
//! (it cannot forge MD5 signatures).
#![no_main]

use freedompay::merchant::{card_storage, page, payments, payout};
use freedompay_core::exchange::{AnswerSignature, ResponseError, read_response_with};
use freedompay_core::signature::{self, SecretKey, SignatureError};
use freedompay_core::{Decode, xml};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "mysecret";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let signature = if selector & 0x10 == 0 {
        AnswerSignature::Required
    } else {
        AnswerSignature::Optional
    };
    let resign = selector & 0x20 != 0;
    match (selector & 0x0f) % 6 {
        0 => check::<page::InitPaymentResponse>("init_payment.php", &body, signature, resign),
        1 => check::<payments::PaymentStatusResponse>("get_status3.php", &body, signature, resign),
        2 => check::<payments::RefundResponse>("revoke.php", &body, signature, resign),
        3 => check::<card_storage::CardListResponse>("list", &body, signature, resign),
        4 => check::<payout::CardPayoutResponse>("p2p2nonreg", &body, signature, resign),
        _ => check::<payout::PayoutStatusV2Response>("payment_status2", &body, signature, resign),
    }
});

fn check<T: Decode>(script: &str, body: &str, mode: AnswerSignature, resign: bool) {
    let key = SecretKey::new(KEY);
    let body = if resign {
        // The message as the gateway would have signed it.
        let Ok(mut message) = xml::parse(body) else {
            return;
        };
        message.params.remove(signature::SIG);
        let sig = signature::sign(script, &message.params, &key);
        message.params.push(signature::SIG, sig);
        xml::write(&message.root, &message.params)
    } else {
        body.to_owned()
    };
    let result = read_response_with::<T>(script, &key, &body, mode);
    let parsed = xml::parse(&body);
    match result {
        Ok(response) => {
            // Accepted: the body parses to exactly these parameters, and they verify.
            assert_eq!(response.raw_xml(), body);
            let params = parsed.map(|m| m.params);
            assert_eq!(params.as_ref(), Ok(response.params()));
            match signature::verify(script, response.params(), &key) {
                Ok(()) => assert!(response.is_signed()),
                Err(SignatureError::Missing) => {
                    assert!(!response.is_signed());
                    assert_eq!(mode, AnswerSignature::Optional);
                }
                Err(SignatureError::Mismatch) => panic!("an accepted answer does not verify"),
            }
            let again = T::decode(response.params());
            assert!(again.is_ok(), "an accepted answer does not decode again");
        }
        Err(ResponseError::Decode { params, raw, .. }) => {
            // Verified but not decodable: the parameters and the body are kept.
            assert_eq!(raw, body);
            assert_eq!(parsed.map(|m| m.params).as_ref(), Ok(&params));
            match signature::verify(script, &params, &key) {
                Ok(()) => {}
                Err(SignatureError::Missing) => assert_eq!(mode, AnswerSignature::Optional),
                Err(SignatureError::Mismatch) => panic!("a refused answer's params do not verify"),
            }
            assert!(T::decode(&params).is_err());
        }
        Err(ResponseError::Gateway(error)) => {
            let params = parsed.map(|m| m.params);
            let Ok(params) = params else {
                panic!("a gateway error from a body that does not parse");
            };
            assert_eq!(params.get_text("pg_status").map(str::trim), Some("error"));
            assert_eq!(
                error.signed,
                signature::verify(script, &params, &key).is_ok()
            );
        }
        Err(ResponseError::Malformed(error)) => {
            assert!(parsed.is_err());
            assert!(
                !resign,
                "a re-signed message no longer parses: {error}: {body:?}"
            );
        }
        Err(ResponseError::Unsigned | ResponseError::BadSignature) => {
            // What was signed here with the right key verifies as written.
            assert!(
                !resign,
                "a re-signed message does not verify after writing: {body:?}"
            );
        }
    }
}
