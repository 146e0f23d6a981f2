#!/usr/bin/env python3
"""Turns a Keycloak realm export and/or an Auth0 users export into Tarn's import format (NDJSON), on stdout.

    python3 examples/to_tarn_ndjson.py --tenant acme --name "Acme" \
        --keycloak realm-export.json --auth0 users.ndjson > acme.ndjson
    tarn import acme.ndjson --dry-run && tarn import acme.ndjson

Each source becomes one pool (`keycloak`, `auth0`), connected to workspace `--workspace` (default `main`).
User ids are kept, so `sub` stays what the applications know.

Keycloak (`kc.sh export --realm R --file realm-export.json`, or the admin console's partial export):
  - users with their password credential: pbkdf2-sha256 / pbkdf2-sha512 (Keycloak's `secretData` value and salt,
    `credentialData` iterations) and argon2 (Keycloak 24+) become PHC strings Tarn verifies and rehashes;
  - groups (nested `subGroups`) and users' group paths become groups and memberships;
  - `enabled: false` users are imported inactive;
  - confidential clients keep their client id and secret (Keycloak exports the secret in clear text; Tarn stores
    only its SHA-256); redirect URIs with a wildcard or a relative path are dropped (Tarn registers exact URIs),
    and a client left without one for its code flow is skipped with a warning on stderr.
Auth0 (a user export job's NDJSON or JSON array): `user_id`, `email`, `email_verified`, `given_name`,
  `family_name`, `name`, `created_at`, and `passwordHash` (bcrypt, present in the password-hash export Auth0 support
  provides; merge it into each user first). Social users (no `passwordHash`) arrive without a password; they sign
  in with a code or reset their password.

Only the standard library; Python 3.8 or later.
"""

import argparse
import base64
import hashlib
import json
import sys
from datetime import datetime


def b64_phc(data: bytes) -> str:
    """PHC strings use standard base64 without padding."""
    return base64.b64encode(data).decode().rstrip("=")


