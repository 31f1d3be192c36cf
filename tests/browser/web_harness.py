"""A real termijnd with its web console on 127.0.0.1 (port 0), a fresh database in the test
cluster (TERMIJN_TEST_DATABASE_URL), development certificates and the demo configuration.

Used by the web console's tests; they fail (never skip) without PostgreSQL.
"""
import os
import resource
import shutil
import subprocess
import tempfile
import time

SOURCE_DIR = os.environ.get("TERMIJN_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("TERMIJN_BIN_DIR", os.path.join(SOURCE_DIR, "build", "bin"))
# The demo's password of the .p12 files (scripts/run writes them with the same one).
P12_PASSWORD = "termijn-demo"


def _cluster_url():
    url = os.environ.get("TERMIJN_TEST_DATABASE_URL", "")
    if not url:
        raise RuntimeError("TERMIJN_TEST_DATABASE_URL is not set: this test needs PostgreSQL; run scripts/test")
    return url


def _with_dbname(url, name):
    return url + ("&" if "?" in url else "?") + "dbname=" + name


def _as_a_service():
    """The open-file limits systemd gives a service: soft 1 024 (and a higher hard limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))


def wait_for(predicate, what, timeout=60):
    """Waits for a condition (a file, a process), not for time to pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def fingerprint(pem_text):
    """The SHA-256 fingerprint of the first certificate in `pem_text`."""
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem_text,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Termijnd:
    started = 0

    def __init__(self, extra_config="", edit_config=lambda config: config):
        """`extra_config` goes into [web]; `edit_config` changes the rest of the demo's."""
        Termijnd.started += 1
        cluster = _cluster_url()  # first: fails before anything is made
        self.work = tempfile.mkdtemp(prefix="termijn-web-")
        self.certs = os.path.join(self.work, "certs")
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "dev-certs"), self.certs], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.db_name = "termijn_web_%d_%d" % (os.getpid(), Termijnd.started)
        quiet = dict(os.environ, PGOPTIONS="--client-min-messages=warning")
        subprocess.run(["psql", cluster, "-qc", "DROP DATABASE IF EXISTS %s" % self.db_name], check=True, env=quiet)
        subprocess.run(["psql", cluster, "-qc", "CREATE DATABASE %s" % self.db_name], check=True)
        owner_url = _with_dbname(cluster, self.db_name)
        app_url = owner_url.replace("user=termijn", "user=termijn_app")
        with open(os.path.join(SOURCE_DIR, "config", "demo.toml")) as f:
            config = edit_config(f.read())
        self.config = os.path.join(self.work, "termijn.toml")
        with open(self.config, "w") as f:
            f.write(config + '\n[web]\nlisten = "127.0.0.1:0"\n' + extra_config)
        port_file = os.path.join(self.work, "port")
        web_port_file = os.path.join(self.work, "web-port")
        self.log = open(os.path.join(self.work, "termijnd.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(BIN_DIR, "termijnd"), "--config", self.config, "--listen", "127.0.0.1:0",
             "--database-url", app_url, "--migration-database-url", owner_url,
             "--tls-ca", self.cert("ca.crt"), "--tls-cert", self.cert("server.crt"),
             "--tls-key", self.cert("server.key"), "--tls-crl", self.cert("ca.crl"),
             "--audit-signing-key", self.cert("audit-signing.key"),
             "--mail-dir", os.path.join(self.work, "mail"),
             "--port-file", port_file, "--web-port-file", web_port_file],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=_as_a_service)
        try:
            wait_for(lambda: self._ready(port_file), "termijnd and its web console")
        except RuntimeError:
            self.stop()  # nothing stays behind of a termijnd that did not start
            raise
        with open(web_port_file) as f:
            self.web_port = int(f.read())
        with open(port_file) as f:
            self.grpc_port = int(f.read())
        self.origin = "https://127.0.0.1:%d" % self.web_port

    def _ready(self, port_file):
        if self.process.poll() is not None:
            raise RuntimeError("termijnd exited: " + self.log_text())
        return os.path.exists(port_file) and os.path.getsize(port_file) > 0

    def log_text(self):
        with open(self.log.name) as f:
            return f.read()

    def sql(self, query):
        """One value from the test database (as the schema owner)."""
        out = subprocess.run(["psql", _with_dbname(_cluster_url(), self.db_name), "-tAc", query],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def cert(self, name):
        return os.path.join(self.certs, name)

    def p12(self, principal):
        """The principal's certificate and key as PKCS#12, as scripts/run writes them."""
        out = os.path.join(self.work, principal + ".p12")
        subprocess.run(["openssl", "pkcs12", "-export", "-in", self.cert(principal + ".crt"),
                        "-inkey", self.cert(principal + ".key"), "-name", principal,
                        "-passout", "pass:" + P12_PASSWORD, "-out", out], check=True)
        return out

    def curl(self, principal, path, *args):
        """(status, headers, body) of a request made with `principal`'s certificate (None: none)."""
        headers = os.path.join(self.work, "headers")
        cmd = ["curl", "-s", "-o", "-", "-D", headers, "-w", "\n%{http_code}", "--cacert", self.cert("ca.crt")]
        if principal:
            cmd += ["--cert", self.cert(principal + ".crt"), "--key", self.cert(principal + ".key")]
        jar = os.path.join(self.work, "jar-%s" % principal)
        cmd += ["-b", jar, "-c", jar] + list(args) + [self.origin + path]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            return (0, "", out.stderr)
        body, _, status = out.stdout.rpartition("\n")
        with open(headers) as f:
            return (int(status), f.read(), body)

    def cli(self, principal, *args):
        """What the CLI `termijn`, run as `principal` against this termijnd, prints (it must succeed)."""
        out = subprocess.run([os.path.join(BIN_DIR, "termijn"), "--server", "127.0.0.1:%d" % self.grpc_port,
                              "--ca", self.cert("ca.crt"), "--cert", self.cert(principal + ".crt"),
                              "--key", self.cert(principal + ".key")] + list(args),
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("termijn %s: %s" % (" ".join(args), out.stderr))
        return out.stdout

    def served_certificate(self):
        """The SHA-256 fingerprint of the certificate the web console presents now."""
        hello = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.web_port,
                                "-cert", self.cert("herent-dpo.crt"), "-key", self.cert("herent-dpo.key")],
                               input="", capture_output=True, text=True)
        return fingerprint(hello.stdout)

    def stop(self):
        """SIGTERM; returns termijnd's exit code, or None if it had to be killed after 10 s."""
        self.process.terminate()
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = None
        self.log.close()
        subprocess.run(["psql", _cluster_url(), "-qc", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db_name])
        shutil.rmtree(self.work, ignore_errors=True)
        return code
