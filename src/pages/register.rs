//! `/register`: "Create account", where a connected pool allows self-registration. The form follows the pool's
//! user schema; a code proves the identifier; the new user is then signed in and the authorization continues.
//! Without a password, in a pool offering passkeys, the code leads to the passkey page (`register_passkey`).

use std::borrow::Cow;
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::flow::{FormPage, FormView, SignIn};
use super::login::RequestQuery;
use super::texts;
use super::views::{FormField, RegisterPage};
use crate::authn::code::{Attempt, CodeError};
use crate::authn::registration::{self, Completed, RegistrationError, Requester, Submission};
use crate::identity::profile_schema;
use crate::oidc::Op;
use crate::state::AppState;
use crate::tokens::TokenError;
use crate::web::csrf::{self, Csrf, CsrfProtected};
use crate::web::methods;
use crate::web::{client_addr, cookies};

/// The cookie that tells one browser's registrations from another's, for the sending limits.
const BROWSER_COOKIE: &str = "tarn_browser";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/register")
            .route(methods::get().to(show_register))
            .route(web::post().to(submit_register)),
    )
    .service(super::resource("/register/code").route(web::post().to(submit_register_code)));
}

/// The registration form as posted: its fields follow the pool's schema, so they are read by name.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct Values(HashMap<String, String>);

