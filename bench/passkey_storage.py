"""What passkeys store: the state of an unfinished sign-in ceremony (discoverable, and for a typed identifier whose
user has one passkey) and the stored passkeys, in bytes as SQLite holds them; prints them as JSON."""
import json
import sqlite3
import sys

from tarn_client import passkey_options

issuer, client_id, db = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(db)


def ceremony_after(identifier):
    """Options for `identifier`, then the size of the ceremony they stored: the newest row."""
    passkey_options(issuer, client_id, identifier)
    return conn.execute(
        "SELECT length(state), length(subject) FROM passkey_ceremonies ORDER BY rowid DESC LIMIT 1"
    ).fetchone()


(email,) = conn.execute(
    "SELECT email FROM users WHERE id IN (SELECT user_id FROM passkeys GROUP BY user_id HAVING count(*) = 1) LIMIT 1"
).fetchone()
discoverable, subject = ceremony_after("")
identified, _ = ceremony_after(email)
lengths = [n for (n,) in conn.execute("SELECT length(passkey) FROM passkeys")]
print(json.dumps({"discoverable_state": discoverable, "identified_state": identified, "subject": subject,
                  "passkeys": len(lengths), "passkey_min": min(lengths), "passkey_max": max(lengths)}))
