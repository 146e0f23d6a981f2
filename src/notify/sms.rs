//! SMS through a webhook: each message is POSTed as JSON `{"to": "+…", "body": "…"}` to `TARN_SMS_WEBHOOK_URL`;
//! any 2xx answer means the gateway took it.

use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::{AttemptError, Message, NotifyError};

/// How long one webhook call may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The webhook's address and the HTTP client that calls it.
pub struct SmsWebhook {
    url: Url,
    http: reqwest::Client,
}

#[derive(Serialize)]
struct SmsRequest<'a> {
    to: &'a str,
    body: &'a str,
}

impl SmsWebhook {
    /// Builds the client; nothing connects until the first message.
    pub fn new(url: Url) -> Result<SmsWebhook, NotifyError> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // No redirects: the body carries secrets and must reach exactly the configured URL.
            .redirect(reqwest::redirect::Policy::none())
            // No idle connections: a kept connection belongs to the runtime of the worker that opened it.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| NotifyError::Setup {
                channel: "sms",
                message: e.to_string(),
            })?;
        Ok(SmsWebhook { url, http })
    }

    /// One delivery attempt. Connection failures, timeouts and 5xx answers may be retried; a 4xx answer is final.
    pub(super) async fn send(&self, message: &Message) -> Result<(), AttemptError> {
        let body = SmsRequest {
            to: message.to.address(),
            body: &message.body_text,
        };
        let response = self
            .http
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            // The error's text names the URL, never the body.
            .map_err(|e| AttemptError {
                is_retryable: e.is_connect() || e.is_timeout() || e.is_request(),
                message: e.without_url().to_string(),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(AttemptError {
            is_retryable: status.is_server_error(),
            message: format!("the SMS webhook answered {status}"),
        })
    }
}
