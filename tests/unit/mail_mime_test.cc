#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/notify/mime.h"
#include "server/notify/text.h"
#include "tests/support/mime_reader.h"
#include "tests/unit/times.h"

namespace termijn::notify {
namespace {

TEST(HeadlineTest, TheFirstLineWithTextCutToItsLimitInCharacters) {
  // A request's summary may run to pages; a reminder's Subject names its first line, cut.
  EXPECT_EQ(headline("\n  \nClient asks for a copy\nof the whole file", 80),
            "Client asks for a copy");
  EXPECT_EQ(headline("Inzage\tin   dossier", 80), "Inzage in dossier");
  EXPECT_EQ(headline(std::string(100, 'x'), 10), "xxxxxxxxxx...");
  EXPECT_EQ(headline("\xC3\xA9\xC3\xA9\xC3\xA9", 2),
            "\xC3\xA9\xC3\xA9...");  // cut between characters
  EXPECT_EQ(headline("\n\n", 10), "");
}

using unit::UtcAt;

using testing::Base64Decode;
using testing::DecodedBody;
using testing::DecodeWords;
using testing::MimeEntity;
using testing::ParseEntity;
using testing::Parts;

MailMessage Sample() {
  MailMessage m;
  m.message_id = "notification-17.3f2a9c01@herent.example";
  m.from = {"Termijn (OCMW Herent)", "termijn@herent.example"};
  m.to = {{"DPO OCMW Kortenberg", "dpo@kortenberg.example"}};
  m.cc = {{"Deputy DPO", "dpo-deputy@kortenberg.example"}};
  m.reply_to = {{"DPO OCMW Herent", "dpo@herent.example"}};
  m.subject = "Breach notification incidents/12";
  m.text_body = "Hello,\nthis is the body.\n";
  m.attachments = {{"deadline.ics", "text/calendar; method=PUBLISH; charset=UTF-8", "BEGIN:X\r\n"}};
  m.date = UtcAt(2026, 10, 24, 21, 30, 5);
  return m;
}

// Every line of `text`, without its CRLF.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// The names of all header fields of the message and of each of its parts.
std::vector<std::string> AllHeaderNames(const std::string& raw) {
  const MimeEntity message = ParseEntity(raw);
  std::vector<std::string> names;
  for (const auto& [name, value] : message.headers) names.push_back(testing::Lower(name));
  for (const MimeEntity& part : Parts(message)) {
    for (const auto& [name, value] : part.headers) names.push_back(testing::Lower(name));
  }
  return names;
}

TEST(RenderMessageTest, HasTheRequiredHeaders) {
  // Verifies Date (RFC 5322, UTC), addresses, Message-ID and the MIME structure headers.
  const MimeEntity e = ParseEntity(render_message(Sample()));
  EXPECT_EQ(e.Header("Date"), "Sat, 24 Oct 2026 21:30:05 +0000");
  EXPECT_EQ(e.Header("From"), "\"Termijn (OCMW Herent)\" <termijn@herent.example>");
  EXPECT_EQ(e.Header("To"), "\"DPO OCMW Kortenberg\" <dpo@kortenberg.example>");
  EXPECT_EQ(e.Header("Cc"), "\"Deputy DPO\" <dpo-deputy@kortenberg.example>");
  EXPECT_EQ(e.Header("Reply-To"), "\"DPO OCMW Herent\" <dpo@herent.example>");
  EXPECT_EQ(e.Header("Subject"), "Breach notification incidents/12");
  EXPECT_EQ(e.Header("Message-ID"), "<notification-17.3f2a9c01@herent.example>");
  EXPECT_EQ(e.Header("MIME-Version"), "1.0");
  EXPECT_EQ(e.Header("Auto-Submitted"), "auto-generated");
  EXPECT_EQ(e.Header("Content-Type").rfind("multipart/mixed;", 0), 0u);
  EXPECT_EQ(e.Count("Bcc"), 0);
}

TEST(RenderMessageTest, OmitsEmptyCcAndReplyTo) {
  // Verifies that no Cc or Reply-To field is written when there is nobody to put in it.
  MailMessage m = Sample();
  m.cc.clear();
  m.reply_to.clear();
  const MimeEntity e = ParseEntity(render_message(m));
  EXPECT_EQ(e.Count("Cc"), 0);
  EXPECT_EQ(e.Count("Reply-To"), 0);
}

TEST(RenderMessageTest, UsesCrlfLineEndsAndShortLines) {
  // Verifies every line ends in CRLF (no bare CR or LF) and stays within 78 octets.
  MailMessage m = Sample();
  m.subject =
      "Een heel lang onderwerp dat zeker over de grens van achtenzeventig tekens gaat, met "
      "cliënten, één en ander – en nog meer tekst om meerdere regels te vullen";
  m.to.push_back({"Zoë Van den Broeck-Désirée, diensthoofd thuiszorg", "zoe@kortenberg.example"});
  m.to.push_back({"", "plain@kortenberg.example"});
  m.text_body = std::string(300, 'x') + "\n" + std::string(200, 'e') + "é\n";
  m.attachments.push_back({"verslag van de vergadering over het incident – versie één.pdf",
                           "application/pdf", std::string(1000, '\x01')});
  const std::string raw = render_message(m);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(raw[i - 1], '\r') << "bare LF at " << i;
    }
    if (raw[i] == '\r') {
      EXPECT_EQ(raw[i + 1], '\n') << "bare CR at " << i;
    }
  }
  ASSERT_EQ(raw.substr(raw.size() - 2), "\r\n");
  for (const std::string& line : Lines(raw)) EXPECT_LE(line.size(), 78u) << line;
}

