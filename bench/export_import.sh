#!/usr/bin/env bash
# Import and export of a tenant of N users (default 100,000): seconds and peak RSS of `tarn import` and `tarn
# export` as separate processes, on SQLite and (when it answers) on PostgreSQL at 127.0.0.1:5432. Prints a Markdown
# table. Run by hand: bench/export_import.sh [users]; TARN_BIN picks the binary (default: a release build).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${1:-100000}
if [ -z "${TARN_BIN:-}" ]; then
    cargo build --release --quiet --bin tarn
    TARN_BIN=${CARGO_TARGET_DIR:-target}/release/tarn
fi
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

# One pool, N users with a PBKDF2 hash each (checked at import like any other), 50 groups, every user in one.
python3 - "$USERS" > "$DIR/tenant.ndjson" <<'PY'
import json, sys
n = int(sys.argv[1])
out = sys.stdout
w = lambda line: out.write(json.dumps(line, separators=(",", ":")) + "\n")
w({"kind": "tarn-export", "version": 1, "tenant": {"id": "bench", "name": "Bench"}})
w({"kind": "pool", "id": "p", "name": "customers", "authentication_mechanisms": ["password"]})
for g in range(50):
    w({"kind": "group", "id": f"g{g:02}", "pool_id": "p", "name": f"group {g}"})
hash_ = "$pbkdf2-sha256$i=600000,l=32$TmFDbE5hQ2xOYUNsTmFDbA$iV0kFQm8d7ZPZKcGCiGE3QxR2q0pniW2hUXLQbhRMdU"
for i in range(n):
    w({"kind": "user", "id": f"u{i:07}", "pool_id": "p", "email": f"user{i}@example.com", "email_verified": True,
       "payload": {"given_name": "User", "family_name": str(i)}, "password_hash": hash_})
for i in range(n):
    w({"kind": "membership", "group_id": f"g{i % 50:02}", "user_id": f"u{i:07}"})
w({"kind": "workspace", "id": "app", "name": "App"})
w({"kind": "idp", "workspace_id": "app", "pool_id": "p"})
PY
SIZE=$(du -m "$DIR/tenant.ndjson" | cut -f1)

# Runs the binary under /usr/bin/time; prints "seconds | peak RSS MiB".
measure() {
    /usr/bin/time -f '%e %M' -o "$DIR/time" env -u TARN_LOG TARN_LOG=warn TARN_DATABASE_URL="$1" "$TARN_BIN" "${@:2}" \
        >/dev/null 2>"$DIR/stderr" || { cat "$DIR/stderr" >&2; exit 1; }
    awk '{ printf "%s | %.0f", $1, $2 / 1024 }' "$DIR/time"
}

row() {
    local backend=$1 url=$2
    echo "| $backend | dry run (check only) | $(measure "$url" import "$DIR/tenant.ndjson" --dry-run) |"
    echo "| $backend | import | $(measure "$url" import "$DIR/tenant.ndjson") |"
    echo "| $backend | export | $(measure "$url" export --tenant bench --output "$DIR/out.ndjson") |"
}

echo "$USERS users (+ $USERS memberships, 50 groups), ${SIZE} MiB of NDJSON; $(nproc) cores; binary $TARN_BIN"
echo
echo "| backend | command | seconds | peak RSS (MiB) |"
echo "|---|---|---|---|"
row SQLite "sqlite://$DIR/tarn.db"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    DB="tarn_bench_$$"
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
    row PostgreSQL "postgres://postgres@127.0.0.1:5432/$DB"
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB" >/dev/null
fi
