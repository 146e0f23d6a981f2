//! `/register`: "Create account", where a connected pool allows self-registration. The form follows the pool's
//! user schema; a code proves the identifier; the new user is then signed in and the authorization continues.
//! Without a password, in a pool offering passkeys, the code leads to the passkey page (`register_passkey`).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::{self, Data, Form, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::code::{deliver, page as code_page};
use super::login::{FORM_EXPIRED, Pending, pending_or_page, signed_in};
use super::views::{FormField, RegisterPage};
use crate::authn::code::{Attempt, CodeError, Purpose};
use crate::authn::registration::{self, Completed, RegistrationError, Submission};
use crate::identity::profile_schema;
use crate::oidc::Op;
use crate::oidc::authorize::failure_page;
use crate::state::AppState;
use crate::tokens::{Provider, TokenError};
use crate::web::csrf;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/register")
            .route(web::get().to(show_register))
            .route(web::post().to(submit_register)),
    )
    .route("/register/code", web::post().to(submit_register_code));
}

#[derive(Deserialize)]
struct RegisterQuery {
    request: Option<String>,
}

/// The form shape the pool's schema gives, and whether the pool uses passwords (and passkeys).
struct Shape {
    fields: Vec<registration::Field>,
    needs_password: bool,
    offers_passkey: bool,
    rules: String,
}

async fn shape(app: &AppState, p: &Provider) -> Result<Option<Shape>, TokenError> {
    let (t, w) = (p.tenant.clone(), p.workspace.clone());
    let found = app
        .db
        .run(move |c| {
            let Some(pool) = registration::pool_for(c, &t, &w)? else {
                return Ok::<_, TokenError>(None);
            };
            let schema =
                profile_schema::payload_document(c, &t, pool.payload_schema_id.as_deref())?;
            Ok(Some((pool, schema)))
        })
        .await?;
    Ok(found.map(|(pool, schema)| Shape {
        fields: registration::fields(&schema),
        needs_password: pool.uses_passwords(),
        offers_passkey: registration::offers_passkeys(app, &pool),
        rules: pool.password_policy.describe(),
    }))
}

async fn show_register(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    q: Query<RegisterQuery>,
) -> HttpResponse {
    let pending = match pending_or_page(&app, &p, q.request.as_deref().unwrap_or_default()).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    match shape(&app, &p).await {
        Ok(Some(shape)) => form(
            &req,
            &app,
            &p,
            &pending,
            &shape,
            &HashMap::new(),
            None,
            StatusCode::OK,
        ),
        Ok(None) => not_offered(&app),
        Err(e) => failure_page(&app, e),
    }
}

