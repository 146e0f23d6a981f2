#!/usr/bin/env python3
# What SQLite's synchronous=FULL costs against NORMAL per committed write transaction (WAL mode, one small row
# per BEGIN IMMEDIATE ... COMMIT, as Tarn commits), on the disk that holds $TMPDIR. Run: python3 bench/sqlite_synchronous.py
import os, sqlite3, tempfile, time
def run(mode, n=400):
    d=tempfile.mkdtemp(dir=os.environ.get("TMPDIR", "/tmp"))
    c=sqlite3.connect(os.path.join(d,"b.db"), isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute(f"PRAGMA synchronous={mode}")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
    t=time.perf_counter()
    for i in range(n):
        c.execute("BEGIN IMMEDIATE"); c.execute("INSERT INTO t(v) VALUES (?)",("x"*200,)); c.execute("COMMIT")
    return (time.perf_counter()-t)/n*1e6
for r in range(3):
    print("NORMAL %.0f us/commit   FULL %.0f us/commit" % (run("NORMAL"), run("FULL")))