TEST(RenderMessageTest, NonAsciiSubjectIsEncodedAndRoundTrips) {
  // Verifies a UTF-8 subject becomes RFC 2047 words of at most 75 octets that decode back.
  MailMessage m = Sample();
  m.subject =
      "[Termijn] Melding inbreuk in verband met persoonsgegevens door OCMW Herent "
      "(incidents/12) – art. 13 protocol – cliënten, één, Zoë 😀";
  const std::string raw = render_message(m);
  const MimeEntity e = ParseEntity(raw);
  const std::string field = e.Header("Subject");
  EXPECT_NE(field.find("=?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(DecodeWords(field), m.subject);
  for (const std::string& line : Lines(raw.substr(0, raw.find("\r\n\r\n")))) {
    for (size_t pos = line.find("=?"); pos != std::string::npos; pos = line.find("=?", pos + 2)) {
      const size_t end = line.find("?=", pos + 10);
      ASSERT_NE(end, std::string::npos);
      EXPECT_LE(end + 2 - pos, 75u) << line;
      pos = end;
    }
  }
}

TEST(RenderMessageTest, LongAsciiSubjectIsFoldedAndUnfoldsToTheSameText) {
  // Verifies a long plain subject is folded at spaces, and unfolding gives the original text.
  MailMessage m = Sample();
  m.subject =
      "[Termijn] Personal data breach notification from OCMW Herent (incidents/12) - "
      "Protocol art. 13 and some more words to make it really long";
  const std::string raw = render_message(m);
  EXPECT_NE(raw.find("Subject: [Termijn]"), std::string::npos);
  EXPECT_NE(raw.find("\r\n "), std::string::npos);
  EXPECT_EQ(ParseEntity(raw).Header("Subject"), m.subject);
}

TEST(RenderMessageTest, SubjectThatLooksEncodedIsEncoded) {
  // Verifies literal "=?...?=" in a subject is encoded so readers do not decode it by mistake.
  MailMessage m = Sample();
  m.subject = "About =?UTF-8?B?SGk=?= tokens";
  EXPECT_EQ(DecodeWords(ParseEntity(render_message(m)).Header("Subject")), m.subject);
}

TEST(RenderMessageTest, DisplayNamesAreQuotedOrEncoded) {
  // Verifies ASCII names are quoted with escapes and UTF-8 names are RFC 2047 encoded.
  MailMessage m = Sample();
  m.from = {"Dr. \"Bob\" O'Neil, DPO", "termijn@herent.example"};
  m.to = {{"Zoë Désirée", "zoe@kortenberg.example"}, {"", "plain@kortenberg.example"}};
  const MimeEntity e = ParseEntity(render_message(m));
  EXPECT_EQ(e.Header("From"), "\"Dr. \\\"Bob\\\" O'Neil, DPO\" <termijn@herent.example>");
  const std::string to = e.Header("To");
  EXPECT_NE(to.find("=?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(DecodeWords(to), "Zoë Désirée <zoe@kortenberg.example>, plain@kortenberg.example");
}

TEST(RenderMessageTest, LongEncodedNamesSplitBeforeASpace) {
  // Verifies a name needing several encoded words is split before a space, not inside a word.
  MailMessage m = Sample();
  m.to = {{"Zoë Van den Broeck-Désirée, diensthoofd thuiszorg", "zoe@kortenberg.example"}};
  const std::string to = ParseEntity(render_message(m)).Header("To");
  std::vector<std::string> words;
  for (size_t pos = to.find("=?"); pos != std::string::npos; pos = to.find("=?", pos + 2)) {
    const size_t end = to.find("?=", pos + 10);
    words.push_back(DecodeWords(to.substr(pos, end + 2 - pos)));
    pos = end;
  }
  EXPECT_EQ(words,
            (std::vector<std::string>{"Zoë Van den Broeck-Désirée, diensthoofd", " thuiszorg"}));
}

TEST(RenderMessageTest, LineBreaksInUserTextNeverStartAHeader) {
  // Verifies "\r\nBcc: evil@x" in subject, names and file names produces no Bcc field anywhere.
  const std::string evil = "\r\nBcc: evil@x";
  MailMessage m = Sample();
  m.subject = "Hello" + evil;
  m.from.name = "Termijn" + evil;
  m.to[0].name = "DPO" + evil + "\nBcc: evil2@x\rBcc: evil3@x";
  m.cc[0].name = "Zoë" + evil;  // the encoded path too
  m.reply_to[0].name = evil;
  m.attachments.push_back({"a.txt" + evil, "text/plain", "x"});
  m.attachments.push_back({"é.txt" + evil, "text/plain", "y"});
  const std::string raw = render_message(m);
  for (const std::string& name : AllHeaderNames(raw)) EXPECT_NE(name, "bcc");
  for (const std::string& line : Lines(raw)) {
    EXPECT_NE(testing::Lower(line).rfind("bcc", 0), 0u) << line;
  }
  const MimeEntity e = ParseEntity(raw);
  EXPECT_EQ(e.Header("Subject"), "Hello Bcc: evil@x");
  EXPECT_EQ(DecodeWords(e.Header("Cc")), "Zoë Bcc: evil@x <dpo-deputy@kortenberg.example>");
  const std::vector<MimeEntity> parts = Parts(e);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[2].Param("Content-Disposition", "filename"), "a.txt Bcc: evil@x");
  EXPECT_EQ(parts[3].Param("Content-Disposition", "filename"), "é.txt Bcc: evil@x");
}

TEST(RenderMessageTest, MediaTypeAndMessageIdCannotInjectHeaders) {
  // Verifies a bad media type or Message-ID cannot add a header field.
  MailMessage m = Sample();
  m.message_id = "id@x\r\nBcc: evil@x";
  m.attachments = {{"a.bin", "text/plain\r\nBcc: evil@x", "x"},
                   {"b.bin", "text/plain; charset=\"a\r\nb\"", "y"}};
  const std::string raw = render_message(m);
  for (const std::string& name : AllHeaderNames(raw)) EXPECT_NE(name, "bcc");
  const MimeEntity e = ParseEntity(raw);
  EXPECT_EQ(e.Header("Message-ID"), "<id@xBccevil@x>");
  const std::vector<MimeEntity> parts = Parts(e);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].Header("Content-Type"), "application/octet-stream; name=\"a.bin\"");
  EXPECT_EQ(parts[2].Header("Content-Type"), "text/plain; charset=\"a b\"; name=\"b.bin\"");
}

TEST(RenderMessageTest, AttachmentsDecodeToTheExactBytes) {
  // Verifies base64 attachments (binary, empty, large) decode to exactly the bytes given.
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  binary += "\r\n.\r\n--=_termijn_\r\n";
  std::string large;
  for (int i = 0; i < 100000; ++i) large += static_cast<char>((i * 7919) % 251);
  MailMessage m = Sample();
  m.attachments = {{"binary.bin", "application/octet-stream", binary},
                   {"empty.txt", "text/plain", ""},
                   {"large.pdf", "application/pdf", large}};
  const std::vector<MimeEntity> parts = Parts(ParseEntity(render_message(m)));
  ASSERT_EQ(parts.size(), 4u);
  for (size_t i = 0; i < m.attachments.size(); ++i) {
    const MimeEntity& part = parts[i + 1];
    EXPECT_EQ(part.Header("Content-Transfer-Encoding"), "base64");
    EXPECT_EQ(part.Header("Content-Disposition").rfind("attachment;", 0), 0u);
    EXPECT_EQ(part.Param("Content-Disposition", "filename"), m.attachments[i].file_name);
    EXPECT_EQ(part.Param("Content-Type", "name"), m.attachments[i].file_name);
    EXPECT_EQ(Base64Decode(part.body), m.attachments[i].content) << m.attachments[i].file_name;
  }
  EXPECT_EQ(parts[1].Header("Content-Type"), "application/octet-stream; name=\"binary.bin\"");
}

TEST(RenderMessageTest, AnAttachedMessageIsSentAsAFileItsReaderCanOpen) {
  // RFC 2046 5.2.1: a message/rfc822 part may not be base64-encoded; readers showed a request
  // that came by e-mail as a message without headers. It goes as a file (.eml), byte for byte.
  MailMessage m = Sample();
  const std::string original =
      "From: Zoë <zoe@example.org>\r\nSubject: Inzage\r\n\r\nMijn dossier.\r\n";
  m.attachments = {{"verzoek.eml", "message/rfc822", original}};
  const std::vector<MimeEntity> parts = Parts(ParseEntity(render_message(m)));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].Header("Content-Type"), "application/octet-stream; name=\"verzoek.eml\"");
  EXPECT_EQ(parts[1].Header("Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(Base64Decode(parts[1].body), original);
}

TEST(RenderMessageTest, NonAsciiAndLongFileNamesUseRfc2231) {
  // Verifies UTF-8 and long file names use RFC 2231 parameters that decode back.
  const std::string long_name =
      "verslag van de vergadering over het incident – kopie van het verzoek van Zoë "
      "Désirée, definitieve versie.pdf";
  MailMessage m = Sample();
  m.attachments = {{"kopie – Zoë.pdf", "application/pdf", "a"},
                   {long_name, "application/pdf", "b"},
                   {"../../etc/passwd", "text/plain", "c"},
                   {"C:\\Users\\x\\brief.txt", "text/plain", "d"},
                   {"", "text/plain", "e"}};
  const std::string raw = render_message(m);
  const std::vector<MimeEntity> parts = Parts(ParseEntity(raw));
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_NE(parts[1].Header("Content-Disposition").find("filename*=UTF-8''kopie%20%E2%80%93"),
            std::string::npos);
  EXPECT_EQ(parts[1].Param("Content-Disposition", "filename"), "kopie – Zoë.pdf");
  EXPECT_NE(parts[2].Header("Content-Disposition").find("filename*1*="), std::string::npos);
  EXPECT_EQ(parts[2].Param("Content-Disposition", "filename"), long_name);
  EXPECT_EQ(parts[2].Param("Content-Type", "name"), long_name);
  EXPECT_EQ(parts[3].Param("Content-Disposition", "filename"), "passwd");
  EXPECT_EQ(parts[4].Param("Content-Disposition", "filename"), "brief.txt");
  EXPECT_EQ(parts[5].Param("Content-Disposition", "filename"), "attachment");
}

TEST(RenderMessageTest, TextBodyRoundTripsThroughQuotedPrintable) {
  // Verifies the text part is quoted-printable that decodes back to the body.
  MailMessage m = Sample();
  m.text_body = "Geachte DPO,\r\nCategorieën: financiële gegevens = ja \n.\n..begin\n" +
                std::string(200, 'a') + " " + std::string(100, 'b') + "\tTab at end\t\n" +
                "Zoë 😀 " + std::string(100, '=') + "\rlast line without break";
  const std::vector<MimeEntity> parts = Parts(ParseEntity(render_message(m)));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].Header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(parts[0].Header("Content-Transfer-Encoding"), "quoted-printable");
  std::string expected = "Geachte DPO,\nCategorieën: financiële gegevens = ja \n.\n..begin\n" +
                         std::string(200, 'a') + " " + std::string(100, 'b') + "\tTab at end\t\n" +
                         "Zoë 😀 " + std::string(100, '=') + "\nlast line without break";
  EXPECT_EQ(DecodedBody(parts[0]), expected);
  for (const std::string& line : Lines(parts[0].body)) {
    EXPECT_LE(line.size(), 76u);
    EXPECT_NE(line.rfind('.', 0), 0u) << "a line starting with '.'";
    if (!line.empty()) {
      EXPECT_NE(line.back(), ' ');
    }
  }
}

