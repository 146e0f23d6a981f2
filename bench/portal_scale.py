#!/usr/bin/env python3
"""The admin portal at scale (by hand, never in CI): a pool of 100,000 users and 10,000 nested groups (a 10-ary tree,
depth 4; user i directly in group i mod 10,000) is imported into a fresh database, an administrator is created with
`tarn admin create`, and the portal is signed in to over HTTP. Then each page below is fetched N times, one request
at a time, and p50/p95/p99 are printed as a Markdown table: the users list, a search, the root group's members
including sub-groups (all 100,000), a leaf group's, and a user's page (groups with their paths).

On PostgreSQL, `auto_explain` logs the plan of every statement slower than 20 ms during the run; the plans found in
the server log are printed after the table.

Usage: bench/portal_scale.py [sqlite|postgres] [requests per page]; TARN_BIN picks the binary (default:
target/release/tarn, which must be built)."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tarn_client import fetch, opener  # noqa: E402

USERS, GROUPS = 100_000, 10_000
EMAIL, PASSWORD = "bench-admin@example.com", "a long bench passphrase"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARN = os.environ.get("TARN_BIN", os.path.join(ROOT, "target", "release", "tarn"))


def tenant_file(path):
    with open(path, "w") as out:
        w = lambda line: out.write(json.dumps(line, separators=(",", ":")) + "\n")  # noqa: E731
        w({"kind": "tarn-export", "version": 1, "tenant": {"id": "bench", "name": "Bench"}})
        w({"kind": "pool", "id": "p", "name": "customers", "authentication_mechanisms": ["password"]})
        for g in range(GROUPS):
            parent = None if g == 0 else f"g{(g - 1) // 10:05}"
            w({"kind": "group", "id": f"g{g:05}", "pool_id": "p", "name": f"group {g}", "parent_id": parent})
        for i in range(USERS):
            w({"kind": "user", "id": f"u{i:06}", "pool_id": "p", "email": f"user{i}@example.com",
               "email_verified": True, "payload": {"given_name": "User", "family_name": f"N{i}", "name": f"User {i}"}})
        for i in range(USERS):
            w({"kind": "membership", "group_id": f"g{i % GROUPS:05}", "user_id": f"u{i:06}"})


def run(env, *args, stdin=None):
    subprocess.run([TARN, *args], env=env, input=stdin, check=True, text=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def follow(op, base, url, limit=10):
    """GETs `url` and its redirects; returns the final (url, status, body)."""
    for _ in range(limit):
        status, headers, body = fetch(op, url)
        if status not in (302, 303):
            return url, status, body
        url = urllib.parse.urljoin(url, headers["Location"])
    sys.exit(f"too many redirects from {url}")


def form_fields(page):
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    inputs = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return action.replace("&amp;", "&"), inputs


def sign_in(base):
    op = opener()
    url, status, page = follow(op, base, f"{base}/admin/-/tenants")
    assert status == 200 and 'name="password"' in page, (url, status)
    action, fields = form_fields(page)
    fields.update({"identifier": EMAIL, "password": PASSWORD, "method": "password"})
    status, headers, page = fetch(op, urllib.parse.urljoin(url, action), fields)
    if status == 200 and "/login/continue" in page:  # the passkey suggestion: not now
        action, fields = form_fields(page)
        status, headers, page = fetch(op, urllib.parse.urljoin(url, action), fields)
    assert status in (302, 303), (status, page[:500])
    url, status, page = follow(op, base, urllib.parse.urljoin(url, headers["Location"]))
    assert status == 200 and "Sign out" in page, (url, status)
    return op


def percentiles(op, url, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, _, body = fetch(op, url)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (url, status, body[:300])
    times.sort()
    at = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return at(0.50), at(0.95), at(0.99)


def database(backend, work):
    if backend == "sqlite":
        return f"sqlite://{work}/tarn.db", None
    name = f"tarn_portal_bench_{os.getpid()}"
    subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE {name}"], check=True)
    for setting in ["session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = '20ms'",
                    "auto_explain.log_analyze = on"]:
        subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"ALTER DATABASE {name} SET {setting}"], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}", name


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    work = tempfile.mkdtemp()
    db_url, pg_name = database(backend, work)
    port = free_port()
    base = f"http://localhost:{port}"
    env = dict(os.environ, TARN_DATABASE_URL=db_url, TARN_LISTEN=f"127.0.0.1:{port}", TARN_PUBLIC_URL=base,
               TARN_LOG="warn")
    tenant_file(f"{work}/tenant.ndjson")
    started = time.perf_counter()
    run(env, "import", f"{work}/tenant.ndjson")
    imported = time.perf_counter() - started
    run(env, "admin", "create", "--email", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    server = subprocess.Popen([TARN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log_mark = pg_log_size()
    try:
        for _ in range(100):
            try:
                if fetch(opener(), f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        op = sign_in(base)
        pool = f"{base}/admin/-/tenants/bench/pools/p"
        pages = [
            ("users list (first page of 100,000)", f"{pool}/users"),
            ("search by email prefix", f"{pool}/users?q=user4242"),
            ("search by name prefix", f"{pool}/users?q=User%209999"),
            ("root group, members including sub-groups (100,000)", f"{pool}/groups/g00000?members=all"),
            ("a depth-2 group, members including sub-groups (1,110)", f"{pool}/groups/g00005?members=all"),
            ("a leaf group, direct members", f"{pool}/groups/g09999"),
            ("a user's page (groups with their paths)", f"{pool}/users/u099999"),
        ]
        print(f"{backend}: {USERS:,} users, {GROUPS:,} nested groups, import {imported:.1f} s; {n} requests per "
              f"page, one at a time; binary {TARN}")
        print()
        print("| page | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|")
        for label, url in pages:
            fetch(op, url)  # warm
            p50, p95, p99 = percentiles(op, url, n)
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if pg_name:
            print_slow_plans(log_mark)
            subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE {pg_name}"], check=True)


PG_LOG = "/var/log/postgresql/postgresql-15-main.log"


def pg_log_size():
    try:
        return os.path.getsize(PG_LOG)
    except OSError:
        return None


def print_slow_plans(mark):
    if mark is None:
        print("\n(no PostgreSQL log readable: plans not shown)")
        return
    with open(PG_LOG, errors="replace") as f:
        f.seek(mark)
        plans = [block for block in f.read().split("LOG:  duration:")[1:] if "plan:" in block]
    print(f"\n{len(plans)} statement(s) slower than 20 ms during the run" + (":" if plans else "."))
    for block in plans[:10]:
        print("\n    duration:" + "\n    ".join(block.strip().splitlines()[:40]))


if __name__ == "__main__":
    main()
