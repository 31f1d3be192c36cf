"""The web console without a browser: client certificates log in, anything else is refused;
forms need their token and this origin; pages carry the security headers."""
import datetime
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import unittest
import urllib.parse
import zoneinfo

from web_harness import SOURCE_DIR, Termijnd, fingerprint, wait_for


def exchange(termijnd, principal, request, source="127.0.0.1", until_closed=True, heads=None,
             wait=10, ended=None):
    """The statuses of the responses to the raw bytes `request`, sent over TLS with `principal`'s
    certificate from `source`: those that came until the server closed the connection (or
    `wait` seconds passed without a byte), or with `until_closed` False the first. `heads`, a
    list, gets the response header blocks; `ended`, a list, whether the server closed."""
    context = ssl.create_default_context(cafile=termijnd.cert("ca.crt"))
    context.check_hostname = False
    context.load_cert_chain(termijnd.cert(principal + ".crt"), termijnd.cert(principal + ".key"))
    with socket.create_connection(("127.0.0.1", termijnd.web_port), timeout=30,
                                  source_address=(source, 0)) as raw:
        with context.wrap_socket(raw) as tls:
            tls.sendall(request)
            if not until_closed:
                line = tls.makefile("rb").readline().decode()
                return [int(line.split()[1])] if line else []
            tls.settimeout(wait)
            received = b""
            closed = True
            try:
                while chunk := tls.recv(65536):
                    received += chunk
            except socket.timeout:
                closed = False
            except (ssl.SSLError, ConnectionError):
                pass
    if ended is not None:
        ended.append(closed)
    if heads is not None:
        heads.extend(h.decode() for h in
                     re.findall(rb"HTTP/1\.1 \d{3} .*?\r\n\r\n", received, re.S))
    return [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]


