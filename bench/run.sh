#!/usr/bin/env bash
# Benchmarks a release build of Tarn on SQLite on this machine and prints a Markdown report:
# requests/s, p50/p99 latency and server CPU seconds per workload and concurrency (password and passkey logins
# included), what a passkey ceremony and a passkey store, idle and peak RSS, and the crypto ceilings
# (signatures/s, argon2id hashes/s, passkey assertions verified/s). Run by hand: bench/run.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-10}
PORT=${TARN_BENCH_PORT:-18080}
BASE="http://127.0.0.1:$PORT"
ISSUER="$BASE/default/default"
TOKEN="bench-admin-token-$$"
# Authenticators refuse WebAuthn on a bare IP: passkeys get the localhost origin, while every request still goes
# to 127.0.0.1 (as before, so the other numbers stay comparable).
PASSKEY_ORIGIN="http://localhost:$PORT"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet --bin tarn --example crypto_ceilings --example passkey_logins
TARGET=${CARGO_TARGET_DIR:-target}

DIR=$(mktemp -d)
TARN_LISTEN="127.0.0.1:$PORT" TARN_PUBLIC_URL="$BASE" TARN_DATABASE_URL="sqlite://$DIR/tarn.db" \
    TARN_PASSKEY_RP_ID=localhost TARN_PASSKEY_ORIGIN="$PASSKEY_ORIGIN" \
    TARN_ADMIN_TOKEN="$TOKEN" TARN_LOG=warn "$TARGET/release/tarn" serve &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

TICKS=$(getconf CLK_TCK)
cpu() { awk -v t="$TICKS" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$PID/stat"; }
rss() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$PID/status"; }

curl -sf "$ISSUER/.well-known/jwks.json" >/dev/null
IDLE_RSS=$(rss VmRSS)
BOOT=$(python3 bench/bootstrap.py "$BASE" "$TOKEN")
field() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($1)" "$BOOT"; }
RS_ID=$(field "d['RS256']['id']"); RS_SECRET=$(field "d['RS256']['secret']")
ES_ID=$(field "d['ES256']['id']"); ES_SECRET=$(field "d['ES256']['secret']")
AT=$(field "d['access_token']")
WARM_RSS=$(rss VmRSS)

LUA=$(mktemp --suffix .lua)
cc_script() { # client_credentials POST with Basic auth
    local basic; basic=$(printf '%s:%s' "$1" "$2" | base64 -w0)
    cat > "$LUA" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=profile"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
LUA
}

row() { # label, concurrency, wrk args...
    local label=$1 conns=$2; shift 2
    local before after out
    before=$(cpu)
    out=$(wrk -t"$(( conns < 2 ? conns : 2 ))" -c"$conns" -d"${SECONDS_PER_RUN}s" --latency "$@" 2>&1) \
        || { echo "wrk failed: $out" >&2; exit 1; }
    after=$(cpu)
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    non2xx=$(awk '/Non-2xx/ { print $5 }' <<<"$out")
    echo "| $label | $conns | $rps | $p50 | $p99 | $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') | ${non2xx:-0} |"
}

echo "## $(date -u +%Y-%m-%d) — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -m), release build, SQLite"
echo
echo "Each run: wrk (2 threads, 1 at concurrency 1), ${SECONDS_PER_RUN}s, client and server on the same machine. CPU = server CPU seconds during the run."
echo
echo "| workload | concurrency | requests/s | p50 | p99 | server CPU s | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for c in 1 4 16; do row "discovery" "$c" "$ISSUER/.well-known/openid-configuration"; done
for c in 1 4 16; do row "JWKS" "$c" "$ISSUER/.well-known/jwks.json"; done
cc_script "$RS_ID" "$RS_SECRET"
for c in 1 4 16; do row "client_credentials RS256" "$c" -s "$LUA" "$ISSUER/oauth2/token"; done
cc_script "$ES_ID" "$ES_SECRET"
for c in 1 4 16; do row "client_credentials ES256" "$c" -s "$LUA" "$ISSUER/oauth2/token"; done
for c in 1 4 16; do row "UserInfo" "$c" -H "Authorization: Bearer $AT" "$ISSUER/oauth2/userinfo"; done

echo
echo "| full password logins (authorize → form → code → token) | concurrency | logins/s | p50 ms | p99 ms | server CPU s | errors |"
echo "|---|---|---|---|---|---|---|"
for c in 1 4 16; do
    before=$(cpu)
    if [ "$c" = 16 ]; then
        wrk -t1 -c1 -d"${SECONDS_PER_RUN}s" --latency "$ISSUER/.well-known/jwks.json" > "$DIR/jwks-during-storm.txt" 2>&1 &
        WRK=$!
    fi
    res=$(python3 bench/logins.py "$ISSUER" "$ES_ID" "$ES_SECRET" "$c" "$SECONDS_PER_RUN")
    after=$(cpu)
    python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"| login | {sys.argv[2]} | {r['logins_per_s']:.1f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {float(sys.argv[4]) - float(sys.argv[3]):.1f} | {r['errors']} |\")" "$res" "$c" "$before" "$after"
done
wait "$WRK" || true
echo
echo "JWKS during the c=16 login storm (wrk -c1): p50 $(awk '$1 == "50%" { print $2 }' "$DIR/jwks-during-storm.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$DIR/jwks-during-storm.txt"), $(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$DIR/jwks-during-storm.txt") requests/s."

# Each run sets up its own pool (password, passkey), users and public client, and enrols one passkey per worker
# (a password sign-in each) before its clock starts; server CPU counts only the timed sign-ins.
echo
echo "| full passkey logins (authorize → options → assertion → finish → code → token) | concurrency | logins/s | p50 ms | p99 ms | options+finish p50 ms | options+finish p99 ms | server CPU s | server CPU ms/login | load generator CPU s | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for c in 1 4 16; do
    "$TARGET/release/examples/passkey_logins" "$BASE" "$TOKEN" "$c" "$SECONDS_PER_RUN" "$PASSKEY_ORIGIN" "$PID" \
        2> "$DIR/passkey-steps-$c.txt" || { cat "$DIR/passkey-steps-$c.txt" >&2; exit 1; }
done
echo
echo "Passkey login steps (the assertion is signed by SoftPasskey in the load generator, on the same cores):"
cat "$DIR"/passkey-steps-{1,4,16}.txt | sed 's/^/- /'
STORED=$(python3 bench/passkey_storage.py "$ISSUER" "$ES_ID" "$DIR/tarn.db")
pk() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$STORED" "$1"; }
echo
echo "Passkey storage (JSON text in SQLite): an unfinished sign-in ceremony's state is $(pk discoverable_state) bytes when discoverable, $(pk identified_state) bytes for a typed identifier with one passkey (plus a $(pk subject)-byte subject); a stored passkey is $(pk passkey_min)–$(pk passkey_max) bytes ($(pk passkeys) passkeys)."
echo
echo "Memory: idle RSS $IDLE_RSS MiB (started, keys generated, nothing else); $WARM_RSS MiB after the bootstrap (admin calls, two password hashes, one login); peak $(rss VmHWM) MiB (VmHWM over the whole run)."

echo
echo "Ceilings (one core, release):"
"$TARGET/release/examples/crypto_ceilings" | sed 's/^/- /'
