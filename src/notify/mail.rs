//! Email through SMTP with lettre: `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or
//! `smtps://user:pass@host:port` (implicit TLS), sent from `TARN_MAIL_FROM`.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use url::Url;

use super::{AttemptError, Message, NotifyError};

/// How long one SMTP conversation may take before it counts as a connection failure.
const TIMEOUT: Duration = Duration::from_secs(10);

/// An SMTP transport (pooled connections) and the sender address.
pub struct Mailer {
    /// Always `Some` until the mailer is dropped (see `Drop`).
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Drop for Mailer {
    fn drop(&mut self) {
        // lettre's pool spawns a task to close its connections when dropped, which panics off a Tokio runtime, as
        // when a runtime that is shutting down drops the delivery worker's task. Nothing can be closed then anyway:
        // leave the connections to the process's end.
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.transport.take());
        }
    }
}

impl Mailer {
    /// Builds the transport from the URL; nothing connects until the first message.
    pub fn new(url: &Url, from: &str) -> Result<Mailer, NotifyError> {
        let setup = |message: String| NotifyError::Setup {
            channel: "email",
            message,
        };
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| setup(format!("TARN_MAIL_FROM: {e}")))?;
        // lettre reads scheme, host, port, percent-encoded credentials and `?tls=` from the URL itself.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| setup(format!("TARN_SMTP_URL: {e}")))?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Mailer {
            transport: Some(transport),
            from,
        })
    }

    /// One delivery attempt. Refusals (5xx) and bad addresses are final; the rest may be retried.
    pub(super) async fn send(&self, message: &Message) -> Result<(), AttemptError> {
        let final_error = |message: String| AttemptError {
            is_retryable: false,
            message,
        };
        let email = self.build(message).map_err(final_error)?;
        let transport = self
            .transport
            .as_ref()
            .ok_or_else(|| final_error("the mailer was shut down".into()))?;
        transport
            .send(email)
            .await
            .map(drop)
            .map_err(|e| AttemptError {
                is_retryable: !(e.is_permanent() || e.is_client()),
                message: e.to_string(),
            })
    }

    fn build(&self, message: &Message) -> Result<lettre::Message, String> {
        let to = message
            .to
            .address()
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient address: {e}"))?;
        let builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone());
        let built = match &message.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body_text.clone()),
            ),
        };
        built.map_err(|e| format!("message: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Recipient;

    #[tokio::test]
    async fn every_url_form_builds_a_transport_without_connecting() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.com:587?tls=required",
            "smtps://user:p%40ss@mail.example.com:465",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(Mailer::new(&url, "tarn@localhost").is_ok(), "{url}");
        }
        let url = Url::parse("smtp://127.0.0.1:2525").unwrap();
        assert!(matches!(
            Mailer::new(&url, "not an address"),
            Err(NotifyError::Setup { .. })
        ));
    }

    #[tokio::test]
    async fn a_mail_with_html_is_multipart_alternative_and_a_bad_recipient_is_refused() {
        let url = Url::parse("smtp://127.0.0.1:2525").unwrap();
        let mailer = Mailer::new(&url, "tarn@localhost").unwrap();
        let mut message = Message {
            to: Recipient::Email("ada@example.com".into()),
            subject: "Hi".into(),
            body_text: "text".into(),
            body_html: Some("<p>html</p>".into()),
        };
        let built = String::from_utf8(mailer.build(&message).unwrap().formatted()).unwrap();
        assert!(built.contains("multipart/alternative"), "{built}");
        assert!(built.contains("To: ada@example.com"), "{built}");
        message.to = Recipient::Email("not an address".into());
        assert!(mailer.build(&message).is_err());
    }
}