def still_open(sock):
    """Whether the server has left `sock` open: nothing to read on it, not even its end."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except ConnectionError:
        return False


def smuggling(outer_headers, inner):
    """A POST whose body is another request, `inner`."""
    return (b"POST /incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + outer_headers +
            b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(inner) + inner)


class OwnTermijndTest(unittest.TestCase):
    """Tests of a class that has a termijnd of its own."""

    @classmethod
    def setUpClass(cls):
        cls.termijnd = Termijnd()

    @classmethod
    def tearDownClass(cls):
        cls.termijnd.stop()


class WebSecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.termijnd = Termijnd()

    @classmethod
    def tearDownClass(cls):
        # SIGTERM stops the web console with the rest: termijnd exits cleanly.
        if cls.termijnd.stop() != 0:
            raise AssertionError("termijnd did not stop cleanly on SIGTERM")

    def token(self, principal):
        status, _, body = self.termijnd.curl(principal, "/incidents/new")
        self.assertEqual(status, 200)
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)

    def test_client_certificate_logs_in_as_its_principal(self):
        # The certificate's CN maps to the configured principal, as for gRPC.
        status, headers, body = self.termijnd.curl("herent-dpo", "/")
        self.assertEqual(status, 200)
        self.assertIn('<strong id="principal">herent-dpo</strong>', body)
        self.assertIn("Cache-Control: no-store", headers)
        self.assertRegex(headers, r"Content-Security-Policy: default-src 'none'; script-src 'self'")
        self.assertRegex(headers, r"Set-Cookie: __Host-termijn-csrf=[0-9a-f]{32}; Path=/; Secure; HttpOnly; SameSite=Strict")

    def test_without_certificate_the_handshake_fails(self):
        # No page, not even an error page, without a certificate the CA signed.
        status, _, _ = self.termijnd.curl(None, "/")
        self.assertEqual(status, 0)

    def test_connections_that_send_nothing_hold_up_nobody(self):
        # Browsers keep connections open between pages, and anyone may connect and send nothing.
        # Before: eight such connections took every thread of the console, and every other
        # request waited until the server gave up on them (5 s each).
        # Fifteen: one address may have sixteen TLS handshakes under way (the next test).
        idle = [socket.create_connection(("127.0.0.1", self.termijnd.web_port)) for _ in range(15)]
        try:
            status, _, body = self.termijnd.curl("herent-dpo", "/")
            self.assertEqual(status, 200, body)
            # Answered while the server still held all of them open, not after giving up on some.
            self.assertEqual(sum(not still_open(s) for s in idle), 0)
        finally:
            for s in idle:
                s.close()

    def test_one_address_has_at_most_sixteen_tls_handshakes_under_way(self):
        # A connection that sends nothing, or its TLS hello a byte at a time, is a handshake
        # under way, before any certificate is asked for. Before: no bound but 5 s per byte.
        port = self.termijnd.web_port
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(17)]
        try:
            wait_for(lambda: any(not still_open(s) for s in idle), "a handshake cut off")
            self.assertEqual(sum(not still_open(s) for s in idle), 1)
            # The address's next connection is cut off too; another address is served.
            status, _, _ = self.termijnd.curl("herent-dpo", "/")
            self.assertEqual(status, 0)
            status, _, body = self.termijnd.curl("herent-dpo", "/", "--interface", "127.0.0.3")
            self.assertEqual(status, 200, body)
            self.assertEqual(sum(not still_open(s) for s in idle), 1)
        finally:
            for s in idle:
                s.close()
        self.assertIn("cut off a TLS handshake from 127.0.0.1: 16 under way",
                      self.termijnd.log_text())

    def test_post_without_valid_token_is_403_and_stores_nothing(self):
        # A form post without its token (or with another principal's) is refused.
        status, _, _ = self.termijnd.curl("herent-dpo", "/incidents", "-d", "title=Forged")
        self.assertEqual(status, 403)
        other = self.token("kortenberg-dpo")
        status, _, _ = self.termijnd.curl("herent-dpo", "/incidents", "-d", "title=Forged", "-d", "csrf=" + other)
        self.assertEqual(status, 403)
        self.assertEqual(self.termijnd.sql("SELECT count(*) FROM incident WHERE title = 'Forged'"), "0")

    def raw_post(self, principal, headers):
        """The status of a POST whose body never comes, made with `principal`'s certificate."""
        request = ("POST /incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n%s\r\n" %
                   "".join("%s: %s\r\n" % h for h in headers.items()))
        statuses = exchange(self.termijnd, principal, request.encode(), until_closed=False)
        return statuses[0] if statuses else 0

    def test_a_body_is_read_only_from_a_principal_and_never_chunked(self):
        # cpp-httplib reads a chunked body whole, past the payload limit, before a handler sees
        # who sent it. Before: any certificate of the CA, of no principal or revoked, could send
        # hundreds of MiB into termijnd's memory before it was refused; here the server waited
        # for the chunks, and answered 400 when it gave up.
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), self.termijnd.certs,
                        "stranger"], check=True, capture_output=True)
        self.assertEqual(self.raw_post("stranger", {"Content-Length": "10000000"}), 403)
        self.assertEqual(self.raw_post("herent-dpo", {"Transfer-Encoding": "chunked"}), 411)
        self.assertEqual(self.raw_post("stranger", {"Transfer-Encoding": "chunked"}), 403)

    def test_termijnd_may_open_as_many_files_as_the_system_allows(self):
        # Idle connections to the console take files; at a soft limit of 1 024 they starved
        # gRPC. Before: the soft limit stayed as inherited.
        with open("/proc/%d/limits" % self.termijnd.process.pid) as f:
            soft, hard = re.search(r"Max open files\s+(\S+)\s+(\S+)", f.read()).groups()
        self.assertEqual(soft, hard)

    def test_the_body_of_a_refused_request_is_never_taken_for_a_request(self):
        # A refusal leaves the body unread; the connection then closes. Before: cpp-httplib kept
        # it open and read the body as the next request.
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), self.termijnd.certs,
                        "stranger"], check=True, capture_output=True)
        inner = b"GET /smuggled-by-a-stranger HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        heads = []
        # And the server ends the connection once it has answered: 3 s, less than the 5 s it
        # waited before for the client's next bytes, holding the connection's thread.
        ended = []
        self.assertEqual(exchange(self.termijnd, "stranger", smuggling(b"", inner), heads=heads,
                                  wait=3, ended=ended), [403])
        # Said, too: a client or proxy must not send its next request on this connection.
        self.assertIn("Connection: close\r\n", heads[0])
        # A principal's GET with a body: cpp-httplib reads no body for a GET. Before: its body
        # ran as a second request.
        get = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" %
               len(inner.replace(b"stranger", b"principal")) + inner.replace(b"stranger", b"principal"))
        self.assertEqual(exchange(self.termijnd, "herent-dpo", get, wait=3, ended=ended), [400])
        chunked = (b"POST /incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                   b"\r\n0\r\n\r\nGET /smuggled-in-chunks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(exchange(self.termijnd, "herent-dpo", chunked, wait=3, ended=ended),
                         [411])
        self.assertEqual(ended, [True, True, True])
        self.assertNotIn("smuggled", self.termijnd.log_text())

    def test_a_request_head_without_end_is_cut_off(self):
        # cpp-httplib reads a request head of any size into memory. A client with a certificate
        # of the CA, a revoked one too (revocation is decided once the head is in), could grow
        # termijnd's memory without end. Before: 4 MiB of headers were read whole and answered.
        context = ssl.create_default_context(cafile=self.termijnd.cert("ca.crt"))
        context.check_hostname = False
        context.load_cert_chain(self.termijnd.cert("herent-dpo.crt"),
                                self.termijnd.cert("herent-dpo.key"))
        line = b"X-Padding: " + b"p" * 1013 + b"\r\n"  # 1 KiB
        received, cut_off = b"", False
        with socket.create_connection(("127.0.0.1", self.termijnd.web_port), timeout=30) as raw:
            with context.wrap_socket(raw) as tls:
                try:
                    tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    for _ in range(4096):
                        tls.sendall(line)
                    tls.sendall(b"\r\n")
                    while chunk := tls.recv(65536):
                        received += chunk
                except (ssl.SSLError, ConnectionError):
                    cut_off = True
        self.assertTrue(cut_off or received == b"", received[:200])
        wait_for(lambda: "the head of its request passed 64 KiB" in self.termijnd.log_text(),
                 "the cut-off logged")
        # A head of 40 KiB (more cookies than a browser sends) is answered, and the count starts
        # again with the next request on the connection.
        head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + line * 40 + b"\r\n"
        self.assertEqual(exchange(self.termijnd, "herent-dpo", head * 3, wait=3), [200, 200, 200])

    def test_post_from_another_origin_is_403(self):
        # The Origin check holds even with a valid token.
        token = self.token("herent-dpo")
        status, _, _ = self.termijnd.curl("herent-dpo", "/incidents", "-H", "Origin: https://evil.example",
                                          "-d", "title=Cross-site", "-d", "csrf=" + token)
        self.assertEqual(status, 403)

    def test_refused_form_names_the_field_and_values_are_escaped(self):
        # Bad input is shown at its field, with the input escaped, and nothing is stored.
        token = self.token("herent-dpo")
        status, _, body = self.termijnd.curl("herent-dpo", "/incidents", "-d", "csrf=" + token,
                                             "--data-urlencode", "description=<script>alert(1)</script>",
                                             "-d", "subject_count=many")
        self.assertEqual(status, 422)
        self.assertIn('id="title-error">Verplicht.', body)
        self.assertIn('id="subject_count-error">Geen geheel getal.', body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        self.assertNotIn("<script>alert", body)
        self.assertEqual(self.termijnd.sql("SELECT count(*) FROM incident"), "0")

    def test_register_csv_is_the_clis_and_follows_the_policy(self):
        # The console's export is the very CSV `termijn register ... -o csv` writes.
        token = self.token("herent-dpo")
        status, _, _ = self.termijnd.curl("herent-dpo", "/incidents", "-d", "csrf=" + token,
                                          "--data-urlencode", 'title=USB-stick, "dossiers" verloren')
        self.assertEqual(status, 303)
        # The breach notice to the other party is met when the outbox has sent it: the register
        # is compared once that is done.
        wait_for(lambda: self.termijnd.sql("SELECT count(*) FROM obligation WHERE state = 'open' "
                                            "AND rule = 'protocol.breach_notice'") == "0",
                  "the breach notice to be sent")
        year = str(datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Brussels")).year)
        status, headers, body = self.termijnd.curl("herent-dpo", "/registers/incidents.csv?year=" + year)
        self.assertEqual(status, 200)
        self.assertIn('content-disposition: attachment; filename="breach-register-herent-%s.csv"' % year,
                      headers.lower())
        self.assertIn("content-type: text/csv; charset=utf-8", headers.lower())
        self.assertIn("cache-control: no-store", headers.lower())
        self.assertEqual(body, self.termijnd.cli("herent-dpo", "-o", "csv", "register", "incidents",
                                                 "--year", year))
        self.assertIn('"USB-stick, ""dossiers"" verloren"', body)
        status, headers, body = self.termijnd.curl("herent-dpo", "/registers/requests.csv")
        self.assertEqual(status, 200)
        self.assertIn('filename="request-register-herent.csv"', headers)
        self.assertEqual(body, self.termijnd.cli("herent-dpo", "-o", "csv", "register", "requests"))
        # Another party's DPO may not read it; an auditor may (policy::may_read_register).
        for path in ["/registers/incidents.csv?party=herent", "/registers/incidents?party=herent"]:
            status, _, body = self.termijnd.curl("kortenberg-dpo", path)
            self.assertEqual(status, 403, path)
            self.assertNotIn("USB-stick", body)
        for path in ["/registers/incidents?party=herent", "/registers/incidents"]:
            status, _, body = self.termijnd.curl("auditor", path)
            self.assertEqual(status, 200, path)
            self.assertIn("USB-stick, &quot;dossiers&quot; verloren", body)
        # A bad filter is refused at its field, in the user's language.
        status, _, body = self.termijnd.curl("herent-dpo", "/registers/incidents?year=1900")
        self.assertEqual(status, 422)
        self.assertIn('<p class="field-error" id="year-error">Geen jaar tussen 1970 en 2100.</p>', body)
        status, _, _ = self.termijnd.curl("herent-dpo", "/registers/incidents.csv?year=1900")
        self.assertEqual(status, 422)

    def test_a_body_past_the_limit_says_the_limit(self):
        # A copy larger than the console takes is refused before it is read, with the limit in
        # the user's language. Before: "De invoer werd geweigerd." and "HTTP 413".
        # (herent-reporter: a first visit of herent-dpo is another test's, cookies included.)
        status, _, body = self.termijnd.curl("herent-reporter", "/requests", "--max-time", "20",
                                             "-H", "Content-Type: multipart/form-data; boundary=x",
                                             "-H", "Content-Length: 50000000",
                                             "--data-binary", "")
        self.assertEqual(status, 413)
        self.assertIn("Te groot: ten hoogste 10,0 MiB.", body)

    def test_unknown_page_is_refused_in_the_users_language(self):
        # A page no route serves is a 404 page like the others, in Dutch for a Dutch party.
        status, headers, body = self.termijnd.curl("herent-dpo", "/nothing/here")
        self.assertEqual(status, 404)
        self.assertIn('id="error-message">Dit bestaat niet, of uw partij heeft er geen toegang toe.', body)
        self.assertIn("Content-Security-Policy: default-src 'none'", headers)

    def test_tls_sessions_resume(self):
        # A browser resumes its TLS session on a new connection (TLS 1.3 ticket, TLS 1.2 session
        # id): the console resumes it and answers, instead of failing the handshake.
        t = self.termijnd
        session = os.path.join(t.work, "tls-session")
        request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        for version in ["-tls1_3", "-tls1_2"]:
            hello = ["openssl", "s_client", version, "-connect", "127.0.0.1:%d" % t.web_port, "-ign_eof",
                     "-CAfile", t.cert("ca.crt"), "-cert", t.cert("herent-dpo.crt"),
                     "-key", t.cert("herent-dpo.key")]
            first = subprocess.run(hello + ["-sess_out", session], input=request, capture_output=True, text=True)
            self.assertIn("HTTP/1.1 200", first.stdout, version)
            again = subprocess.run(hello + ["-sess_in", session], input=request, capture_output=True, text=True)
            self.assertIn("Reused, TLSv1.%s" % version[-1], again.stdout, version + again.stderr)
            self.assertIn("HTTP/1.1 200", again.stdout, version)

    def test_a_checkpoint_mail_is_shown_to_its_recipient_only(self):
        # A checkpoint mail serves no obligation: its page shows the mail to the party whose DPO
        # gets it, about the checkpoint, without a send button (a post is refused, 422); the other
        # party's people get the 404 page, as for any record that does not concern them.
        self.termijnd.cli("herent-dpo", "audit", "checkpoint", "--new")
        mail = self.termijnd.sql("SELECT max(id) FROM notification WHERE kind = 'checkpoint' AND "
                                 "recipient_party = 'kortenberg'")
        status, _, body = self.termijnd.curl("kortenberg-dpo", "/notifications/" + mail)
        self.assertEqual(status, 200)
        self.assertRegex(body, r"<p>auditCheckpoints/\d+</p>")
        self.assertIn("dpo@kortenberg.example", body)
        self.assertNotIn('id="send-form"', body)
        token = self.token("kortenberg-dpo")
        status, _, body = self.termijnd.curl("kortenberg-dpo", "/notifications/%s/send" % mail,
                                             "-d", "csrf=" + token)
        self.assertEqual(status, 422)
        self.assertIn("serves no obligation", body)
        status, _, _ = self.termijnd.curl("herent-reporter", "/notifications/" + mail)
        self.assertEqual(status, 404)

    def test_auditor_cannot_report(self):
        # The same policy as gRPC: an auditor reads, it does not record.
        token = self.token("auditor")
        status, _, _ = self.termijnd.curl("auditor", "/incidents", "-d", "title=Audit", "-d", "csrf=" + token)
        self.assertEqual(status, 403)

    def test_reporter_cannot_record_a_termination(self):
        # A termination of the protocol takes the dpo role, in the console as in ReportMatter
        # (policy::may_report_matter): a reporter's post is 403 and stores nothing, and the form
        # does not offer it to a reporter; the party's DPO is offered it.
        token = self.token("herent-reporter")
        for kind in ["termination-art10", "termination-art18"]:
            status, _, body = self.termijnd.curl("herent-reporter", "/matters", "-d", "csrf=" + token,
                                                 "-d", "kind=" + kind, "-d", "summary=Opzegging door melder")
            self.assertEqual(status, 403, kind)
            self.assertIn("takes its dpo role", body)
        self.assertEqual(self.termijnd.sql("SELECT count(*) FROM matter"), "0")
        status, _, body = self.termijnd.curl("herent-reporter", "/matters/new")
        self.assertEqual(status, 200)
        self.assertIn('<option value="data-quality"', body)
        self.assertNotIn('value="termination-art10"', body)
        self.assertNotIn('value="termination-art18"', body)
        status, _, body = self.termijnd.curl("herent-dpo", "/matters/new")
        self.assertIn('<option value="termination-art10"', body)
        self.assertIn('<option value="termination-art18"', body)

    def test_language_switch_redirects_only_within_the_console(self):
        # `back` is a path of this console: anything a browser could read as another host (a
        # tab or newline the URL parser drops, a backslash read as a slash, "//") goes to "/".
        origin = urllib.parse.urlsplit(self.termijnd.origin)
        for back in ["/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "/%5cevil.example",
                     "/%5c%5cevil.example", "//evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example",
                     "https://evil.example", "/%20/evil.example", "/%7f/evil.example", "/incidents%5c..%5c/x",
                     "/%09", "%09//evil.example", ""]:
            status, headers, _ = self.termijnd.curl("herent-dpo", "/lang?to=nl&back=" + back)
            self.assertEqual(status, 303, back)
            location = re.search(r"(?im)^location: ?(.*)$", headers)
            self.assertIsNotNone(location, back)
            self.assertNotRegex(location.group(1), r"[\x00-\x20\x7f\\]", back)
            target = urllib.parse.urlsplit(urllib.parse.urljoin(self.termijnd.origin + "/", location.group(1)))
            self.assertEqual((target.scheme, target.netloc), (origin.scheme, origin.netloc), back)
        # A path of the console is kept, its query too.
        status, headers, _ = self.termijnd.curl("herent-dpo", "/lang?to=nl&back=/incidents/7%3Fa%3Db")
        self.assertEqual(status, 303)
        self.assertIn("Location: /incidents/7?a=b\n", headers)

    def test_a_path_cannot_forge_a_log_line(self):
        # A newline in a path (httplib decodes %0a) is logged escaped, on the line of its request,
        # as are the other control characters.
        forged = "[2026-01-01 10:00:00.000] [info] web: forged"
        status, _, _ = self.termijnd.curl("kortenberg-dpo", "/x%0a" + urllib.parse.quote(forged) + "%0d%09%1b%7f")
        self.assertEqual(status, 404)
        wait_for(lambda: "web: forged" in self.termijnd.log_text(), "the request to be logged")
        log = self.termijnd.log_text()
        self.assertFalse([line for line in log.splitlines() if line.startswith(forged)], log)
        self.assertIn("GET /x\\n" + forged + "\\r\\t\\x1b\\x7f by kortenberg-dpo: 404", log)


def form(termijnd, principal):
    """(form token, cookie nonce) that termijnd gives `principal` with a form."""
    status, headers, body = termijnd.curl(principal, "/incidents/new")
    assert status == 200, status
    nonce = re.search(r"__Host-termijn-csrf=([0-9a-f]{32})", headers).group(1)
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1), nonce


def key_file(directory, name, mode=0o600, key=None):
    path = os.path.join(directory, name)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, mode), "w") as f:
        f.write((key or os.urandom(32).hex()) + "\n")
    os.chmod(path, mode)
    return path


