#include <gtest/gtest.h>

#include "server/web/i18n.h"

namespace termijn::web {
namespace {

TEST(FieldError, TranslatesTheUseCasesReasons) {
  EXPECT_EQ(field_error("nl", "required"), "Verplicht.");
  EXPECT_EQ(field_error("en", "must not be empty"), "Required.");
  EXPECT_EQ(field_error("nl", "longer than 4000 bytes"), "Te lang: ten hoogste 4000 bytes.");
  EXPECT_EQ(field_error("en", "must lie between 0 and 100000000"),
            "Must lie between 0 and 100000000.");
  EXPECT_EQ(field_error("en", "must be 1 or 2 (GDPR art. 12(3): by two further months at most)"),
            "Choose 1 or 2 months (GDPR art. 12(3)).");
  EXPECT_EQ(field_error("nl",
                        "'gisteren' is not a time; use RFC 3339 like 2026-11-27T14:20:00+01:00 or "
                        "a local time like 2026-11-27T14:20"),
            "Geen tijdstip: gebruik bv. 2026-11-27T14:20.");
  EXPECT_EQ(field_error("nl", "2030-01-01 10:00 is in the future (now 2026-12-01 10:00)"),
            "Ligt in de toekomst.");
  EXPECT_EQ(field_error("en", "is a Windows executable, which is not accepted; accepted are PDF"),
            "This kind of file is not accepted, or its content does not match its type.");
  EXPECT_EQ(field_error("nl", "1900 is outside the supported years, 1970 to 2100 (or 0 for every "
                              "year)"),
            "Geen jaar tussen 1970 en 2100.");
  EXPECT_EQ(field_error("nl", "unknown party 'nope' (known: herent, kortenberg)"),
            "Geen gekende partij.");
  // Not the CLI's terms ("record --asked-at first") on a web page.
  EXPECT_EQ(field_error("nl", "no information was asked yet; record first when it was asked"),
            "Registreer eerst wanneer bijkomende informatie werd gevraagd.");
  EXPECT_EQ(field_error("nl", "'RT-1' is already incidents/3 of herent"),
            "Al in gebruik voor een ander dossier van deze partij.");
  EXPECT_EQ(field_error("nl",
                        "the month from the receipt of requests/1 ended at 2026-12-28 24:00 "
                        "CET; GDPR art. 12(3): an extension must be decided and told to the "
                        "subject within it"),
            "De maand na de ontvangst is verstreken: een verlenging moet binnen die maand beslist "
            "en aan de betrokkene meegedeeld worden (AVG art. 12(3)).");
  EXPECT_EQ(field_error("en", "'x' is not one; an obligation may be waived only on one of these "
                              "grounds: a = ..."),
            "Choose one of the grounds.");
  EXPECT_EQ(field_error("nl", "only for a staff departure"),
            "Enkel bij het vertrek van een personeelslid.");
  EXPECT_EQ(field_error("nl", "must be one line"), "Moet op één regel staan, zonder tabs.");
  EXPECT_EQ(field_error("nl", "must not contain U+202E (a direction control)"),
            "Bevat een teken dat de schrijfrichting omkeert.");
  EXPECT_EQ(field_error("en", "'..' is not a file name"), "Not a file name.");
}

TEST(FieldError, RefusalsByStateAreSaidInDutch) {
  // What a use case refuses because a record or duty moved on (a double submit, the other party
  // first): before, the Dutch page said only the kind, with the English reason.
  EXPECT_EQ(field_error("nl",
                        "obligations/4 is already met; only open obligations can be fulfilled or "
                        "waived"),
            "Deze verplichting is al afgesloten (nageleefd of ervan afgezien).");
  EXPECT_EQ(field_error("nl",
                        "requests/2 is a authority-message and has no answer to the data "
                        "subject (GDPR art. 12(3)) to extend"),
            "Een bericht van de toezichthoudende autoriteit heeft geen antwoordtermijn tegenover "
            "een betrokkene.");
  EXPECT_EQ(field_error("en",
                        "incidents/1 has no open consultation "
                        "(protocol.breach_consultation) between herent and kortenberg"),
            "No consultation on this incident is open any more; the other party may have "
            "recorded it already.");
}

TEST(FieldError, ATimeTheClocksSkipOrRepeatSaysWhatToWrite) {
  // Before: "geef een tijdsverschil", without the readings the use case gave.
  EXPECT_EQ(field_error("nl",
                        "'2026-10-25T02:30' is ambiguous in Europe/Brussels (that hour occurs "
                        "twice); give an offset: 2026-10-25T02:30:00+02:00 or "
                        "2026-10-25T02:30:00+01:00"),
            "Komt twee keer voor in deze tijdzone (dat uur wordt herhaald); vermeld het verschil "
            "met UTC: 2026-10-25T02:30:00+02:00 of 2026-10-25T02:30:00+01:00.");
  EXPECT_EQ(field_error("en",
                        "'2026-03-29T02:30' does not exist in Europe/Brussels (the clocks skip "
                        "that hour); give an offset, e.g. 2026-03-29T03:30:00+02:00"),
            "Does not exist in this time zone (the clocks skip that hour); add the offset from "
            "UTC, e.g. 2026-03-29T03:30:00+02:00.");
}

TEST(FieldError, NamesWhatTheReasonLists) {
  // A refusal by state names the open obligations in the user's language.
  EXPECT_EQ(field_error("nl",
                        "incidents/1 has open obligations: obligations/3, obligations/4; fulfil "
                        "or waive them first"),
            "Er staan nog verplichtingen open: obligations/3, obligations/4. Registreer ze als "
            "nageleefd of zie ervan af.");
  EXPECT_EQ(field_error("en", "incidents/1 has open obligations: obligations/3"),
            "Obligations are still open: obligations/3. Mark them as met or waive them first.");
}

TEST(FieldError, KeepsWhatItCannotTranslate) {
  const std::string reason = "requests/1 is in a state this version has no words for";
  EXPECT_EQ(field_error("nl", reason), reason);
  // A word the patterns look for, in the middle of the reason, is not a match.
  EXPECT_EQ(field_error("en", "the copy is required by law"), "the copy is required by law");
}

TEST(Refusals, EveryKindHasItsLabelInEveryLanguage) {
  // A refusal that concerns no field is translated by its kind, not by its English text.
  EXPECT_EQ(label("nl", refusal_key(absl::StatusCode::kNotFound)),
            "Dit bestaat niet, of uw partij heeft er geen toegang toe.");
  EXPECT_EQ(label("en", refusal_key(absl::StatusCode::kPermissionDenied)),
            "Your role does not allow this.");
  for (int code = 1; code <= 16; ++code) {
    const std::string key = refusal_key(static_cast<absl::StatusCode>(code));
    EXPECT_TRUE(labels("nl").count(key)) << key;
  }
}

TEST(Labels, EveryLanguageHasEveryLabel) {
  for (const auto& [key, _] : labels("nl")) EXPECT_TRUE(labels("en").count(key)) << key;
  EXPECT_EQ(labels("nl").size(), labels("en").size());
}

}  // namespace
}  // namespace termijn::web
