//! Signing in to the portal: the portal is a confidential OpenID Connect client of the built-in workspace (code
//! flow with PKCE, `state` and `nonce`). `begin` records the request and returns the authorization URL; `finish`
//! redeems the code in-process, through the token endpoint's own domain code (`tokens::grant::redeem_code` and
//! `tokens::issue::for_grant`: no HTTP call to ourselves, whose public URL may not be reachable from here), checks
//! the ID token (signature, issuer, audience, expiry, nonce, `auth_time`) and starts a portal session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::identity::admin::{CALLBACK_PATH, PORTAL_CLIENT, TENANT, WORKSPACE};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::portal::{self, PortalSignInRow};
use crate::tokens::{TokenError, grant, issue, jwt};

/// How long a sign-in may take, from the redirect to the login page to the callback.
const SIGN_IN_SECONDS: i64 = 15 * 60;

/// Why a callback starts no session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The state is unknown, used, expired or from another browser; the code or the ID token did not hold. The
    /// administrator starts again (the cause is logged).
    #[error("the sign-in cannot be completed: {0}")]
    Unusable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TokenError> for SignInError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Store(e) => SignInError::Store(e),
            other => SignInError::Unusable(other.to_string()),
        }
    }
}

impl From<crate::identity::Error> for SignInError {
    fn from(e: crate::identity::Error) -> Self {
        match e {
            crate::identity::Error::Store(e) => SignInError::Store(e),
            other => SignInError::Unusable(other.to_string()),
        }
    }
}

/// A sign-in to begin.
pub struct Begin {
    /// The browser (the hash of its CSRF cookie): the callback must come from the same one.
    pub browser: String,
    /// The portal path to go to afterwards.
    pub return_to: String,
    /// For a step-up: the administrator who must sign in again, and the action to complete afterwards.
    pub step_up: Option<(String, String)>,
}

/// Records the sign-in and returns the built-in workspace's authorization URL. A step-up asks for a fresh sign-in
/// (`max_age=0`).
pub async fn begin(app: &AppState, b: Begin) -> Result<String, SignInError> {
    let (state, nonce, verifier) = (
        crate::secret::generate(),
        crate::secret::generate(),
        crate::secret::generate(),
    );
    let now = app.clock.now();
    let fresh = b.step_up.is_some();
    let (step_up_user_id, pending_action) = b.step_up.unzip();
    let row = PortalSignInRow {
        state_hash: crate::secret::hash(&state),
        browser: b.browser,
        nonce: nonce.clone(),
        code_verifier: verifier.clone(),
        return_to: b.return_to,
        step_up_user_id,
        pending_action,
        created_at: now,
        expires_at: now + SIGN_IN_SECONDS,
    };
    app.db.run(move |c| portal::insert_sign_in(c, &row)).await?;
    let public_url = app.config.public_url();
    let issuer = crate::identity::workspace::issuer(public_url, TENANT, WORKSPACE);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect_uri = format!("{public_url}{CALLBACK_PATH}");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", PORTAL_CLIENT)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    if fresh {
        query.append_pair("max_age", "0");
    }
    Ok(format!("{issuer}/oauth2/authorize?{}", query.finish()))
}

/// A finished sign-in: the new session's cookie, where to go, and the step-up's kept action to complete.
#[derive(Debug)]
pub struct Finished {
    pub cookie: String,
    pub user_id: String,
    pub return_to: String,
    pub pending_action: Option<String>,
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    nonce: Option<String>,
    auth_time: Option<i64>,
}

/// Completes the sign-in `state` names with `code`, in `browser`.
pub async fn finish(
    app: &AppState,
    origin: &crate::audit::Origin,
    state: &str,
    code: &str,
    browser: &str,
) -> Result<Finished, SignInError> {
    let (hash, now) = (crate::secret::hash(state), app.clock.now());
    let row = app
        .db
        .run(move |c| portal::take_sign_in(c, &hash))
        .await?
        .filter(|r| r.expires_at > now)
        .ok_or_else(|| SignInError::Unusable("unknown or expired state".into()))?;
    if browser.is_empty() || !bool::from(row.browser.as_bytes().ct_eq(browser.as_bytes())) {
        return Err(SignInError::Unusable(
            "the callback came from another browser".into(),
        ));
    }
    let public_url = app.config.public_url().to_owned();
    let provider = app
        .providers
        .get(&app.db, &public_url, now, TENANT, WORKSPACE)
        .await?
        .ok_or_else(|| SignInError::Unusable("the built-in workspace is missing".into()))?;
    let client = crate::identity::client::find(app, TENANT, WORKSPACE, PORTAL_CLIENT).await?;
    let redemption = grant::Redemption {
        client_id: PORTAL_CLIENT.into(),
        code: code.to_owned(),
        redirect_uri: Some(format!("{public_url}{CALLBACK_PATH}")),
        code_verifier: Some(row.code_verifier.clone()),
        with_refresh: false,
        dpop_jkt: None,
        bind_refresh: false,
        origin: origin.clone(),
    };
    let p = provider.clone();
    let active = app
        .db
        .run(move |c| grant::redeem_code(c, &p, redemption, now))
        .await?;
    let tokens = issue::for_grant(&provider, &client.metadata, active, now)?;
    let id_token = tokens
        .id_token
        .ok_or_else(|| SignInError::Unusable("no ID token".into()))?;
    let claims = check_id_token(&provider, &id_token, &row)?;
    let (user, limits) = (claims.sub.clone(), app.config.portal_session);
    let auth_time = claims.auth_time.unwrap_or_default();
    let ctx = crate::audit::Context::new(crate::audit::Actor::Admin(user.clone()), origin.clone());
    let cookie = app
        .db
        .transaction(move |c| {
            let cookie = super::start(c, &user, id_token, auth_time, now, limits)?;
            let event = crate::audit::Event::new(crate::audit::EventType::AdminSignedIn)
                .subject(crate::audit::SubjectType::User, &user)
                .workspace(WORKSPACE);
            crate::audit::record(c, TENANT, &ctx, now, event)?;
            Ok::<_, SignInError>(cookie)
        })
        .await?;
    let pending_action = row
        .pending_action
        .filter(|_| row.step_up_user_id.as_deref() == Some(claims.sub.as_str()));
    Ok(Finished {
        cookie,
        user_id: claims.sub,
        return_to: row.return_to,
        pending_action,
    })
}

/// The ID token's claims, once its signature, issuer, audience and expiry hold, its nonce is the request's, and
/// (for a step-up) the sign-in happened after the request.
fn check_id_token(
    provider: &crate::tokens::Provider,
    token: &str,
    row: &PortalSignInRow,
) -> Result<IdClaims, SignInError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&provider.issuer]);
    validation.set_audience(&[PORTAL_CLIENT]);
    let claims: IdClaims = jwt::verify(token, &provider.keys.public, &validation)?;
    let nonce_ok = claims
        .nonce
        .as_deref()
        .is_some_and(|n| bool::from(n.as_bytes().ct_eq(row.nonce.as_bytes())));
    if !nonce_ok {
        return Err(SignInError::Unusable(
            "the ID token's nonce does not match".into(),
        ));
    }
    let Some(auth_time) = claims.auth_time else {
        return Err(SignInError::Unusable(
            "the ID token has no auth_time".into(),
        ));
    };
    if row.step_up_user_id.is_some() && auth_time < row.created_at {
        return Err(SignInError::Unusable(
            "the step-up sign-in is not fresh".into(),
        ));
    }
    Ok(claims)
}