class FormKeyTest(unittest.TestCase):
    """[web] form_key_file: several termijnd behind one balancer accept each other's forms."""

    @classmethod
    def setUpClass(cls):
        cls.keys = tempfile.mkdtemp(prefix="termijn-form-key-")
        shared = 'form_key_file = "%s"\n' % key_file(cls.keys, "shared.key")
        cls.first = Termijnd(shared)
        cls.second = Termijnd(shared)
        cls.other = Termijnd('form_key_file = "%s"\n' % key_file(cls.keys, "other.key"))

    @classmethod
    def tearDownClass(cls):
        for t in [cls.first, cls.second, cls.other]:
            t.stop()
        shutil.rmtree(cls.keys, ignore_errors=True)

    def post(self, termijnd, token, nonce, title):
        status, _, _ = termijnd.curl("herent-dpo", "/incidents", "-H", "Cookie: __Host-termijn-csrf=" + nonce,
                                     "-d", "csrf=" + token, "--data-urlencode", "title=" + title)
        return status

    def test_a_form_from_one_termijnd_is_accepted_by_another_with_the_same_key(self):
        # The token issued by the first is accepted by the second, refused by one with another key.
        token, nonce = form(self.first, "herent-dpo")
        self.assertEqual(self.post(self.second, token, nonce, "Across the balancer"), 303)
        self.assertEqual(self.second.sql("SELECT count(*) FROM incident WHERE title = 'Across the balancer'"), "1")
        self.assertEqual(self.post(self.other, token, nonce, "Another key"), 403)
        self.assertEqual(self.other.sql("SELECT count(*) FROM incident"), "0")

    def test_a_key_others_may_read_or_too_short_is_refused_at_start(self):
        # Like every secret of the configuration: mode 0600 or termijnd does not start; nor with
        # a key too short to sign with.
        readable = key_file(self.keys, "readable.key", 0o644)
        with self.assertRaises(RuntimeError) as refused:
            Termijnd('form_key_file = "%s"\n' % readable)
        self.assertIn("may be read by its group or others (mode 0644); chmod 600 it", str(refused.exception))
        short = key_file(self.keys, "short.key", key="secret")
        with self.assertRaises(RuntimeError) as refused:
            Termijnd('form_key_file = "%s"\n' % short)
        self.assertIn("must hold at least 32 characters", str(refused.exception))


