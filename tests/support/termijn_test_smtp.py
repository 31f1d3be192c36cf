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
