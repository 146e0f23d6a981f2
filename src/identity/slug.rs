//! Admin-chosen ids (tenants, workspaces): `[a-z0-9][a-z0-9-]{0,62}`, not a reserved word.

use super::error::{Error, Result};

/// Path segments Tarn itself uses at the top level.
const RESERVED: [&str; 6] = ["admin", "api", "static", "healthz", "readyz", "metrics"];

/// Checks `value` as a slug for the input field `field`.
pub fn parse(field: &str, value: &str) -> Result<String> {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !first_ok || !rest_ok || value.len() > 63 {
        return Err(Error::invalid(
            field,
            "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit",
        ));
    }
    if RESERVED.contains(&value) {
        return Err(Error::invalid(field, format!("`{value}` is reserved")));
    }
    Ok(value.to_owned())
}

/// Checks a human-readable name: 1-200 characters after trimming.
pub fn parse_name(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 {
        return Err(Error::invalid(field, "must be 1-200 characters"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn slugs() {
        for ok in ["acme", "a", "0-shop", &"a".repeat(63)] {
            assert!(parse("id", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "Acme",
            "a_b",
            "a b",
            "admin",
            "api",
            &"a".repeat(64),
            "é",
        ] {
            assert!(parse("id", bad).is_err(), "{bad}");
        }
    }
}
