//! The client's address, the one answer every use of it shares (lockout, rate limits, audit, logs).
//!
//! The TCP peer is the client unless it is one of `TARN_TRUSTED_PROXIES`: then `X-Forwarded-For` and RFC 7239
//! `Forwarded` are read from the right, skipping trusted proxies, and the first other hop is the client. Anything
//! left of that hop was written by the client itself and is never believed. A hop that cannot be read, a header
//! without a hop, or two headers naming different clients make Tarn fall back to the peer: a header the proxy did
//! not write may be forged, and the peer is at least an address the client cannot choose. Knows nothing of the
//! domain; the web areas pass the address on.

use std::net::{IpAddr, SocketAddr};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderMap;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};

use crate::config::TrustedProxies;
use crate::state::AppState;

/// The client's address as an extractor argument: `async fn handler(client: ClientAddr, …)`.
/// `None` only when the connection has no IP peer (never for TCP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequest for ClientAddr {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientAddr(of(req))))
    }
}

/// The client address of `req`, under the server's `TARN_TRUSTED_PROXIES`.
pub fn of(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    match req.app_data::<Data<AppState>>() {
        Some(app) => resolve(peer, req.headers(), &app.config.trusted_proxies),
        None => peer.map(|ip| ip.to_canonical()),
    }
}

/// The client address given the TCP peer, the request headers and the trusted proxies.
pub fn resolve(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let forwarded_for = header_hops(headers, "x-forwarded-for", forwarded_for_hops);
    let forwarded = header_hops(headers, "forwarded", forwarded_hops);
    let client = |hops: Option<Vec<Option<IpAddr>>>| hops.map(|h| rightmost_untrusted(&h, trusted));
    let found = match (client(forwarded_for), client(forwarded)) {
        (None, None) => None,
        (Some(one), None) | (None, Some(one)) => one,
        (Some(a), Some(b)) => a.filter(|a| Some(*a) == b),
    };
    Some(found.unwrap_or(peer))
}

/// The hops of every `name` header, in order; `None` when there is none. A hop that is not an address is `None`.
fn header_hops(
    headers: &HeaderMap,
    name: &str,
    parse: fn(&str) -> Vec<Option<IpAddr>>,
) -> Option<Vec<Option<IpAddr>>> {
    let mut values = headers.get_all(name).peekable();
    values.peek()?;
    Some(
        values
            .flat_map(|v| v.to_str().map_or_else(|_| vec![None], parse))
            .collect(),
    )
}

/// Walks the hops right to left past trusted proxies; `None` when an unreadable hop comes first.
fn rightmost_untrusted(hops: &[Option<IpAddr>], trusted: &TrustedProxies) -> Option<IpAddr> {
    let mut leftmost = None;
    for hop in hops.iter().rev() {
        let ip = (*hop)?.to_canonical();
        if !trusted.contains(ip) {
            return Some(ip);
        }
        leftmost = Some(ip);
    }
    // Every hop is a proxy of ours: the request started inside, at the left-most one.
    leftmost
}

/// `X-Forwarded-For: client, proxy1, proxy2`; a port is tolerated (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn forwarded_for_hops(value: &str) -> Vec<Option<IpAddr>> {
    value.split(',').map(|hop| node(hop.trim())).collect()
}

/// RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"`. Each element's `for`
/// (§5.2) is a hop; `unknown`, obfuscated identifiers (§6.3) and elements without `for` are not addresses.
fn forwarded_hops(value: &str) -> Vec<Option<IpAddr>> {
    let Some(elements) = split_outside_quotes(value, ',') else {
        return vec![None];
    };
    elements
        .iter()
        .map(|element| {
            let pairs = split_outside_quotes(element, ';')?;
            let node_value = pairs.iter().find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then_some(value.trim())
            })?;
            node(unquote(node_value)?)
        })
        .collect()
}

/// An address with an optional port; `None` for anything else.
fn node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(v6) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return v6.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|a| a.ip())
}

/// A token, or a quoted-string (RFC 7230 §3.2.6) without its quotes and escapes.
fn unquote(value: &str) -> Option<&str> {
    match value.strip_prefix('"') {
        Some(rest) => rest
            .strip_suffix('"')
            .filter(|inner| !inner.contains(['"', '\\'])),
        None => Some(value),
    }
}

