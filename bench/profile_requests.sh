#!/usr/bin/env bash
# Profiling driver: starts Tarn (optionally under callgrind via TARN_WRAP=callgrind), bootstraps like
# run.sh, then runs PHASES, each between a callgrind zero and dump (or just an RSS/strace snapshot).
#   BENCH_DIR=/path/to/peer-bench-copy TARN_BIN=target/release/tarn [TARN_WRAP=callgrind] [STRACE=1] \
#     PHASES="login:20 userinfo:200 token_rs256:100 jwks:200" OUT=dir bench/profile_requests.sh
# Phases: jwks discovery userinfo token_rs256 token_es256 (N requests), login (N, capped at 10 s by the driver),
# sleep (N seconds). Per phase: OUT/cg.NAME (callgrind), OUT/strace.NAME (fsync counts), OUT/rss.txt.
set -euo pipefail
BENCH_DIR=${BENCH_DIR:?set BENCH_DIR to a copy of ../shared/peer-bench (npm ci done)}
source "$BENCH_DIR/lib/common.sh"
source "$BENCH_DIR/targets/tarn.sh"
OUT=${OUT:-/tmp/perf2-prof}; mkdir -p "$OUT"
RUN_TMP=$(mktemp -d)
REDIRECT_URI=http://127.0.0.1:9/cb
LOGIN_PASSWORD='correct horse battery staple'
TARN_USERS=${TARN_USERS:-2}
REAL_BIN=$(readlink -f "$TARN_BIN")
if [[ "${TARN_WRAP:-}" == callgrind ]]; then
  cat >"$RUN_TMP/wrap.sh" <<W
#!/bin/sh
exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$OUT/cg.%p "$REAL_BIN" "\$@"
W
  chmod +x "$RUN_TMP/wrap.sh"; TARN_BIN=$RUN_TMP/wrap.sh
fi
trap 'target_stop; rm -rf "$RUN_TMP"' EXIT
target_start
log "started pid=$SERVER_PID issuer=$ISSUER"
DISCO=$(curl -sf "$ISSUER/.well-known/openid-configuration")
JWKS_URI=$(jq -r .jwks_uri <<<"$DISCO"); TOKEN_URI=$(jq -r .token_endpoint <<<"$DISCO"); UI=$(jq -r .userinfo_endpoint <<<"$DISCO")
urlenc() { jq -rn --arg v "$1" '$v|@uri'; }
basic() { printf 'Basic %s' "$(printf '%s:%s' "$(urlenc "$1")" "$(urlenc "$2")" | base64 -w0)"; }
login_args=(--issuer "$ISSUER" --client-id "$CLIENT_ES256_ID" --client-secret="$CLIENT_ES256_SECRET"
            --redirect-uri "$REDIRECT_URI" --username "$LOGIN_USER_TEMPLATE" --users "$LOGIN_USERS"
            --password "$LOGIN_PASSWORD")
AT=$(node "$BENCH_DIR/lib/login-flow.mjs" "${login_args[@]}" --one-token | jq -r .access_token)
[[ -n "$AT" && "$AT" != null ]] || die "no token"
curl -sf -o /dev/null -H "Authorization: Bearer $AT" "$UI"
curl -sf -o /dev/null -H "Authorization: $(basic "$CLIENT_RS256_ID" "$CLIENT_RS256_SECRET")" --data grant_type=client_credentials "$TOKEN_URI"
curl -sf -o /dev/null -H "Authorization: $(basic "$CLIENT_ES256_ID" "$CLIENT_ES256_SECRET")" --data grant_type=client_credentials "$TOKEN_URI"
sleep 3
echo "rss_after_start_bootstrap $(grep VmRSS /proc/$SERVER_PID/status)" | tee -a "$OUT/rss.txt"
cat /proc/$SERVER_PID/smaps_rollup > "$OUT/smaps_idle.txt" 2>/dev/null || true; cat /proc/$SERVER_PID/smaps > "$OUT/smaps_full_idle.txt" 2>/dev/null || true; ls /proc/$SERVER_PID/task | wc -l > "$OUT/threads_idle.txt"; for t in /proc/$SERVER_PID/task/*; do cat $t/comm; done | sort | uniq -c >> "$OUT/threads_idle.txt"
cg() { [[ "${TARN_WRAP:-}" == callgrind ]] && callgrind_control "$@" "$SERVER_PID" >/dev/null || true; }
for ph in ${PHASES:-}; do
  name=${ph%%:*}; n=${ph##*:}
  cg -i on; cg -z
  if [[ -n "${STRACE:-}" ]]; then strace -f -qq -c -e trace=fsync,fdatasync,pwrite64,pread64 -p "$SERVER_PID" -o "$OUT/strace.$name" & ST=$!; sleep 1; fi
  case $name in
    login) node "$BENCH_DIR/lib/login-flow.mjs" "${login_args[@]}" --concurrency 1 --duration 600 --warmup 0 --max-logins "$n" > "$OUT/login.json" ;;
    userinfo) { echo "header = \"Authorization: Bearer $AT\""; for ((i=0;i<n;i++)); do echo "url = \"$UI\""; echo "output = /dev/null"; done; } > "$RUN_TMP/k"; curl -s -w "%{http_code}\n" -K "$RUN_TMP/k" | sort | uniq -c > "$OUT/codes.$name" ;;
    token_rs256|token_es256) id=CLIENT_${name#token_}; id=${id^^}; sec=${id}_SECRET; id=${id}_ID
      h="Authorization: $(basic "${!id}" "${!sec}")"
      { echo "header = \"$h\""; echo 'data = "grant_type=client_credentials"'; for ((i=0;i<n;i++)); do echo "url = \"$TOKEN_URI\""; echo "output = /dev/null"; done; } > "$RUN_TMP/k"; curl -s -w "%{http_code}\n" -K "$RUN_TMP/k" | sort | uniq -c > "$OUT/codes.$name" ;;
    jwks|discovery) u=$JWKS_URI; [[ $name == discovery ]] && u="$ISSUER/.well-known/openid-configuration"
      for ((i=0;i<n;i++)); do echo "url = \"$u\""; echo "output = /dev/null"; done > "$RUN_TMP/k"; curl -s -w "%{http_code}\n" -K "$RUN_TMP/k" | sort | uniq -c > "$OUT/codes.$name" ;;
    sleep) sleep "$n" ;;
  esac
  cg -d; cg -i off
  if [[ -n "${STRACE:-}" ]]; then sleep 0.5; kill -INT $ST; wait $ST || true; fi
  if [[ "${TARN_WRAP:-}" == callgrind ]]; then
    for ((w=0; w<120; w++)); do f=$(ls -t "$OUT"/cg.$SERVER_PID.* 2>/dev/null | head -1 || true); [[ -n "$f" ]] && break; sleep 0.5; done
    sleep 1; mv "$f" "$OUT/cg.$name"
  fi
  echo "rss_after_$name $(grep VmRSS /proc/$SERVER_PID/status)" | tee -a "$OUT/rss.txt"
done
sleep ${FINAL_SLEEP:-3}
echo "rss_end $(grep VmRSS /proc/$SERVER_PID/status)" | tee -a "$OUT/rss.txt"
cat /proc/$SERVER_PID/smaps_rollup > "$OUT/smaps_end.txt" 2>/dev/null || true
grep -E "^Threads" /proc/$SERVER_PID/status | tee -a "$OUT/rss.txt"