class ManyAddressesTest(OwnTermijndTest):
    """Clients at many addresses at once: a termijnd of its own, whose log holds only theirs."""

    def test_clients_at_many_addresses_cannot_take_every_thread(self):
        # Sixteen addresses with sixteen idle connections each, under the bound of each address.
        # Before: they held all 256 threads of the console, and every other request waited for
        # them until the server gave up on them (5 s each). Now 64 handshakes may be under way
        # in all; each next one cuts off the oldest.
        port = self.termijnd.web_port
        idle = [socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.%d" % a, 0))
                for a in range(10, 26) for _ in range(16)]
        try:
            wait_for(lambda: sum(not still_open(s) for s in idle) >= 192, "192 handshakes cut off",
                     timeout=10)
            status, _, body = self.termijnd.curl("herent-dpo", "/", "--interface", "127.0.0.3",
                                                 "--max-time", "4")
            self.assertEqual(status, 200, body)
            # Answered at once, not once the server gave up on the others: 63 are still open,
            # the oldest having made room for curl's. (Which ones: the order in which their
            # threads began the handshakes, not the order of the connects.)
            self.assertEqual(sum(still_open(s) for s in idle), 63)
        finally:
            for s in idle:
                s.close()
        # The first ten cut-offs of the minute each have a line; the others are counted in one
        # line when the minute is over, so that a flood does not flood the log.
        log = self.termijnd.log_text()
        self.assertRegex(log, r"cut off a TLS handshake from 127\.0\.0\.(1\d|2[0-5]): "
                              r"the oldest of 64 under way")
        self.assertEqual(log.count("cut off a TLS handshake"), 10)


