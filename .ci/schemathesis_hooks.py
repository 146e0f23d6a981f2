"""Schemathesis hooks for Tarn: how to send the NDJSON body of POST /api/admin/import."""

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    # The description gives the body as a string (the lines of an export); anything else is sent as JSON lines.
    if isinstance(value, (bytes, str)):
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    import json

    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()
