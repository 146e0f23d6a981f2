//! User identifiers: email (lower-cased, syntax-checked) and mobile (E.164).

use email_address::{EmailAddress, Options};

use super::error::{Error, Result};

/// The canonical form of an email address, or why it is not one.
pub fn normalise_email(field: &str, value: &str) -> Result<String> {
    let lowered = value.trim().to_lowercase();
    let options = Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        allow_long_local_parts: false,
    };
    if lowered.len() > 254 || EmailAddress::parse_with_options(&lowered, options).is_err() {
        return Err(Error::invalid(field, "is not a valid email address"));
    }
    Ok(lowered)
}

/// The E.164 form of an international mobile number (`+` and country code required), or why it is not one.
pub fn normalise_mobile(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    let bad = || {
        Error::invalid(
            field,
            "is not a valid international phone number (E.164, like +14155550123)",
        )
    };
    if !trimmed.starts_with('+') {
        return Err(bad());
    }
    let number = phonenumber::parse(None, trimmed).map_err(|_| bad())?;
    if !phonenumber::is_valid(&number) {
        return Err(bad());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// An identifier typed by someone: an email when it contains `@`, otherwise a mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Mobile(String),
}

impl Identifier {
    /// Parses and normalises what a user typed (or an admin filtered by).
    pub fn parse(field: &str, value: &str) -> Result<Identifier> {
        if value.contains('@') {
            normalise_email(field, value).map(Identifier::Email)
        } else {
            normalise_mobile(field, value).map(Identifier::Mobile)
        }
    }
}

/// What someone typed as an identifier, in the form throttles count: the normalised email or mobile number when it
/// is one, else trimmed and lower-cased. Spellings of one identifier (`Ada@Example.com`, `ada@example.com `) share
/// a count, whether or not a user has it.
pub fn counted_form(typed: &str) -> String {
    match Identifier::parse("identifier", typed) {
        Ok(Identifier::Email(e)) => e,
        Ok(Identifier::Mobile(m)) => m,
        Err(_) => typed.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            normalise_email("email", " Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "Ada <ada@example.com>",
            "a b@example.com",
        ] {
            assert!(normalise_email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mobiles_become_e164() {
        assert_eq!(
            normalise_mobile("mobile", "+1 415 555 0132").unwrap(),
            "+14155550132"
        );
        assert_eq!(
            normalise_mobile("mobile", "+44 20 7946 0958").unwrap(),
            "+442079460958"
        );
        for bad in ["", "4155550132", "+1", "+999999", "call me"] {
            assert!(normalise_mobile("mobile", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identifiers_are_told_apart() {
        assert_eq!(
            Identifier::parse("i", "A@Example.com").unwrap(),
            Identifier::Email("a@example.com".into())
        );
        assert_eq!(
            Identifier::parse("i", "+14155550132").unwrap(),
            Identifier::Mobile("+14155550132".into())
        );
    }
}
