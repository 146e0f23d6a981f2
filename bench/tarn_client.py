"""Minimal HTTP helpers for the benchmark (standard library only): admin API calls and one full browser login."""
import base64
import hashlib
import http.cookiejar
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

REDIRECT = "http://localhost:9999/callback"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def admin(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}/api/admin{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as res:
        text = res.read()
        return json.loads(text) if text else None


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(op, url, form=None, headers=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        res = op.open(req)
        return res.status, res.headers, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def login(issuer, client_id, secret, identifier, password):
    """authorize → login page → POST credentials → code → token; returns the token response."""
    op = opener()
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid email",
        "state": "s", "nonce": "n", "code_challenge": challenge, "code_challenge_method": "S256",
    })
    status, headers, _ = fetch(op, f"{issuer}/oauth2/authorize?{query}")
    assert status == 302, status
    status, _, page = fetch(op, headers["Location"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    request = re.search(r'name="request" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "request": request, "identifier": identifier, "password": password}
    status, headers, body = fetch(op, f"{issuer}/login", form)
    assert status == 302, (status, body[:200])
    code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    status, _, body = fetch(op, f"{issuer}/oauth2/token", form, {"Authorization": f"Basic {basic}"})
    assert status == 200, (status, body)
    return json.loads(body)


def passkey_options(issuer, client_id, identifier):
    """authorize → login page → the passkey button's options call (a ceremony is stored and left unfinished)."""
    op = opener()
    query = urllib.parse.urlencode({
        "client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
    })
    status, headers, _ = fetch(op, f"{issuer}/oauth2/authorize?{query}")
    assert status == 302, status
    status, _, page = fetch(op, headers["Location"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    request = re.search(r'name="request" value="([^"]+)"', page).group(1)
    options = re.search(r'id="passkey-sign-in"[^>]* data-options="([^"]+)"', page).group(1)
    status, _, body = fetch(op, options, {"csrf_token": csrf, "request": request, "identifier": identifier})
    assert status == 200, (status, body[:200])
    return json.loads(body)
