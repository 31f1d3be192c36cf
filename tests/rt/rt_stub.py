"""An RT that misbehaves, for termijn-rt's client: a ticket history that never ends (every page
full), an answer far larger than any ticket, and a ticket id no integer holds.

    rt_stub.py PORT
"""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if "/history" in self.path:  # every page full, for ever
            self.answer(json.dumps({"items": [{"Type": "Correspond", "Data": "x"}] * 100}).encode())
        elif self.path.startswith("/REST/2.0/tickets"):  # a search naming an absurd id
            self.answer(b'{"items": [{"id": 1e300}]}')
        else:  # 40 MiB
            self.answer(b'{"padding": "' + b"a" * (40 << 20) + b'"}')


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
