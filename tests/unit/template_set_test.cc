#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "server/notify/notice.h"
#include "server/notify/templates.h"

namespace termijn::notify {
namespace {

// Every value the notice templates may use (see templates/README.md), with recognisable text.
TemplateValues FullValues() {
  TemplateValues v;
  for (const char* name : {"notification_id",
                           "ack_command",
                           "reference",
                           "rule",
                           "legal_basis",
                           "owner_party",
                           "owner_party_id",
                           "owner_dpo_name",
                           "owner_dpo_email",
                           "recipient_party",
                           "recipient_dpo_name",
                           "due_time",
                           "legal_due_time",
                           "deadline_explanation",
                           "reporter",
                           "title",
                           "description",
                           "aware_time",
                           "occurred_time",
                           "data_categories",
                           "subject_groups",
                           "subject_count",
                           "risk",
                           "ticket_ref",
                           "consequences",
                           "measures",
                           "request_kind",
                           "receive_time",
                           "summary",
                           "copy",
                           "logged_by"}) {
    v[name] = std::string("<") + name + ">";
  }
  return v;
}

TemplateSet Shipped() {
  absl::StatusOr<TemplateSet> set = TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *std::move(set) : TemplateSet();
}

TemplateSet FromTexts(const std::vector<std::pair<std::string, std::string>>& files) {
  TemplateSet set;
  for (const auto& [name, text] : files) EXPECT_TRUE(set.add(name, text).ok()) << name;
  return set;
}

TEST(TemplateSetTest, LoadsTheShippedNoticeTemplatesInBothLanguages) {
  // Verifies the template directory holds the breach and request notices in nl and en.
  const TemplateSet set = Shipped();
  const std::vector<std::pair<std::string, std::string>> keys = set.keys();
  for (const char* rule : {"protocol.breach_notice", "protocol.request_notice"}) {
    for (const char* locale : {"en", "nl"}) {
      EXPECT_NE(
          std::find(keys.begin(), keys.end(), std::pair<std::string, std::string>{rule, locale}),
          keys.end())
          << rule << "." << locale;
    }
  }
}

TEST(TemplateSetTest, EveryNoticeTemplateRendersWithTheFullValueSet) {
  // Verifies every notice template file renders with the full value set, nothing left over.
  const TemplateSet set = Shipped();
  int rendered = 0;
  for (const auto& [rule, locale] : set.keys()) {
    // Other templates in the directory (reminders, failure alerts) have their own values.
    if (rule != "protocol.breach_notice" && rule != "protocol.request_notice") continue;
    ++rendered;
    SCOPED_TRACE(rule + "." + locale);
    absl::StatusOr<RenderedTemplate> text = set.render(rule, locale, FullValues());
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_EQ(text->locale, locale);
    EXPECT_NE(text->subject.find("<reference>"), std::string::npos);
    EXPECT_NE(text->subject.find("<owner_party>"), std::string::npos);
    EXPECT_EQ(text->subject.find('\n'), std::string::npos);
    EXPECT_EQ(text->body.find("{{"), std::string::npos);
    for (const char* name : {"<ack_command>", "<reference>", "<due_time>", "<legal_due_time>",
                             "<legal_basis>", "<owner_party>", "<recipient_dpo_name>"}) {
      EXPECT_NE(text->body.find(name), std::string::npos) << name;
    }
  }
  EXPECT_GE(rendered, 4);
}

TEST(TemplateSetTest, BreachNoticesSayWhatArticle13Requires) {
  // Verifies both breach notices carry every item protocol art. 13 needs.
  const TemplateSet set = Shipped();
  for (const char* locale : {"nl", "en"}) {
    absl::StatusOr<RenderedTemplate> text =
        set.render("protocol.breach_notice", locale, FullValues());
    ASSERT_TRUE(text.ok()) << text.status();
    for (const char* name : {"<reporter>", "<title>", "<description>", "<aware_time>",
                             "<occurred_time>", "<data_categories>", "<subject_groups>",
                             "<subject_count>", "<risk>", "<ticket_ref>", "<notification_id>",
                             "<consequences>", "<measures>"}) {
      EXPECT_NE(text->body.find(name), std::string::npos) << locale << " " << name;
    }
    EXPECT_NE(text->body.find(std::string(locale) == "nl" ? "AVG" : "GDPR"), std::string::npos);
  }
}

TEST(TemplateSetTest, RequestNoticesSayWhatArticle14Requires) {
  // Verifies both request notices carry the kind, receipt time, summary and the copy line.
  const TemplateSet set = Shipped();
  for (const char* locale : {"nl", "en"}) {
    absl::StatusOr<RenderedTemplate> text =
        set.render("protocol.request_notice", locale, FullValues());
    ASSERT_TRUE(text.ok()) << text.status();
    for (const char* name :
         {"<request_kind>", "<receive_time>", "<summary>", "<copy>", "<logged_by>"}) {
      EXPECT_NE(text->body.find(name), std::string::npos) << locale << " " << name;
    }
    EXPECT_NE(text->subject.find("<request_kind>"), std::string::npos);
  }
}

TEST(TemplateSetTest, ShippedTemplatesPassTheStartupCheck) {
  // Verifies check_notice_templates() accepts the shipped templates with real notice values.
  EXPECT_TRUE(check_notice_templates(Shipped()).ok());
}

TEST(TemplateSetTest, UnknownPlaceholderIsAnError) {
  // Verifies rendering fails, naming the file and the placeholder, when a value is missing.
  const TemplateSet set = FromTexts({{"r.en.txt", "Subject: Hi {{name}}\n\nBody {{nonsense}}\n"}});
  absl::StatusOr<RenderedTemplate> text = set.render("r", "en", {{"name", "x"}});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("r.en.txt"), std::string::npos);
  EXPECT_NE(text.status().message().find("{{nonsense}}"), std::string::npos);
}

TEST(TemplateSetTest, StartupCheckFindsAnUnknownPlaceholder) {
  // Verifies the startup check refuses unknown placeholders and a missing en file.
  TemplateSet set = Shipped();
  ASSERT_TRUE(
      set.add("protocol.breach_notice.fr.txt", "Subject: {{reference}}\n\n{{nope}}\n").ok());
  const absl::Status status = check_notice_templates(set);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("protocol.breach_notice.fr.txt"), std::string::npos);

