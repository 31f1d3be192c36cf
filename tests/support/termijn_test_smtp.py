"""aiosmtpd handlers for Termijn's mail integration tests (loaded with -c and PYTHONPATH)."""

import asyncio
import email
import os

from aiosmtpd.handlers import Mailbox


class RejectingMailbox(Mailbox):
    """A maildir that refuses some recipients, as real servers do.

    unknown@... gets 550 (permanent), busy@... gets 451 (temporary); everyone else is accepted.
    """

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local == "unknown":
            return "550 5.1.1 <%s>: Recipient address rejected: no such mailbox" % address
        if local == "busy":
            return "451 4.3.0 <%s>: Mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"


class QuirkyMailbox(Mailbox):
    """A maildir whose replies depend on the message, to test what Termijn does with odd servers.

    A message containing GARBLED-REPLY is accepted with a final reply that is not valid UTF-8; one
    containing BUSY-FOREVER gets 451 every time; everything else is accepted normally.
    """

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if b"BUSY-FOREVER" in content:
            return "451 4.3.0 Busy, try again later"
        status = await super().handle_DATA(server, session, envelope)
        if b"GARBLED-REPLY" in content:
            # aiosmtpd encodes replies as ASCII or UTF-8; write these bytes as they are.
            async def push(reply):
                server._writer.write(reply.encode("utf-8", "surrogateescape") + b"\r\n")
                await server._writer.drain()

            server.push = push
            return "250 2.0.0 Ok: queued as caf\udce9 \udcff\udcfe\udcc3(" + "x" * 3000 + ")"
        return status


class SessionCountingMailbox(Mailbox):
    """A maildir that tells how mail arrived: over how many connections, how many at once.

    Control files live next to the maildir (in the directory of SmtpServer::dir()):
    deliveries.log gets "peer-port Message-ID" per accepted message, max_sessions the largest
    number of connections that were open at once (counted from their first message). A message
    is held in DATA while hold() says so, until the file "release" exists.
    """

    def __init__(self, mail_dir, message_class=None):
        super().__init__(mail_dir, message_class)
        self.control = os.path.dirname(os.path.abspath(mail_dir))
        self.open = set()
        self.max_open = 0
        self.held = 0

    def hold(self, session):
        return False

    def _count(self, server, session):
        key = id(session)
        if key in self.open:
            return
        self.open.add(key)
        self.max_open = max(self.max_open, len(self.open))
        _write(os.path.join(self.control, "max_sessions"), "%d\n" % self.max_open)
        lost = server.connection_lost

        def connection_lost(error):
            self.open.discard(key)
            lost(error)

        server.connection_lost = connection_lost

    async def handle_DATA(self, server, session, envelope):
        self._count(server, session)
        if self.hold(session):
            self.held += 1
            _write(os.path.join(self.control, "held"), "%d\n" % self.held)
            release = os.path.join(self.control, "release")
            while not os.path.exists(release):
                await asyncio.sleep(0.02)
        status = await super().handle_DATA(server, session, envelope)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = message.get("Message-ID", "").strip().strip("<>")
        with open(os.path.join(self.control, "deliveries.log"), "a") as log:
            log.write("%s %s\n" % (session.peer[1], message_id))
        return status


class GatedMailbox(SessionCountingMailbox):
    """Holds every message until released: the sessions held at once are the connections a
    client uses at once."""

    def hold(self, session):
        return True


class HangingMailbox(SessionCountingMailbox):
    """Hangs the first connection that sends a message until released; answers the others at
    once, as a server with one stuck worker would."""

    def __init__(self, mail_dir, message_class=None):
        super().__init__(mail_dir, message_class)
        self.hung = None

    def hold(self, session):
        if self.hung is None:
            self.hung = id(session)
        return self.hung == id(session)


class SilentQuitMailbox(GatedMailbox):
    """Holds every message until released (so that a client sending several at once opens a
    connection for each) and never answers QUIT; quits_waiting holds the largest number of QUITs
    that waited for an answer at once."""

    def __init__(self, mail_dir, message_class=None):
        super().__init__(mail_dir, message_class)
        self.waiting = 0
        self.max_waiting = 0

    async def handle_QUIT(self, server, session, envelope):
        self.waiting += 1
        self.max_waiting = max(self.max_waiting, self.waiting)
        _write(os.path.join(self.control, "quits_waiting"), "%d\n" % self.max_waiting)
        try:
            await asyncio.sleep(3600)
        finally:
            self.waiting -= 1
        return "221 Bye"


def _write(path, text):
    """Replaces `path` atomically, so that a reader never sees half a number."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