def seconds(value):
    """Keycloak's milliseconds, or Auth0's ISO 8601 text, as unix seconds (None when absent)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value // 1000)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def keycloak_hash(credentials):
    """The PHC string of a Keycloak password credential, or None (no password, or an algorithm Tarn lacks)."""
    for cred in credentials or []:
        if cred.get("type") != "password":
            continue
        secret = json.loads(cred.get("secretData") or "{}")
        data = json.loads(cred.get("credentialData") or "{}")
        value = base64.b64decode(secret.get("value", ""))
        salt = base64.b64decode(secret.get("salt", ""))
        algorithm = data.get("algorithm", "pbkdf2-sha256")
        if algorithm in ("pbkdf2-sha256", "pbkdf2-sha512"):
            return f"${algorithm}$i={data['hashIterations']},l={len(value)}${b64_phc(salt)}${b64_phc(value)}"
        if algorithm == "argon2":
            p = {k: v[0] for k, v in data.get("additionalParameters", {}).items()}
            kind = {"id": "argon2id", "i": "argon2i"}.get(p.get("type", "id"))
            if kind is None:
                break
            return (f"${kind}$v=19$m={p['memory']},t={p['iterations']},p={p['parallelism']}"
                    f"${b64_phc(salt)}${b64_phc(value)}")
        print(f"warning: password algorithm {algorithm} is not importable; user left without password",
              file=sys.stderr)
    return None


def keycloak_groups(groups, parent=None):
    """Every group of the tree, parents first, with its path."""
    for g in groups or []:
        yield g, parent
        yield from keycloak_groups(g.get("subGroups"), g["id"])


def exact_uris(uris):
    return [u for u in uris or [] if "*" not in u and (u.startswith("https://") or u.startswith("http://"))]


def from_keycloak(realm, out, workspace):
    pool = "keycloak"
    out.append({"kind": "pool", "id": pool, "name": f"Keycloak {realm.get('realm', '')}".strip(),
                "authentication_mechanisms": ["password"]})
    by_path = {}
    for group, parent in keycloak_groups(realm.get("groups")):
        by_path[group.get("path") or ""] = group["id"]
        out.append({"kind": "group", "id": group["id"], "pool_id": pool, "name": group["name"],
                    "parent_id": parent})
    memberships = []
    for u in realm.get("users", []):
        if u.get("serviceAccountClientId"):
            continue
        payload = {k: v for k, v in (("given_name", u.get("firstName")), ("family_name", u.get("lastName")),
                                     ("preferred_username", u.get("username"))) if v}
        line = {"kind": "user", "id": u["id"], "pool_id": pool, "email": u.get("email"),
                "email_verified": bool(u.get("emailVerified")),
                "status": "active" if u.get("enabled", True) else "inactive",
                "payload": payload, "created_at": seconds(u.get("createdTimestamp"))}
        password_hash = keycloak_hash(u.get("credentials"))
        if password_hash:
            line["password_hash"] = password_hash
        out.append(line)
        memberships += [{"kind": "membership", "group_id": by_path[p], "user_id": u["id"]}
                        for p in u.get("groups", []) if p in by_path]
    out.extend(memberships)
    clients = []
    for c in realm.get("clients", []):
        if c.get("bearerOnly"):
            continue
        redirect_uris = exact_uris(c.get("redirectUris"))
        grants = ["authorization_code", "refresh_token"] if c.get("standardFlowEnabled", True) else []
        if c.get("serviceAccountsEnabled") and not c.get("publicClient"):
            grants.append("client_credentials")
        if not grants or ("authorization_code" in grants and not redirect_uris):
            print(f"warning: client {c['clientId']} has no exact redirect URI; skipped", file=sys.stderr)
            continue
        metadata = {"client_name": c.get("name") or c["clientId"], "redirect_uris": redirect_uris,
                    "grant_types": grants,
                    "token_endpoint_auth_method": "none" if c.get("publicClient") else "client_secret_basic"}
        line = {"kind": "client", "id": c["clientId"], "workspace_id": workspace, "metadata": metadata}
        if not c.get("publicClient"):
            line["secret_hash"] = hashlib.sha256(c["secret"].encode()).hexdigest()
        clients.append(line)
    return pool, clients


def auth0_users(path):
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def from_auth0(users, out):
    pool = "auth0"
    out.append({"kind": "pool", "id": pool, "name": "Auth0", "authentication_mechanisms": ["password", "otp"]})
    for u in users:
        payload = {k: u[k] for k in ("given_name", "family_name", "name") if u.get(k)}
        line = {"kind": "user", "id": u["user_id"], "pool_id": pool, "email": u.get("email"),
                "email_verified": bool(u.get("email_verified")), "payload": payload,
                "created_at": seconds(u.get("created_at"))}
        if u.get("passwordHash"):
            line["password_hash"] = u["passwordHash"]
        out.append(line)
    return pool


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", required=True, help="the Tarn tenant id to create (a slug)")
    parser.add_argument("--name", help="the tenant's name (default: its id)")
    parser.add_argument("--workspace", default="main", help="the workspace the pools are connected to")
    parser.add_argument("--keycloak", help="a Keycloak realm export (JSON)")
    parser.add_argument("--auth0", help="an Auth0 users export (NDJSON or a JSON array)")
    args = parser.parse_args()
    if not args.keycloak and not args.auth0:
        parser.error("give --keycloak, --auth0, or both")
    lines, pools, clients = [], [], []
    if args.keycloak:
        with open(args.keycloak, encoding="utf-8") as f:
            pool, clients = from_keycloak(json.load(f), lines, args.workspace)
        pools.append(pool)
    if args.auth0:
        pools.append(from_auth0(auth0_users(args.auth0), lines))
    header = {"kind": "tarn-export", "version": 1, "tenant": {"id": args.tenant, "name": args.name or args.tenant}}
    tail = [{"kind": "workspace", "id": args.workspace, "name": args.workspace}]
    tail += [{"kind": "idp", "workspace_id": args.workspace, "pool_id": p} for p in pools]
    for line in [header, *lines, *tail, *clients]:
        print(json.dumps({k: v for k, v in line.items() if v is not None}, ensure_ascii=False))


if __name__ == "__main__":
    main()
