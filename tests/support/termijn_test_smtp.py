"""aiosmtpd handlers for Termijn's mail integration tests (loaded with -c and PYTHONPATH)."""

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
