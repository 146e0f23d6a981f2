#!/usr/bin/env bash
# Schemathesis against a running `tarn serve` (debug build, SQLite in a temp dir): every admin operation, a bounded
# number of examples each, checks `not_a_server_error` and `response_schema_conformance`. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
VENV="target/schemathesis-venv"
TARN="target/debug/tarn"
TOKEN="schemathesis-admin-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ -x "$TARN" ] || cargo build --bin tarn

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DATA=$(mktemp -d)
TARN_LISTEN="127.0.0.1:$PORT" TARN_PUBLIC_URL="$BASE" TARN_DATABASE_URL="sqlite://$DATA/tarn.db" \
    TARN_ADMIN_TOKEN="$TOKEN" "$TARN" serve >"$DATA/tarn.log" 2>&1 &
SERVER=$!
stop() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    rm -rf "$DATA"
}
trap stop EXIT

for _ in $(seq 1 60); do
    curl -fs "$BASE/readyz" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/tarn.log" >&2; exit 1; }
    sleep 0.5
done
curl -fs "$BASE/readyz" >/dev/null || { echo "tarn did not become ready" >&2; cat "$DATA/tarn.log" >&2; exit 1; }

# Objects for the path parameters, so that operations reach their logic and not only a 404.
admin() { curl -fs -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" "$@"; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
POOL=$(admin -d '{"name": "Fuzzed"}' "$BASE/api/admin/default/pools" | field id)
USER_ID=$(admin -d '{"email": "fuzz@example.com", "mode": "set_credentials", "password": "correct horse 42"}' \
    "$BASE/api/admin/default/pools/$POOL/users" | field id)
GROUP=$(admin -d '{"name": "fuzzers"}' "$BASE/api/admin/default/pools/$POOL/groups" | field id)
CLIENT=$(admin -d '{"client_name": "Fuzz", "redirect_uris": ["https://app.example/cb"]}' \
    "$BASE/api/admin/default/workspaces/default/clients" | field id)

CONFIG="$DATA/schemathesis.toml"
cat >"$CONFIG" <<TOML
[parameters]
tenant = "default"
workspace = "default"
pool = "$POOL"
user = "$USER_ID"
group = "$GROUP"
client = "$CLIENT"
TOML

status=0
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH=.ci timeout 240 "$VENV/bin/schemathesis" --config-file "$CONFIG" \
    run "$BASE/api/admin/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples 20 --max-time 120 --workers 1 --seed 1 --no-shrink \
    || status=$?
if [ "$status" -ne 0 ]; then
    echo "schemathesis failed ($status); the warnings and errors of the server log:" >&2
    grep -E "WARN|ERROR" "$DATA/tarn.log" | tail -20 >&2 || true
fi
exit "$status"
