//! Reading DPoP from a request (RFC 9449): the one `DPoP` proof header and the `Authorization: DPoP` scheme.
//! The proof itself is checked in the domain (`tokens::dpop`); this only extracts and hands over.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;

use super::endpoint;
use crate::state::AppState;
use crate::tokens::dpop::{self, Expected};
use crate::tokens::{Provider, TokenError};

/// Verifies the request's DPoP proof for the endpoint at `path` (with `ath` for `access_token`); `None` when the
/// request carries none. Two `DPoP` headers, or one that is not text, are refused (§4.3 step 1).
pub async fn prove(
    req: &HttpRequest,
    app: &AppState,
    p: &std::sync::Arc<Provider>,
    path: &str,
    access_token: Option<&str>,
) -> Result<Option<String>, TokenError> {
    let mut headers = req.headers().get_all("DPoP");
    let Some(first) = headers.next() else {
        return Ok(None);
    };
    if headers.next().is_some() {
        return Err(TokenError::InvalidDpopProof("send one DPoP header".into()));
    }
    let proof = first
        .to_str()
        .map_err(|_| TokenError::InvalidDpopProof("the DPoP header is not a JWT".into()))?
        .to_owned();
    let (provider, now) = (p.clone(), app.clock.now());
    let (method, url) = (req.method().as_str().to_owned(), endpoint(p, path));
    let token = access_token.map(str::to_owned);
    let jkt = app
        .db
        .run(move |c| {
            let expected = Expected {
                method: &method,
                url: &url,
                access_token: token.as_deref(),
            };
            dpop::verify(c, &provider, &proof, &expected, now)
        })
        .await?;
    Ok(Some(jkt))
}

/// The token of an `Authorization: DPoP <token>` header (the scheme in any case, RFC 7235 §2.1).
pub fn dpop_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("dpop") && !token.is_empty()).then_some(token)
}
