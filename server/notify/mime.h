#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "server/domain/model.h"
#include "server/notify/mailer.h"

namespace termijn::notify {

/// Renders `m` as RFC 5322 / MIME bytes with CRLF line ends: Date (UTC), From, To, Cc, Reply-To,
/// Subject, Message-ID, MIME-Version, Auto-Submitted, then a multipart/mixed body with the text as
/// text/plain; charset=UTF-8 (quoted-printable) followed by every attachment in base64.
///
/// Deterministic: the boundary is derived from the Message-ID, so equal messages give equal bytes.
/// Header text from users (subject, display names, file names) is reduced to one line first: CR,
/// LF and other control characters become spaces, so it can never start a header of its own.
/// Non-ASCII text is encoded per RFC 2047 (subject, names) and RFC 2231 (file names); invalid
/// UTF-8 becomes U+FFFD. Header fields are folded to 78 octets where the syntax allows; body lines
/// stay within 76.
/// Does not check addresses; check_message() does (the mailers call it first).
std::string render_message(const MailMessage& m);

/// Whether `m` can be sent as given: a Message-ID of the form left@right in printable ASCII, a
/// valid From address, at least one recipient, and every address a plain addr-spec
/// ("local@domain", printable ASCII without spaces, quotes, brackets or control characters).
/// InvalidArgument naming the offending field otherwise.
absl::Status check_message(const MailMessage& m);

/// Whether `email` is an addr-spec this library accepts (see check_message).
using domain::is_valid_email;

}  // namespace termijn::notify