  const TemplateSet dutch_only =
      FromTexts({{"protocol.breach_notice.nl.txt", "Subject: x\n\ny\n"},
                 {"protocol.request_notice.en.txt", "Subject: x\n\ny\n"}});
  EXPECT_EQ(check_notice_templates(dutch_only).code(), absl::StatusCode::kNotFound);
}

TEST(TemplateSetTest, FallsBackToLanguageThenEnglish) {
  // Verifies "nl-BE" uses nl, an unknown locale uses en, and a rule without any file is NotFound.
  const TemplateSet set = FromTexts(
      {{"r.en.txt", "Subject: English\n\nbody\n"}, {"r.nl.txt", "Subject: Nederlands\n\nbody\n"}});
  EXPECT_EQ(set.render("r", "nl", {})->subject, "Nederlands");
  EXPECT_EQ(set.render("r", "nl-BE", {})->subject, "Nederlands");
  EXPECT_EQ(set.render("r", "nl-BE", {})->locale, "nl");
  EXPECT_EQ(set.render("r", "fr", {})->subject, "English");
  EXPECT_EQ(set.render("r", "fr", {})->locale, "en");
  EXPECT_EQ(set.resolve_locale("r", "de"), "en");
  EXPECT_EQ(set.resolve_locale("other", "en"), "");
  EXPECT_EQ(set.render("other", "nl", {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(TemplateSetTest, ValuesAreInsertedVerbatimOnce) {
  // Verifies values are inserted verbatim, once, with subject line breaks as spaces; the lines
  // after a value's first go on at the column where it started.
  const TemplateSet set =
      FromTexts({{"r.en.txt", "Subject: About {{ title }}\r\n\r\nText: {{title}} & {{x}}\r\n"}});
  absl::StatusOr<RenderedTemplate> text =
      set.render("r", "en", {{"title", "<b>{{x}}</b>\nBcc: y"}, {"x", "X"}});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->subject, "About <b>{{x}}</b> Bcc: y");
  EXPECT_EQ(text->body, "Text: <b>{{x}}</b>\n      Bcc: y & X\n");
}

TEST(TemplateSetTest, AValueOfSeveralLinesStaysInItsColumn) {
  // A description under an indented label, a server's reply of several lines after a label:
  // every line at the value's column, counted in characters; an empty line stays empty.
  const TemplateSet set = FromTexts(
      {{"r.en.txt", "Subject: s\n\n  Beschrijving:\n    {{text}}\n  Laatste fout: {{error}}\n"}});
  const auto text = set.render(
      "r", "nl",
      {{"text", "Eerste regel\n\nDerde regel"}, {"error", "451-Probeer later\n451 Té druk"}});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->body,
            "  Beschrijving:\n"
            "    Eerste regel\n"
            "\n"
            "    Derde regel\n"
            "  Laatste fout: 451-Probeer later\n"
            "                451 Té druk\n");
}

TEST(TemplateSetTest, RefusesMalformedFiles) {
  // Verifies malformed template files are refused with the file name and line.
  struct Case {
    std::string name, text, needle;
  };
  const std::vector<Case> cases{
      {"notes.txt", "Subject: x\n\ny", "<rule>.<locale>.txt"},
      {"r.EN.txt", "Subject: x\n\ny", "<rule>.<locale>.txt"},
      {"r.en.txt", "Onderwerp: x\n\ny", "r.en.txt:1"},
      {"r.en.txt", "Subject: x\ny", "r.en.txt:2"},
      {"r.en.txt", "Subject: x", "r.en.txt:2"},
      {"r.en.txt", "Subject: x\n\nline\n{{ unclosed\n", "r.en.txt:4"},
      {"r.en.txt", "Subject: {{Bad-Name}}\n\ny", "r.en.txt:1"},
      {"r.en.txt", "Subject: x\n\n{{}}", "r.en.txt:3"},
      {"r.en.txt", "Subject: x\n\n\xff", "UTF-8"},
  };
  for (const Case& c : cases) {
    TemplateSet set;
    const absl::Status status = set.add(c.name, c.text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << c.text;
    EXPECT_NE(status.message().find(c.needle), std::string::npos) << status;
  }
  TemplateSet set;
  ASSERT_TRUE(set.add("r.en.txt", "Subject: x\n\ny").ok());
  EXPECT_EQ(set.add("r.en.txt", "Subject: x\n\ny").code(), absl::StatusCode::kAlreadyExists);
}

TEST(TemplateSetTest, LoadReportsAMissingDirectory) {
  // Verifies load() of a directory that does not exist is NotFound and names the directory.
  absl::StatusOr<TemplateSet> set = TemplateSet::load("/nonexistent/termijn/templates");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(set.status().message().find("/nonexistent/termijn/templates"), std::string::npos);
}

TEST(TemplateSetTest, ListsPlaceholders) {
  // Verifies placeholders() reports each name a template uses once, sorted.
  const TemplateSet set = FromTexts({{"r.en.txt", "Subject: {{b}} {{a}}\n\n{{b}} {{c}}\n"}});
  EXPECT_EQ(set.placeholders("r", "en"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(set.placeholders("r", "nl").empty());
}

}  // namespace
}  // namespace termijn::notify