impl Values {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

impl CsrfProtected for Values {
    fn csrf_token(&self) -> &str {
        self.get("csrf_token")
    }
}

/// The form shape the pool's schema gives, and whether the pool uses passwords (and passkeys).
struct Shape {
    fields: Vec<registration::Field>,
    needs_password: bool,
    offers_passkey: bool,
    rules: String,
}

/// The sign-in of `request_id` and the form its registration pool asks for; an error page where none allows it.
/// The pool is looked up before the request, so a workspace without registration answers 404 whether or not
/// the link names a live request.
async fn load(req: &HttpRequest, op: Op, request_id: &str) -> Result<(SignIn, Shape), PageError> {
    let app = req
        .app_data::<Data<AppState>>()
        .ok_or_else(|| PageError::internal(anyhow::anyhow!("application state missing")))?;
    let (t, w) = (op.0.tenant.clone(), op.0.workspace.clone());
    let found = app.db.run(move |c| {
        let Some(pool) = registration::pool_for(c, &t, &w)? else {
            return Ok::<_, TokenError>(None);
        };
        let schema = profile_schema::payload_document(c, &t, pool.payload_schema_id.as_deref())?;
        Ok(Some((pool, schema)))
    });
    let (pool, schema) = found.await?.ok_or(PageError::RegistrationNotOffered)?;
    let flow = SignIn::load(req, op, request_id).await?;
    let shape = Shape {
        fields: registration::fields(&schema),
        needs_password: pool.uses_passwords(),
        offers_passkey: registration::offers_passkeys(&flow.app, &pool),
        rules: pool.password_policy.describe(),
    };
    Ok((flow, shape))
}

async fn show_register(
    req: HttpRequest,
    op: Op,
    q: Query<RequestQuery>,
) -> Result<HttpResponse, PageError> {
    let (flow, shape) = load(&req, op, &q.request).await?;
    let mut res = form(&flow, &shape, &Values(HashMap::new())).render();
    if browser(&req).is_none() {
        let id = crate::secret::generate();
        let cookie = cookies::build(BROWSER_COOKIE, id, "/".into(), flow.public_url());
        // Setting a cookie on a response just built cannot fail.
        let _ = res.add_cookie(&cookie);
    }
    Ok(res)
}

/// Where this registration comes from: the client address (behind trusted proxies, the one they forwarded) and
/// the browser.
fn requester(req: &HttpRequest) -> Requester {
    Requester {
        address: client_addr::of(req)
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
        browser: browser(req),
    }
}

/// The browser cookie's value, when it looks like one Tarn set (any other value counts as none).
fn browser(req: &HttpRequest) -> Option<String> {
    let value = req.cookie(BROWSER_COOKIE)?.value().to_owned();
    let looks_right = value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    looks_right.then_some(value)
}

async fn submit_register(
    req: HttpRequest,
    op: Op,
    Csrf(values): Csrf<Values>,
) -> Result<HttpResponse, PageError> {
    let (flow, shape) = load(&req, op, values.get("request")).await?;
    let submission = Submission {
        identifier: values.get("identifier").to_owned(),
        password: values.0.get("password").cloned(),
        values: values.0.clone(),
    };
    let (p, from) = (&flow.op, requester(&req));
    let started = registration::start(&flow.app, &p.tenant, &p.workspace, submission, from);
    let (message, status) = match started.await {
        Ok(challenge) => {
            let page = flow.code_page("/register/code", &challenge, values.get("identifier"));
            return Ok(page.render());
        }
        Err(e) => refusal(e)?,
    };
    Ok(form(&flow, &shape, &values)
        .error(message)
        .status(status)
        .render())
}

/// What the registration form says when a registration could not start, or the page to show instead.
fn refusal(e: RegistrationError) -> Result<(Cow<'static, str>, StatusCode), PageError> {
    match e {
        RegistrationError::Invalid { field, message } => {
            let label = field
                .strip_prefix("payload.")
                .unwrap_or(&field)
                .replace('_', " ");
            Ok((format!("The {label} {message}.").into(), StatusCode::OK))
        }
        RegistrationError::Code(CodeError::Throttled) => {
            Ok((texts::CODE_THROTTLED.into(), StatusCode::TOO_MANY_REQUESTS))
        }
        e => Err(e.into()),
    }
}

async fn submit_register_code(
    req: HttpRequest,
    op: Op,
    Csrf(values): Csrf<Values>,
) -> Result<HttpResponse, PageError> {
    let flow = SignIn::load(&req, op, values.get("request")).await?;
    let (challenge, identifier) = (values.get("challenge"), values.get("identifier"));
    let retry = |message| {
        Ok(flow
            .code_page("/register/code", challenge, identifier)
            .error(message)
            .render())
    };
    let attempt = Attempt {
        tenant: &flow.op.tenant,
        workspace: &flow.op.workspace,
        challenge,
        code: values.get("code"),
    };
    let browser = csrf::browser(&req);
    match registration::complete(&flow.app, &attempt, &flow.pending.id, &browser).await {
        Ok(Completed::User(user)) => flow.signed_in(&user.id, vec!["otp".into()]).await,
        Ok(Completed::NeedsPasskey(waiting)) => {
            Ok(super::register_passkey::page(&flow, &waiting).render())
        }
        Err(RegistrationError::Code(CodeError::Wrong)) => retry(texts::CODE_WRONG),
        Err(RegistrationError::Code(e @ CodeError::Store(_))) => Err(e.into()),
        Err(RegistrationError::Code(_) | RegistrationError::Expired) => {
            retry(texts::REGISTRATION_CODE_SPENT)
        }
        Err(RegistrationError::Exists) => retry(texts::ACCOUNT_EXISTS),
        Err(e) => Err(e.into()),
    }
}

fn form<'a>(
    flow: &'a SignIn,
    shape: &'a Shape,
    values: &'a Values,
) -> FormPage<'a, impl FormView + 'a> {
    flow.form(move |csrf, error| {
        let fields = shape
            .fields
            .iter()
            .map(|f| FormField {
                name: f.name.clone(),
                label: f.label.clone(),
                input: f.input,
                required: f.required,
                value: values.get(&f.name).to_owned(),
            })
            .collect();
        RegisterPage {
            public_url: flow.public_url(),
            action: &flow.url("/register"),
            back: &flow.back(),
            csrf,
            request_id: &flow.pending.id,
            client_name: &flow.pending.client_name,
            identifier: values.get("identifier"),
            fields,
            needs_password: shape.needs_password,
            password_optional: shape.offers_passkey,
            rules: &shape.rules,
            error,
        }
        .render()
    })
}
