"""Complete password logins (authorize → form → code → token) at a given concurrency for a given time."""
import json
import sys
import threading
import time

from tarn_client import login

issuer, client_id, secret, concurrency, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
deadline = time.monotonic() + seconds
latencies, errors, lock = [], [0], threading.Lock()


def worker():
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            login(issuer, client_id, secret, "bench@example.com", "correct horse battery")
            with lock:
                latencies.append(time.monotonic() - start)
        except Exception:  # noqa: BLE001 - counted, not fatal
            with lock:
                errors[0] += 1


threads = [threading.Thread(target=worker) for _ in range(concurrency)]
started = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - started
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
print(json.dumps({"logins_per_s": len(latencies) / elapsed, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                  "errors": errors[0], "logins": len(latencies)}))
