//! The JSON a browser posts to finish a passkey ceremony: a new credential (registration) or an assertion
//! (sign-in), parsed and checked against a ceremony of a fixed relying party.

use std::sync::OnceLock;

use webauthn_rs::prelude::{
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Uuid,
};

use crate::authn::passkey::{self, RelyingParty, enrol};

fn relying_party() -> Option<&'static RelyingParty> {
    static RP: OnceLock<Option<RelyingParty>> = OnceLock::new();
    RP.get_or_init(|| RelyingParty::new("localhost", "http://localhost:8080", &[7; 32]).ok())
        .as_ref()
}

/// A registration ceremony for a fixed user (its challenge is random: a fuzzed answer cannot match it, but
/// everything parsed before the challenge is compared still runs).
fn registration() -> Option<&'static PasskeyRegistration> {
    static STATE: OnceLock<Option<PasskeyRegistration>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let rp = relying_party()?;
            let user = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
            let (_, state) = rp
                .webauthn
                .start_passkey_registration(user, "ada@example.com", "Ada", None)
                .ok()?;
            Some(state)
        })
        .as_ref()
}

/// The posted JSON as a new credential (verified against the registration ceremony) and as a sign-in assertion
/// (its credential id and user handle read as sign-in reads them).
pub fn webauthn_json(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let (Ok(credential), Some(rp), Some(state)) = (
        passkey::parse_credential::<RegisterPublicKeyCredential>(json),
        relying_party(),
        registration(),
    ) {
        let _ = enrol::verify(rp, &credential, state);
    }
    if let (Ok(credential), Some(rp)) = (
        passkey::parse_credential::<PublicKeyCredential>(json),
        relying_party(),
    ) {
        let _ = passkey::credential_key(credential.get_credential_id());
        let _ = rp
            .webauthn
            .identify_discoverable_authentication(&credential);
    }
}