class LongListsTest(unittest.TestCase):
    """More deadlines and notices than a page holds: nothing is dropped without a word."""

    @classmethod
    def setUpClass(cls):
        cls.termijnd = Termijnd()
        out = cls.termijnd.cli("herent-dpo", "incident", "report", "--title", "Laptop gestolen")
        cls.incident = re.search(r"incidents/(\d+)", out).group(1)
        cls.notice = cls.termijnd.sql(
            "SELECT n.id FROM notification n JOIN obligation o ON o.id = n.obligation_id "
            "WHERE o.incident_id = %s AND o.rule = 'protocol.breach_notice'" % cls.incident)
        # After it, 510 incidents whose breach notices to Kortenberg fall due sooner, each with
        # its notice held: more than the dashboard shows at once, and newer notices of
        # Kortenberg's than a page of them holds.
        cls.termijnd.sql(
            "WITH i AS (INSERT INTO incident (party, aware_time, title, reported_by, create_time) "
            "SELECT 'herent', now(), 'Bulk ' || g, 'herent-dpo', now() FROM generate_series(1, 510) g "
            "RETURNING id), o AS (INSERT INTO obligation (incident_id, rule, legal_basis, owner_party, "
            "recipient_kind, recipient_party, start_time, due_time, legal_due_time, explanation) "
            "SELECT id, 'protocol.breach_notice', 'Protocol art. 13', 'herent', 'party-dpo', "
            "'kortenberg', now(), date_trunc('second', now()) + interval '1 hour', "
            "date_trunc('second', now()) + interval '2 hours', 'bulk' "
            "FROM i RETURNING id) INSERT INTO notification (obligation_id, kind, state, "
            "next_attempt_time, create_time) SELECT id, 'notice', 'held', now(), now() FROM o "
            "RETURNING 1")

    @classmethod
    def tearDownClass(cls):
        cls.termijnd.stop()

    def rows(self, body):
        return re.findall(r'<tr class="u-[a-z]+" data-obligation="(\d+)">', body)

    def test_the_dashboard_leads_to_the_deadlines_after_its_first_page(self):
        # Over 500 open deadlines: 500 and a link to the others. Before: 500 and no word of more.
        open_ones = int(self.termijnd.sql("SELECT count(*) FROM obligation WHERE state = 'open'"))
        self.assertGreater(open_ones, 510)
        status, _, body = self.termijnd.curl("herent-dpo", "/")
        self.assertEqual(status, 200)
        first = self.rows(body)
        self.assertEqual(len(first), 500)
        more = re.search(r'<a id="more-deadlines" href="([^"]+)">', body)
        self.assertIsNotNone(more)
        status, _, body = self.termijnd.curl("herent-dpo", more.group(1).replace("&amp;", "&"))
        self.assertEqual(status, 200)
        rest = self.rows(body)
        self.assertEqual(len(rest), open_ones - 500)
        self.assertFalse(set(first) & set(rest))
        self.assertNotIn('id="more-deadlines"', body)

    def test_the_rule_filter_finds_deadlines_beyond_the_first_page(self):
        # The incident's notice to the authority falls due after the 510 breach notices. Before:
        # the filter was applied to the first 500 of all rules, and showed none.
        status, _, body = self.termijnd.curl("herent-dpo", "/?rule=gdpr.art33_authority")
        self.assertEqual(status, 200)
        self.assertEqual(len(self.rows(body)), 1)

    def test_an_unknown_party_is_an_error_not_an_empty_list(self):
        # Before: "the input was refused" above "no open deadlines".
        status, _, body = self.termijnd.curl("herent-dpo", "/?party=kortenbreg")
        self.assertEqual(status, 422)
        self.assertIn("party: unknown party &apos;kortenbreg&apos;", body)
        self.assertNotIn('id="no-deadlines"', body)

    def test_a_record_shows_its_notices_however_many_others_came_after(self):
        # Before: the page took the party's newest 500 notifications and kept this record's, so
        # Kortenberg saw "none" for the notice it had been sent.
        for principal in ("kortenberg-dpo", "herent-dpo"):
            status, _, body = self.termijnd.curl(principal, "/incidents/" + self.incident)
            self.assertEqual(status, 200)
            self.assertIn('<tr data-notification="%s">' % self.notice, body, principal)


