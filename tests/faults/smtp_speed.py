"""What the SMTP server of the fault suite takes on its own: aiosmtpd (Mailbox handler) on
loopback, fed by Python's smtplib over 1 and over 4 kept connections, COUNT (2000) messages of
about the size of a notice. The ceiling for scripts/faults mail on the same machine.

    /usr/bin/python3 tests/faults/smtp_speed.py [COUNT]
"""

import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

MESSAGE = ("From: termijn@ocmw.example\r\nTo: dpo@kortenberg.example\r\nSubject: speed\r\n"
           "Message-ID: <%d@speed.example>\r\n\r\n" + "A line of a notice body.\r\n" * 300)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send(port, count, connections):
    def worker(k):
        client = smtplib.SMTP("127.0.0.1", port)
        client.ehlo("speed.example")
        for i in range(count // connections):
            client.sendmail("termijn@ocmw.example", ["dpo@kortenberg.example"],
                            MESSAGE % (k * 1000000 + i))
        client.quit()

    start = time.time()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.time() - start
    print("aiosmtpd alone: %d mails over %d connection(s) in %.1f s: %.0f mails/s"
          % (count, connections, seconds, count / seconds))


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        server = subprocess.Popen(
            ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:%d" % port, "-c",
             "aiosmtpd.handlers.Mailbox", os.path.join(work, "maildir")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port)).close()
                    break
                except OSError:
                    time.sleep(0.05)
            send(port, count, 1)
            send(port, count, 4)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
