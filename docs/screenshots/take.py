#!/usr/bin/env python3
"""Takes the README's portal screenshots: starts `tarn serve` on a temporary SQLite database, fills it through the
admin API, sets Tarn up and signs in through the portal's own pages in headless Chromium (chromedriver's WebDriver
HTTP API), and saves PNGs beside this file. Usage: docs/screenshots/take.py [path/to/tarn]"""

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TARN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "target", "debug", "tarn")
TOKEN = "screenshots-" + secrets.token_hex(8)
EMAIL, PASSWORD = "admin@example.com", "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as res:
        text = res.read()
        return json.loads(text) if text else None


def wait_until_up(url):
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    sys.exit(f"nothing answers at {url}")


def seed(api):
    customers = call("POST", f"{api}/default/pools", {
        "name": "Customers", "description": "People who buy from the shop", "tag_color": "#1F6FEB",
        "authentication_mechanisms": ["password", "passkey"]}, TOKEN)["id"]
    call("POST", f"{api}/default/pools", {
        "name": "Staff", "description": "Employees, signing in with a code", "tag_color": "#8250DF",
        "authentication_mechanisms": ["otp"], "preferred_authentication_mechanism": "otp"}, TOKEN)
    call("POST", f"{api}/default/pools", {"name": "Partners", "tag_color": "#1A7F37"}, TOKEN)
    people = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra"),
              ("Barbara", "Liskov"), ("Donald", "Knuth"), ("Frances", "Allen"), ("Ken", "Thompson")]
    for i, (given, family) in enumerate(people):
        body = {"email": f"{given.lower()}@example.com",
                "payload": {"given_name": given, "family_name": family, "name": f"{given} {family}"}}
        if i % 3 == 2:
            body["mode"] = "invite"
        else:
            body.update({"mode": "set_credentials", "password": PASSWORD})
        call("POST", f"{api}/default/pools/{customers}/users", body, TOKEN)
    return customers


class Chrome:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars"]}}}}
        self.session = call("POST", f"{self.base}/session", caps)["value"]["sessionId"]

    def cmd(self, method, path, body=None):
        return call(method, f"{self.base}/session/{self.session}{path}", body)["value"]

    def goto(self, url):
        self.cmd("POST", "/url", {"url": url})

    def find(self, css):
        for _ in range(100):
            try:
                found = self.cmd("POST", "/element", {"using": "css selector", "value": css})
                return next(iter(found.values()))
            except urllib.error.HTTPError:
                time.sleep(0.1)
        sys.exit(f"no element {css}")

    def fill(self, css, text):
        self.cmd("POST", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css):
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def url(self):
        return self.cmd("GET", "/url")

    def shot(self, name):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(base64.b64decode(self.cmd("GET", "/screenshot")))
        print(f"wrote {name}")

    def quit(self):
        call("DELETE", f"{self.base}/session/{self.session}")


def main():
    port, driver_port = free_port(), free_port()
    public = f"http://localhost:{port}"
    data = tempfile.mkdtemp()
    env = dict(os.environ, TARN_LISTEN=f"127.0.0.1:{port}", TARN_PUBLIC_URL=public,
               TARN_DATABASE_URL=f"sqlite://{data}/tarn.db", TARN_ADMIN_TOKEN=TOKEN)
    server = subprocess.Popen([TARN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={driver_port}"], stdout=subprocess.DEVNULL)
    try:
        wait_until_up(f"{public}/healthz")
        wait_until_up(f"http://127.0.0.1:{driver_port}/status")
        customers = seed(f"{public}/api/admin")
        chrome = Chrome(driver_port)
        chrome.goto(f"{public}/admin")
        chrome.fill("#admin_token", TOKEN)
        chrome.fill("#identifier", EMAIL)
        chrome.fill("#new_password", PASSWORD)
        chrome.click("form button[type=submit]")
        chrome.fill("#identifier", EMAIL)
        chrome.fill("#password", PASSWORD)
        chrome.click("button[value=password]")
        for _ in range(100):
            if "/admin/-/" in chrome.url():
                break
            try:
                chrome.cmd("POST", "/element", {"using": "css selector", "value": "button.secondary"})
                chrome.click("button.secondary")
            except urllib.error.HTTPError:
                time.sleep(0.1)
        chrome.goto(f"{public}/admin/-/tenants/default/pools")
        chrome.find("tbody tr")
        chrome.shot("identity-pools.png")
        chrome.goto(f"{public}/admin/-/tenants/default/pools/{customers}/users")
        chrome.find("tbody tr")
        chrome.shot("pool-users.png")
        chrome.quit()
    finally:
        for p in (server, driver):
            p.terminate()
            p.wait(timeout=10)


if __name__ == "__main__":
    main()