class CertificateReloadTest(OwnTermijndTest):
    """SIGHUP: the web console presents the server certificate found in the files now."""

    def test_new_ca_accepted_after_sighup(self):
        # A second CA added to the bundle: its client certificates log in after SIGHUP, not before.
        t = self.termijnd
        other = os.path.join(t.work, "other-ca")
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), other, "herent-dpo"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def status():
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", t.cert("ca.crt"),
                                  "--cert", os.path.join(other, "herent-dpo.crt"),
                                  "--key", os.path.join(other, "herent-dpo.key"), t.origin + "/"],
                                 capture_output=True, text=True)
            return out.stdout
        self.assertEqual(status(), "000")  # the handshake fails: an unknown CA
        with open(os.path.join(other, "ca.crt")) as f, open(t.cert("ca.crt"), "a") as bundle:
            bundle.write(f.read())
        self.assertEqual(status(), "000")  # nothing changes without SIGHUP
        t.process.send_signal(signal.SIGHUP)
        wait_for(lambda: status() == "200", "the new CA to be accepted")

    def test_new_certificate_served_after_sighup(self):
        # A renewed certificate (same CA) is served after SIGHUP, not before; a key that does not
        # belong to it is refused and the served certificate stays.
        t = self.termijnd
        old = t.served_certificate()
        with open(t.cert("server.crt")) as f:
            self.assertEqual(old, fingerprint(f.read()))
        for name in ["server.crt", "server.key"]:
            os.rename(t.cert(name), t.cert("old-" + name))
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), t.certs], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(t.cert("server.crt")) as f:
            new = fingerprint(f.read())
        self.assertNotEqual(new, old)
        self.assertEqual(t.served_certificate(), old)  # nothing changes without SIGHUP
        t.process.send_signal(signal.SIGHUP)
        wait_for(lambda: t.served_certificate() == new, "the new certificate to be served")
        status, _, _ = t.curl("herent-dpo", "/")
        self.assertEqual(status, 200)

        # The old key with the new certificate: refused, the new certificate stays.
        os.replace(t.cert("old-server.key"), t.cert("server.key"))
        t.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "not the key of the certificate" in t.log_text(),
                 "the reload to be refused")
        self.assertEqual(t.served_certificate(), new)