TEST(RenderMessageTest, InvalidUtf8IsReplaced) {
  // Verifies bytes that are not UTF-8 become U+FFFD instead of producing an invalid message.
  MailMessage m = Sample();
  m.subject = "bad \xff\xfe byte";
  m.text_body = "body \xc3 end";
  const MimeEntity e = ParseEntity(render_message(m));
  EXPECT_EQ(DecodeWords(e.Header("Subject")), "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
  EXPECT_EQ(DecodedBody(Parts(e)[0]), "body \xEF\xBF\xBD end");
}

TEST(RenderMessageTest, IsDeterministic) {
  // Verifies equal messages give equal bytes and another Message-ID another boundary.
  const MailMessage m = Sample();
  EXPECT_EQ(render_message(m), render_message(m));
  MailMessage other = m;
  other.message_id = "notification-18.00000000@herent.example";
  EXPECT_NE(ParseEntity(render_message(m)).Param("Content-Type", "boundary"),
            ParseEntity(render_message(other)).Param("Content-Type", "boundary"));
}

TEST(CheckMessageTest, AcceptsAValidMessage) {
  // Verifies the sample message passes the checks the mailers make before sending.
  EXPECT_TRUE(check_message(Sample()).ok());
}

TEST(CheckMessageTest, RefusesBadAddressesAndIds) {
  // Verifies bad Message-IDs and addresses, or no recipient, are refused by field.
  auto error = [](void (*change)(MailMessage&)) {
    MailMessage m = Sample();
    change(m);
    const absl::Status status = check_message(m);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  };
  EXPECT_NE(error([](MailMessage& m) { m.message_id = ""; }).find("message_id"), std::string::npos);
  error([](MailMessage& m) { m.message_id = "no-at-sign"; });
  error([](MailMessage& m) { m.message_id = "a@b\r\nBcc: x@y"; });
  error([](MailMessage& m) { m.message_id = "<a@b>"; });
  EXPECT_NE(error([](MailMessage& m) { m.from.email = "termijn"; }).find("from"),
            std::string::npos);
  EXPECT_NE(error([](MailMessage& m) { m.to.clear(); }).find("To"), std::string::npos);
  EXPECT_NE(error([](MailMessage& m) { m.to[0].email = "a@b.example\r\nBcc: x@y"; }).find("to"),
            std::string::npos);
  EXPECT_NE(error([](MailMessage& m) { m.cc[0].email = "a b@c.example"; }).find("cc"),
            std::string::npos);
  error([](MailMessage& m) { m.reply_to[0].email = "<a@b.example>"; });
  error([](MailMessage& m) { m.to[0].email = "a@"; });
  error([](MailMessage& m) { m.to[0].email = "a@b.example,c@d.example"; });
}

TEST(CheckMessageTest, ValidEmailAddresses) {
  // Verifies the addr-spec check accepts ordinary addresses and refuses look-alikes.
  EXPECT_TRUE(is_valid_email("dpo@kortenberg.example"));
  EXPECT_TRUE(is_valid_email("first.last+tag@sub.domain-x.example"));
  EXPECT_TRUE(is_valid_email("postmaster@localhost"));
  EXPECT_FALSE(is_valid_email("dpo@kortenberg.example."));
  EXPECT_FALSE(is_valid_email("zoë@kortenberg.example"));
  EXPECT_FALSE(is_valid_email("\"quoted\"@x.example"));
  EXPECT_FALSE(is_valid_email("@x.example"));
  EXPECT_FALSE(is_valid_email("a@b@c"));
}

}  // namespace
}  // namespace termijn::notify
