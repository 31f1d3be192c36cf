#!/usr/bin/python3
"""A webhook endpoint for Termijn's tests: HTTPS (or HTTP), checks every delivery's
Termijn-Signature, records it as a JSON line, and answers as told.

  termijn_test_webhook.py --secret S --log FILE --port-file FILE [--cert C --key K]

The test steers it with POST /control {"status": 500, "times": 2} (answer 500 to the next two
deliveries), {"hang": 1} (hold the next delivery for 60 s without answering) or {} (answer 204).
Each delivery is logged: {"delivery", "event", "signature_ok", "body", "answered"}.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import ssl
import threading
import time

REPLAY_WINDOW = 300  # seconds


def signature_ok(secret, header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > REPLAY_WINDOW:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secret", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    lock = threading.Lock()
    plan = {"status": 204, "times": 0, "hang": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self, status):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/control":
                with lock:
                    told = json.loads(body or b"{}")
                    plan.update(status=told.get("status", 204), times=told.get("times", 0),
                                hang=told.get("hang", 0))
                return self.answer(204)
            with lock:
                hang = plan["hang"] > 0
                if hang:
                    plan["hang"] -= 1
                status = 204
                if plan["times"] > 0:
                    plan["times"] -= 1
                    status = plan["status"]
            ok = signature_ok(args.secret, self.headers.get("Termijn-Signature", ""), body)
            if not ok:
                status = 400
            entry = {"delivery": self.headers.get("Termijn-Delivery", ""),
                     "event": self.headers.get("Termijn-Event", ""), "signature_ok": ok,
                     "body": body.decode(), "answered": "hang" if hang else status}
            with lock, open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")
            if hang:
                time.sleep(60)
                return
            self.answer(status)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
