//! The texts of outgoing messages, rendered from askama templates: `templates/mail/<name>/{subject.txt, body.txt,
//! body.html}` for mail and `templates/sms/<name>.txt` for SMS. Text templates are not escaped; the HTML body is.
//!
//! A leaf beside `notify`, not inside it: the domain (`identity`, `notify`) never imports the template engine; it
//! asks here for a finished [`Message`] of plain strings.

use askama::Template;

use crate::notify::{Message, NotifyError, Recipient};

#[derive(Template)]
#[template(path = "mail/invite/subject.txt", escape = "none")]
struct InviteSubject;

#[derive(Template)]
#[template(path = "mail/invite/body.txt", escape = "none")]
struct InviteText<'a> {
    link: &'a str,
    valid_days: i64,
}

#[derive(Template)]
#[template(path = "mail/invite/body.html")]
struct InviteHtml<'a> {
    link: &'a str,
    valid_days: i64,
}

#[derive(Template)]
#[template(path = "sms/invite.txt", escape = "none")]
struct InviteSms<'a> {
    link: &'a str,
    valid_days: i64,
}

/// The invitation to `to`, carrying the activation `link`, valid for `valid_days`.
pub fn invitation(to: Recipient, link: &str, valid_days: i64) -> Result<Message, NotifyError> {
    let subject = render(&InviteSubject)?.trim().to_owned();
    let message = match to {
        Recipient::Email(_) => Message {
            subject,
            body_text: render(&InviteText { link, valid_days })?,
            body_html: Some(render(&InviteHtml { link, valid_days })?),
            to,
        },
        Recipient::Mobile(_) => Message {
            subject,
            body_text: render(&InviteSms { link, valid_days })?.trim().to_owned(),
            body_html: None,
            to,
        },
    };
    Ok(message)
}

#[derive(Template)]
#[template(path = "mail/code/subject.txt", escape = "none")]
struct CodeSubject<'a> {
    what: &'a str,
    code: &'a str,
}

#[derive(Template)]
#[template(path = "mail/code/body.txt", escape = "none")]
struct CodeText<'a> {
    what: &'a str,
    code: &'a str,
    minutes: u32,
}

#[derive(Template)]
#[template(path = "mail/code/body.html")]
struct CodeHtml<'a> {
    what: &'a str,
    code: &'a str,
    minutes: u32,
}

#[derive(Template)]
#[template(path = "sms/code.txt", escape = "none")]
struct CodeSms<'a> {
    what: &'a str,
    code: &'a str,
    minutes: u32,
}

/// A one-time code for `to`, valid for `minutes`; `what` names its use ("sign-in", "password reset").
pub fn code(to: Recipient, what: &str, code: &str, minutes: u32) -> Result<Message, NotifyError> {
    let subject = render(&CodeSubject { what, code })?.trim().to_owned();
    let message = match to {
        Recipient::Email(_) => Message {
            subject,
            body_text: render(&CodeText {
                what,
                code,
                minutes,
            })?,
            body_html: Some(render(&CodeHtml {
                what,
                code,
                minutes,
            })?),
            to,
        },
        Recipient::Mobile(_) => Message {
            subject,
            body_text: render(&CodeSms {
                what,
                code,
                minutes,
            })?
            .trim()
            .to_owned(),
            body_html: None,
            to,
        },
    };
    Ok(message)
}

#[derive(Template)]
#[template(path = "mail/verify/subject.txt", escape = "none")]
struct VerifySubject<'a> {
    what: &'a str,
}

#[derive(Template)]
#[template(path = "mail/verify/body.txt", escape = "none")]
struct VerifyText<'a> {
    what: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/verify/body.html")]
struct VerifyHtml<'a> {
    what: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "sms/verify.txt", escape = "none")]
struct VerifySms<'a> {
    what: &'a str,
    link: &'a str,
}

/// A link that confirms `to` belongs to the user; `what` is "email address" or "mobile number".
pub fn verification(to: Recipient, what: &str, link: &str) -> Result<Message, NotifyError> {
    let subject = render(&VerifySubject { what })?.trim().to_owned();
    Ok(match to {
        Recipient::Email(_) => Message {
            subject,
            body_text: render(&VerifyText { what, link })?,
            body_html: Some(render(&VerifyHtml { what, link })?),
            to,
        },
        Recipient::Mobile(_) => Message {
            subject,
            body_text: render(&VerifySms { what, link })?.trim().to_owned(),
            body_html: None,
            to,
        },
    })
}

#[derive(Template)]
#[template(path = "mail/password_reset_notice/subject.txt", escape = "none")]
struct NoticeSubject;

#[derive(Template)]
#[template(path = "mail/password_reset_notice/body.txt", escape = "none")]
struct NoticeText;

#[derive(Template)]
#[template(path = "mail/password_reset_notice/body.html")]
struct NoticeHtml;

#[derive(Template)]
#[template(path = "sms/password_reset_notice.txt", escape = "none")]
struct NoticeSms;

/// Tells a user that an administrator reset their password.
pub fn password_reset_notice(to: Recipient) -> Result<Message, NotifyError> {
    let subject = render(&NoticeSubject)?.trim().to_owned();
    Ok(match to {
        Recipient::Email(_) => Message {
            subject,
            body_text: render(&NoticeText)?,
            body_html: Some(render(&NoticeHtml)?),
            to,
        },
        Recipient::Mobile(_) => Message {
            subject,
            body_text: render(&NoticeSms)?.trim().to_owned(),
            body_html: None,
            to,
        },
    })
}

fn render(template: &impl Template) -> Result<String, NotifyError> {
    template
        .render()
        .map_err(|e| NotifyError::Template(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_invitation_has_the_link_in_both_bodies_and_escapes_the_html_one() {
        let link = "https://id.example.com/invitations/abc?x=1&y=<2>";
        let m = invitation(Recipient::Email("ada@example.com".into()), link, 7).unwrap();
        assert_eq!(m.subject, "You are invited");
        assert!(m.body_text.contains(link), "{}", m.body_text);
        assert!(m.body_text.contains("7 days"), "{}", m.body_text);
        let html = m.body_html.unwrap();
        assert!(
            html.contains("abc?x=1&#38;y=&#60;2&#62;") || html.contains("abc?x=1&amp;y=&lt;2&gt;"),
            "{html}"
        );
        assert!(!html.contains("<2>"), "{html}");
    }

    #[test]
    fn an_sms_invitation_is_one_short_text_with_the_link() {
        let link = "https://id.example.com/invitations/abc";
        let m = invitation(Recipient::Mobile("+14155550132".into()), link, 7).unwrap();
        assert!(m.body_text.contains(link));
        assert!(!m.body_text.contains('\n'));
        assert!(m.body_text.len() < 160, "{}", m.body_text.len());
        assert_eq!(m.body_html, None);
    }
}
