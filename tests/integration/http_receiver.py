"""A recording HTTP(S) receiver for the notifier tests: Python's http.server (threaded), plain or
TLS with a self-signed certificate made by `openssl` in the test's work dir. Every request is
recorded (arrival time, path, headers, body, the status answered); a behaviour decides the
answer: `fail_first` (the first N requests per Idempotency-Key get `fail_status`), `status`
(always this status), `retry_after` (the first request gets 429 with Retry-After: N), `hang`
(never answers until the receiver stops), `delay` (answers after N seconds)."""
import http.server
import json
import os
import ssl
import subprocess
import threading
import time


def make_certificate(work_dir, host="127.0.0.1"):
    """(cert_path, key_path) of a fresh self-signed certificate for `host` (IP and DNS SAN)."""
    cert = os.path.join(work_dir, "receiver.crt")
    key = os.path.join(work_dir, "receiver.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host},DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class Receiver:
    def __init__(self, port, cert=None, fail_first=0, fail_status=503, status=200,
                 retry_after=None, hang=False, delay=0.0):
        self.port = port
        self.requests = []  # dicts: t, path, headers, body, status
        self.lock = threading.Lock()
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.status = status
        self.retry_after = retry_after
        self.hang = hang
        self.delay = delay
        self.stopping = threading.Event()
        self.seen = {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.handle(self, body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.tls = cert is not None
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*cert)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hook/secret-path"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler, body):
        now = time.time()
        key = handler.headers.get("Idempotency-Key", "")
        with self.lock:
            count = self.seen.get(key, 0)
            self.seen[key] = count + 1
            first_ever = len(self.requests) == 0
        headers = {}
        if self.hang:
            status = 0
            self.record(now, handler, body, status)
            self.stopping.wait(600)
            return
        if self.delay:
            time.sleep(self.delay)
        if count < self.fail_first:
            status = self.fail_status
        elif self.retry_after is not None and first_ever:
            status = 429
            headers["Retry-After"] = str(self.retry_after)
        else:
            status = self.status
        self.record(now, handler, body, status)
        payload = b"{}"
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client went away (e.g. killed mid-request)

    def record(self, now, handler, body, status):
        entry = {"t": now, "path": handler.path, "headers": dict(handler.headers.items()),
                 "body": body.decode(errors="replace"), "status": status}
        with self.lock:
            self.requests.append(entry)

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def delivered(self):
        """{Idempotency-Key: [entries answered 2xx]}."""
        out = {}
        for r in self.snapshot():
            if 200 <= r["status"] < 300:
                out.setdefault(r["headers"].get("Idempotency-Key"), []).append(r)
        return out

    def by_key(self):
        out = {}
        for r in self.snapshot():
            out.setdefault(r["headers"].get("Idempotency-Key"), []).append(r)
        return out

    @staticmethod
    def json_body(entry):
        return json.loads(entry["body"])