class TrustedProxyTest(unittest.TestCase):
    """A reverse proxy at a configured address names the principal; nobody else can."""

    @classmethod
    def setUpClass(cls):
        cls.termijnd = Termijnd('trusted_proxies = ["127.0.0.2"]\n'
                                'proxy_principals = ["auditor", "kortenberg-reporter"]\n')

    @classmethod
    def tearDownClass(cls):
        cls.termijnd.stop()

    def principal_shown(self, status, body):
        self.assertEqual(status, 200, body)
        return re.search(r'<strong id="principal">([^<]*)</strong>', body).group(1)

    def test_header_from_configured_proxy_names_the_principal(self):
        # The proxy connects with its own certificate from 127.0.0.2 and acts for the user.
        status, _, body = self.termijnd.curl("auditor", "/", "--interface", "127.0.0.2",
                                             "-H", "X-Termijn-Principal: herent-dpo")
        self.assertEqual(self.principal_shown(status, body), "herent-dpo")

    def test_a_refused_users_body_cannot_act_for_another(self):
        # The proxy forwards a user who is no principal; the body holds a request naming
        # another. Before: refused, and then the body ran as kortenberg-dpo.
        inner = (b"GET /?party=kortenberg HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"X-Termijn-Principal: kortenberg-dpo\r\n\r\n")
        statuses = exchange(self.termijnd, "auditor",
                            smuggling(b"X-Termijn-Principal: mallory\r\n", inner), "127.0.0.2")
        self.assertEqual(statuses, [403])
        self.assertNotIn("GET / by kortenberg-dpo", self.termijnd.log_text())

    def test_header_from_elsewhere_is_ignored(self):
        # From any other address the certificate decides, whatever the header says.
        status, _, body = self.termijnd.curl("auditor", "/", "-H", "X-Termijn-Principal: herent-dpo")
        self.assertEqual(self.principal_shown(status, body), "auditor")

    def test_proxy_naming_no_principal_is_refused(self):
        # A name that is not configured logs nobody in.
        status, _, _ = self.termijnd.curl("auditor", "/", "--interface", "127.0.0.2",
                                          "-H", "X-Termijn-Principal: mallory")
        self.assertEqual(status, 403)

    def test_certificate_of_a_principal_that_is_no_proxy_names_nobody(self):
        # Someone on the proxy's host with a certificate of their own (a configured principal,
        # but not one of proxy_principals) cannot name another principal.
        # Before: any principal's certificate from that address named anyone, the auditor too.
        t = self.termijnd
        status, _, _ = t.curl("herent-reporter", "/", "--interface", "127.0.0.2",
                              "-H", "X-Termijn-Principal: auditor")
        self.assertEqual(status, 403)
        wait_for(lambda: "herent-reporter is not in web.proxy_principals" in t.log_text(),
                 "the refusal to be logged")
        status, _, body = t.curl("herent-reporter", "/", "--interface", "127.0.0.2")
        self.assertEqual(self.principal_shown(status, body), "herent-reporter")

    def test_proxy_certificate_of_no_principal_is_refused(self):
        # The proxy's own certificate is a configured principal's: one the CA signed for
        # someone else logs nobody in, whatever it names.
        t = self.termijnd
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), t.certs, "sso-stranger"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status, _, _ = t.curl("sso-stranger", "/", "--interface", "127.0.0.2",
                              "-H", "X-Termijn-Principal: herent-dpo")
        self.assertEqual(status, 403)
        wait_for(lambda: "from 127.0.0.2: certificate CN 'sso-stranger' is not a configured principal"
                 in t.log_text(), "the refusal to be logged")

    def test_revoked_proxy_certificate_is_refused(self):
        # Revocation holds for the proxy's certificate as for a browser's: after SIGHUP the
        # proxy names nobody with it.
        t = self.termijnd
        status, _, body = t.curl("kortenberg-reporter", "/", "--interface", "127.0.0.2",
                                 "-H", "X-Termijn-Principal: herent-dpo")
        self.assertEqual(self.principal_shown(status, body), "herent-dpo")
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), t.certs, "--revoke",
                        "kortenberg-reporter"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.process.send_signal(signal.SIGHUP)
        wait_for(lambda: t.curl("kortenberg-reporter", "/")[0] == 403, "the revocation to be loaded")
        status, _, _ = t.curl("kortenberg-reporter", "/", "--interface", "127.0.0.2",
                              "-H", "X-Termijn-Principal: herent-dpo")
        self.assertEqual(status, 403)
        wait_for(lambda: re.search(r"from 127\.0\.0\.2: certificate CN 'kortenberg-reporter' \(serial \w+\) "
                                   r"has been revoked", t.log_text()), "the refusal to be logged")


if __name__ == "__main__":
    unittest.main()