async fn submit_register(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<HashMap<String, String>>,
) -> HttpResponse {
    let values = f.into_inner();
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let pending = match pending_or_page(&app, &p, &value("request")).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    let shape = match shape(&app, &p).await {
        Ok(Some(shape)) => shape,
        Ok(None) => return not_offered(&app),
        Err(e) => return failure_page(&app, e),
    };
    let again = |message: &str, status| {
        form(
            &req,
            &app,
            &p,
            &pending,
            &shape,
            &values,
            Some(message),
            status,
        )
    };
    if !csrf::is_valid(&req, &value("csrf_token")) {
        return again(FORM_EXPIRED, StatusCode::BAD_REQUEST);
    }
    let submission = Submission {
        identifier: value("identifier"),
        password: values.get("password").cloned(),
        values: values.clone(),
    };
    match registration::start(&app, &p.tenant, &p.workspace, submission).await {
        Ok((challenge, delivery)) => {
            if let Some(d) = delivery
                && let Err((message, status)) = deliver(&app, &p, d, Purpose::Registration).await
            {
                return again(message, status);
            }
            code_page(
                &req,
                &app,
                &p,
                "/register/code",
                &pending,
                &challenge,
                &value("identifier"),
                None,
                StatusCode::OK,
            )
        }
        Err(RegistrationError::Invalid { field, message }) => {
            let label = field
                .strip_prefix("payload.")
                .unwrap_or(&field)
                .replace('_', " ");
            again(&format!("The {label} {message}."), StatusCode::OK)
        }
        Err(RegistrationError::Code(CodeError::Throttled)) => again(
            "A code was sent moments ago. Please wait a little before asking for another.",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(RegistrationError::NotAllowed) => not_offered(&app),
        Err(RegistrationError::Overloaded) => again(
            "The service is busy. Please try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(e) => failure_page(&app, TokenError::Internal(e.to_string())),
    }
}

async fn submit_register_code(
    req: HttpRequest,
    app: Data<AppState>,
    Op(p): Op,
    f: Form<HashMap<String, String>>,
) -> HttpResponse {
    let values = f.into_inner();
    let value = |name: &str| values.get(name).cloned().unwrap_or_default();
    let pending = match pending_or_page(&app, &p, &value("request")).await {
        Ok(pending) => pending,
        Err(page) => return page,
    };
    let (challenge, identifier) = (value("challenge"), value("identifier"));
    let retry = |message: &str| {
        code_page(
            &req,
            &app,
            &p,
            "/register/code",
            &pending,
            &challenge,
            &identifier,
            Some(message),
            StatusCode::OK,
        )
    };
    if !csrf::is_valid(&req, &value("csrf_token")) {
        return retry(FORM_EXPIRED);
    }
    let code = value("code");
    let attempt = Attempt {
        tenant: &p.tenant,
        workspace: &p.workspace,
        challenge: &challenge,
        code: &code,
    };
    match registration::complete(&app, &attempt, &pending.id).await {
        Ok(Completed::User(user)) => signed_in(&req, &app, &p, &pending, &user.id, "otp").await,
        Ok(Completed::NeedsPasskey(waiting)) => {
            super::register_passkey::page(&req, &app, &p, &pending, &waiting, None, StatusCode::OK)
        }
        Err(RegistrationError::Code(CodeError::Wrong)) => {
            retry("That code is not right. Check it and try again.")
        }
        Err(RegistrationError::Code(_) | RegistrationError::Expired) => {
            retry("This code can no longer be used. Start again to get a new one.")
        }
        Err(RegistrationError::Exists) => {
            retry("An account with this identifier already exists. Sign in instead.")
        }
        Err(e) => failure_page(&app, TokenError::Internal(e.to_string())),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one page, many fields; a struct would only rename them"
)]
fn form(
    req: &HttpRequest,
    app: &AppState,
    p: &Arc<Provider>,
    pending: &Pending,
    shape: &Shape,
    values: &HashMap<String, String>,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let public_url = app.config.public_url();
    let (csrf, set_cookie) = csrf::token(req, public_url);
    let action = format!("{}/register", p.issuer);
    let back = format!("{}/login?request={}", p.issuer, pending.id);
    let fields = shape
        .fields
        .iter()
        .map(|f| FormField {
            name: f.name.clone(),
            label: f.label.clone(),
            input: f.input,
            required: f.required,
            value: values.get(&f.name).cloned().unwrap_or_default(),
        })
        .collect();
    let identifier = values.get("identifier").cloned().unwrap_or_default();
    let view = RegisterPage {
        public_url,
        action: &action,
        back: &back,
        csrf: &csrf,
        request_id: &pending.id,
        client_name: &pending.client_name,
        identifier: &identifier,
        fields,
        needs_password: shape.needs_password,
        password_optional: shape.offers_passkey,
        rules: &shape.rules,
        error,
    };
    super::render_form(status, &view, set_cookie)
}

fn not_offered(app: &AppState) -> HttpResponse {
    super::message(
        app.config.public_url(),
        StatusCode::NOT_FOUND,
        "Not available",
        "This application does not offer creating an account here.",
    )
}
