"""Creates a pool, a user, clients (RS256 and ES256) in workspace default/default; prints them as JSON."""
import json
import sys

from tarn_client import REDIRECT, admin, login

base, token = sys.argv[1], sys.argv[2]
pool = admin(base, token, "POST", "/default/pools", {"name": "bench"})["id"]
admin(base, token, "POST", f"/default/pools/{pool}/users", {
    "email": "bench@example.com", "mode": "set_credentials", "password": "correct horse battery",
    "payload": {"given_name": "Bench", "family_name": "Mark", "name": "Bench Mark"},
})
admin(base, token, "POST", "/default/workspaces/default/idps", {"pool_id": pool})
out = {}
for alg in ["RS256", "ES256"]:
    c = admin(base, token, "POST", "/default/workspaces/default/clients", {
        "client_name": f"bench {alg}", "redirect_uris": [REDIRECT], "id_token_signed_response_alg": alg,
        "grant_types": ["authorization_code", "client_credentials"],
    })
    out[alg] = {"id": c["client_id"], "secret": c["client_secret"]}
issuer = f"{base}/default/default"
out["access_token"] = login(issuer, out["ES256"]["id"], out["ES256"]["secret"], "bench@example.com",
                            "correct horse battery")["access_token"]
print(json.dumps(out))