/// Splits on `separator` where it is not inside a quoted-string; `None` when a quote is left open.
fn split_outside_quotes(value: &str, separator: char) -> Option<Vec<&str>> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(value[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim());
    (!quoted).then_some(parts)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    const PEER: &str = "10.0.0.2";

    fn client(trusted: &str, headers: &[(&str, &str)]) -> String {
        let trusted = TrustedProxies::parse([trusted]).unwrap();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        resolve(PEER.parse().ok(), &map, &trusted)
            .unwrap()
            .to_string()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let forged = [
            ("x-forwarded-for", "192.0.2.1"),
            ("forwarded", "for=192.0.2.1"),
        ];
        assert_eq!(client("", &forged), PEER);
        assert_eq!(client("10.9.0.0/16", &forged), PEER);
    }

    #[test]
    fn the_rightmost_hop_that_is_not_a_trusted_proxy_is_the_client() {
        let trusted = "10.0.0.0/8, fd00::/8";
        let xff = |v| client(trusted, &[("x-forwarded-for", v)]);
        assert_eq!(xff("192.0.2.9"), "192.0.2.9");
        assert_eq!(
            xff("6.6.6.6, 192.0.2.9, 10.1.1.1"),
            "192.0.2.9",
            "forged left part"
        );
        assert_eq!(
            xff("garbage, 192.0.2.9"),
            "192.0.2.9",
            "left of the client is not read"
        );
        assert_eq!(xff("2001:db8::7, fd00::1"), "2001:db8::7");
        assert_eq!(xff("192.0.2.9:4711"), "192.0.2.9");
        assert_eq!(xff("[2001:db8::7]:4711"), "2001:db8::7");
        assert_eq!(xff("::ffff:192.0.2.9"), "192.0.2.9");
        assert_eq!(
            xff("10.3.3.3, 10.1.1.1"),
            "10.3.3.3",
            "all ours: the first one"
        );
        let split = [
            ("x-forwarded-for", "192.0.2.9"),
            ("x-forwarded-for", "10.1.1.1"),
        ];
        assert_eq!(
            client(trusted, &split),
            "192.0.2.9",
            "header lines concatenate"
        );
    }

    #[test]
    fn rfc_7239_forwarded_is_read_with_quotes_ports_and_other_parameters() {
        let trusted = "10.0.0.0/8";
        let fwd = |v| client(trusted, &[("forwarded", v)]);
        assert_eq!(
            fwd("for=192.0.2.60;proto=http;by=203.0.113.43"),
            "192.0.2.60"
        );
        assert_eq!(fwd("for=\"[2001:db8:cafe::17]:4711\""), "2001:db8:cafe::17");
        assert_eq!(fwd("For=\"192.0.2.43:47011\", for=10.1.1.1"), "192.0.2.43");
        assert_eq!(fwd("for=6.6.6.6, proto=https;for=192.0.2.9"), "192.0.2.9");
        assert_eq!(fwd("for=\"x,y\";by=z, for=192.0.2.9"), "192.0.2.9");
    }

    #[test]
    fn an_unreadable_hop_falls_back_to_the_peer() {
        let trusted = "10.0.0.0/8";
        for bad in ["", "nonsense", "192.0.2.9, 300.1.1.1", "192.0.2.9,"] {
            assert_eq!(
                client(trusted, &[("x-forwarded-for", bad)]),
                PEER,
                "{bad:?}"
            );
        }
        for bad in [
            "for=unknown",
            "for=_hidden",
            "proto=https",
            "for=\"192.0.2.9",
            "for=\"192.0.2.9\"x\"",
        ] {
            assert_eq!(client(trusted, &[("forwarded", bad)]), PEER, "{bad:?}");
        }
    }

    #[test]
    fn both_headers_must_name_the_same_client() {
        let trusted = "10.0.0.0/8";
        let agree = [
            ("x-forwarded-for", "192.0.2.9"),
            ("forwarded", "for=192.0.2.9"),
        ];
        assert_eq!(client(trusted, &agree), "192.0.2.9");
        let forged = [
            ("x-forwarded-for", "192.0.2.9"),
            ("forwarded", "for=198.51.100.1"),
        ];
        assert_eq!(client(trusted, &forged), PEER);
    }
}
