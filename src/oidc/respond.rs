//! Authorization responses back to the client: a redirect with query parameters, or an auto-submitted form
//! (`response_mode=form_post`, OAuth 2.0 Form Post Response Mode). Both carry `iss` (RFC 9207).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;

use crate::tokens::Provider;
use crate::tokens::authorization::ResponseMode;
use crate::web::html;

/// Sends `params` (plus `state` and `iss`) to the client's verified redirect URI.
pub fn to_client(
    p: &Provider,
    public_url: &str,
    redirect_uri: &str,
    mode: ResponseMode,
    mut params: Vec<(&'static str, String)>,
    state: Option<&str>,
) -> HttpResponse {
    if let Some(state) = state {
        params.push(("state", state.to_owned()));
    }
    params.push(("iss", p.issuer.clone()));
    match mode {
        ResponseMode::Query => {
            let Ok(mut url) = url::Url::parse(redirect_uri) else {
                return html::message(
                    public_url,
                    StatusCode::BAD_REQUEST,
                    "Sign-in error",
                    "The redirect URI is invalid.",
                );
            };
            url.query_pairs_mut()
                .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            HttpResponse::Found()
                .insert_header((LOCATION, url.as_str()))
                .finish()
        }
        ResponseMode::FormPost => html::form_post(public_url, redirect_uri, &params),
    }
}

/// An authorization error (RFC 6749 §4.1.2.1) sent to the client.
pub fn error(
    p: &Provider,
    public_url: &str,
    redirect_uri: &str,
    mode: ResponseMode,
    error: &'static str,
    description: &str,
    state: Option<&str>,
) -> HttpResponse {
    let params = vec![
        ("error", error.to_owned()),
        ("error_description", description.to_owned()),
    ];
    to_client(p, public_url, redirect_uri, mode, params, state)
}
