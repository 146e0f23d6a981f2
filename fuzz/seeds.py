#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target to fuzz/corpus/<target>/ as seed-N (real, valid requests and bodies; the
fuzzer mutates them). The keys below are the throwaway test keys whose public halves are in
src/fuzzing/fixtures.rs; they sign nothing but these seeds. Needs python3 with `cryptography`."""

import base64, hashlib, json, os, struct, subprocess, sys

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ROOT = os.path.dirname(os.path.abspath(__file__))
ISSUER = "https://id.example/acme/main"
TOKEN = ISSUER + "/oauth2/token"
NOW = 1_800_000_000


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


ED = ed25519.Ed25519PrivateKey.from_private_bytes(unb64("XmCz4BGZRN3D8g2dJScSC3L1qzqsJ8fQ9wI4q7aS8yY"))
EC = ec.derive_private_key(int.from_bytes(unb64("skusXZ2wSmYQ1ugqqUPnuGzSsN9bubsnkeVS4N7vhoo"), "big"), ec.SECP256R1())


def jwt(claims, alg="EdDSA", kid=None, typ="JWT"):
    header = {"alg": alg, "typ": typ}
    if kid:
        header["kid"] = kid
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if alg == "EdDSA":
        sig = ED.sign(signing.encode())
    else:
        from cryptography.hazmat.primitives import hashes
        r, s = decode_dss_signature(EC.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing + "." + b64(sig)


def cbor(v):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        if n < 256:
            return bytes([major << 5 | 24, n])
        if n < 65536:
            return bytes([major << 5 | 25]) + struct.pack(">H", n)
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    if isinstance(v, bool):
        return bytes([0xF5 if v else 0xF4])
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


def webauthn():
    rp_hash = hashlib.sha256(b"localhost").digest()
    cred = hashlib.sha256(b"fuzz credential").digest()
    nums = EC.public_key().public_numbers()
    cose = cbor({1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")})
    auth = rp_hash + bytes([0x45]) + struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(cred)) + cred + cose
    client = {"type": "webauthn.create", "challenge": b64(b"c" * 32), "origin": "http://localhost:8080",
              "crossOrigin": False}
    reg = {"id": b64(cred), "rawId": b64(cred), "type": "public-key", "extensions": {},
           "response": {"attestationObject": b64(cbor({"fmt": "none", "attStmt": {}, "authData": auth})),
                        "clientDataJSON": b64(json.dumps(client).encode()), "transports": ["internal"]}}
    get_client = dict(client, type="webauthn.get")
    auth_data = rp_hash + bytes([0x05]) + struct.pack(">I", 7)
    assertion = {"id": b64(cred), "rawId": b64(cred), "type": "public-key", "extensions": {},
                 "response": {"authenticatorData": b64(auth_data),
                              "clientDataJSON": b64(json.dumps(get_client).encode()),
                              "signature": b64(b"\x30\x06\x02\x01\x01\x02\x01\x01"),
                              "userHandle": b64(bytes.fromhex("0123456789abcdef0123456789abcdef"))}}
    return [json.dumps(reg), json.dumps(assertion), json.dumps(dict(reg, response={}))]


def import_lines():
    lines = [
        {"kind": "tarn-export", "version": 1, "tenant": {"id": "legacy", "name": "Legacy"}},
        {"kind": "pool", "id": "p1", "name": "migrated", "authentication_mechanisms": ["password"]},
        {"kind": "user", "id": "u1", "pool_id": "p1", "email": "ada@example.com", "email_verified": True,
         "payload": {"given_name": "Ada"}, "password_hash": "$2b$04$abcdefghijklmnopqrstuu5Vt3FqB9E1xRqGmOO2Z0J0KN6TKSfSO"},
        {"kind": "group", "id": "g1", "pool_id": "p1", "name": "admins"},
        {"kind": "membership", "group_id": "g1", "user_id": "u1"},
        {"kind": "workspace", "id": "app", "name": "App"},
        {"kind": "idp", "workspace_id": "app", "pool_id": "p1"},
        {"kind": "client", "id": "c1", "workspace_id": "app", "registration": {"client_name": "App",
         "redirect_uris": ["https://app.example/cb"]}},
    ]
    seeds = ["\n".join(json.dumps(line) for line in lines) + "\n"]
    example = os.path.join(ROOT, "..", "examples", "to_tarn_ndjson.py")
    out = subprocess.run([sys.executable, example, "--tenant", "moved", "--name", "Moved",
                          "--keycloak", os.path.join(ROOT, "..", "examples", "keycloak-realm.sample.json"),
                          "--auth0", os.path.join(ROOT, "..", "examples", "auth0-users.sample.ndjson")],
                         capture_output=True, text=True)
    if out.returncode == 0:
        seeds.append(out.stdout)
    return seeds


def seeds():
    assertion = {"iss": "fuzz-jwt", "sub": "fuzz-jwt", "aud": TOKEN, "exp": NOW + 300, "iat": NOW,
                 "jti": "a1b2c3"}
    hint = {"iss": ISSUER, "sub": "user-1", "aud": "fuzz-native", "exp": NOW - 100, "iat": NOW - 400}
    verifier = b64(hashlib.sha256(b"verifier").digest())
    challenge = b64(hashlib.sha256(verifier.encode()).digest())
    return {
        "authorize_request": [
            f"response_type=code&client_id=fuzz-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A51234%2Fcallback"
            f"&scope=openid%20profile&state=xyz&nonce=n-0S6&code_challenge={challenge}&code_challenge_method=S256",
            "response_type=code&client_id=fuzz-jwt&redirect_uri=https%3A%2F%2Fservice.example%2Fcb&scope=openid"
            "&prompt=login%20consent&max_age=300&response_mode=form_post&login_hint=ada%40example.com"
            "&claims=%7B%22userinfo%22%3A%7B%22email%22%3A%7B%22essential%22%3Atrue%7D%7D%7D",
            "response_type=code&client_id=fuzz-native&redirect_uri=com.example.app%3A%2Fcb&scope=openid"
            f"&code_challenge={challenge}&code_challenge_method=S256&prompt=none&dpop_jkt={'A' * 43}",
            "client_id=fuzz-native&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc",
        ],
        "token_request": [
            f"\ngrant_type=authorization_code&code=abc&client_id=fuzz-native&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code_verifier={verifier}",
            "Basic " + base64.b64encode(b"fuzz%20svc:s%3Acret").decode() + "\ngrant_type=client_credentials&scope=profile",
            "\ngrant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            "&client_assertion=" + jwt(assertion, kid="fuzz-ed"),
            "\ngrant_type=refresh_token&refresh_token=r1&client_id=fuzz-native&client_id=again",
        ],
        "client_assertion": [
            jwt(assertion, kid="fuzz-ed"),
            jwt(dict(assertion, aud=[ISSUER, "other"], nbf=NOW - 5), alg="ES256", kid="fuzz-ec"),
            jwt(dict(assertion, exp=NOW - 3600)),
        ],
        "id_token_hint": [
            jwt(hint, kid="fuzz-ed"),
            jwt(dict(hint, aud=["fuzz-native", "fuzz-jwt"]), alg="ES256", kid="fuzz-ec"),
            jwt(dict(hint, aud=[])),
        ],
        "admin_json": [
            "client\n" + json.dumps({"client_name": "App", "redirect_uris": ["https://app.example/cb",
                "http://127.0.0.1/cb"], "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "client_secret_basic", "scope": "openid profile email",
                "backchannel_logout_uri": "https://app.example/logout", "logo_uri": "https://app.example/l.png"}),
            "client_patch\n" + json.dumps({"client_name": "Renamed", "jwks_uri": "https://app.example/jwks",
                                           "token_endpoint_auth_method": "private_key_jwt", "scope": None}),
            "user\n" + json.dumps({"email": "Ada@Example.com", "mobile": "+44 20 7946 0958", "mode": "set_credentials",
                                   "password": "correct horse battery", "payload": {"given_name": "Ada"}}),
            "user_patch\n" + json.dumps({"email_verified": True, "payload": {"family_name": "Lovelace"}}),
            "pool\n" + json.dumps({"name": "customers", "authentication_mechanisms": ["password", "passkey"],
                                   "password_policy": {"min_length": 12}}),
            "pool_patch\n" + json.dumps({"description": "All customers", "public_registration_allowed": True}),
            "group\n" + json.dumps({"name": "admins", "description": "Admins"}),
            "group_patch\n" + json.dumps({"parent_id": None}),
            "assignment\n" + json.dumps({"user_id": "u1"}),
            "workspace\n" + json.dumps({"id": "main", "name": "Main"}),
            "workspace_patch\n" + json.dumps({"name": "Main", "access_token_lifetime": 600}),
            "initial_access_token\n" + json.dumps({"expires_in": 3600, "uses": 1}),
        ],
        "user_payload": [
            json.dumps({"given_name": "Ada", "family_name": "Lovelace", "website": "https://ada.example",
                        "birthdate": "1815-12-10"}),
            json.dumps({"type": "object", "required": ["employee_id"], "additionalProperties": False,
                        "properties": {"employee_id": {"type": "string", "pattern": "^E-[0-9]+$"},
                                       "age": {"type": "integer", "minimum": 0}, "given_name": {"type": "string"},
                                       "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}}),
            json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                        "properties": {"given_name": {"type": "string", "format": "email"}}}),
        ],
        "import_line": import_lines(),
        "webauthn_json": webauthn(),
    }


def main():
    for target, inputs in seeds().items():
        folder = os.path.join(ROOT, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        for i, text in enumerate(inputs):
            with open(os.path.join(folder, f"seed-{i}"), "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
