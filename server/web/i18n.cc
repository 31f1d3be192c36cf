#include "server/web/i18n.h"

#include <utility>
#include <vector>

namespace termijn::web {

namespace {

struct Entry {
  const char* key;
  const char* nl;
  const char* en;
};

// One table, so that a label missing in one language is seen next to the other.
const std::vector<Entry>& entries() {
  static const std::vector<Entry> kEntries{
      {"skip", "Naar de inhoud", "Skip to content"},
      {"deadlines", "Termijnen", "Deadlines"},
      {"report_incident", "Incident melden", "Report incident"},
      {"log_request", "Verzoek registreren", "Log request"},
      {"compliance", "Naleving", "Compliance"},
      {"acting_as", "Aangemeld als", "Signed in as"},
      {"language", "Taal", "Language"},
      {"open_deadlines", "Openstaande termijnen", "Open deadlines"},
      {"filter", "Filteren", "Filter"},
      {"rule", "Regel", "Rule"},
      {"party", "Partij", "Party"},
      {"state", "Status", "State"},
      {"all", "Alle", "All"},
      {"state_open", "open", "open"},
      {"state_met", "nageleefd", "met"},
      {"state_met-late", "te laat nageleefd", "met late"},
      {"state_waived", "afgezien", "waived"},
      {"open_only", "Enkel open", "Open only"},
      {"with_closed", "Ook afgesloten", "Closed too"},
      {"subject", "Onderwerp", "Subject"},
      {"recipient", "Ontvanger", "Recipient"},
      {"due", "Termijn", "Due"},
      {"countdown", "Resterend", "Time left"},
      {"legal_limit", "Wettelijke grens", "Legal limit"},
      {"next_reminder", "Volgende herinnering", "Next reminder"},
      {"notice", "Kennisgeving", "Notice"},
      {"none", "geen", "none"},
      {"no_deadlines", "Geen openstaande termijnen.", "No open deadlines."},
      {"overdue", "te laat", "overdue"},
      {"urgent", "< 24 u", "< 24 h"},
      {"closing", "< 25 % over", "< 25 % left"},
      {"left", "nog {t}", "{t} left"},
      {"late_by", "{t} te laat", "{t} late"},
      {"urgency", "Urgentie", "Urgency"},
      {"refreshes", "Deze pagina ververst zichzelf elke minuut.",
       "This page refreshes itself every minute."},
      {"incident", "Incident", "Incident"},
      {"request", "Verzoek", "Request"},
      {"obligation", "Verplichting", "Obligation"},
      {"facts", "Feiten", "Facts"},
      {"title", "Titel", "Title"},
      {"description", "Beschrijving", "Description"},
      {"aware_time", "Kennisname", "Became aware"},
      {"occurred_time", "Voorgevallen", "Occurred"},
      {"categories", "Categorieën van gegevens", "Data categories"},
      {"subject_groups", "Betrokkenen", "Data subjects"},
      {"subject_count", "Geschat aantal betrokkenen", "Estimated number of subjects"},
      {"risk", "Risico", "Risk"},
      {"reported_by", "Gemeld door", "Reported by"},
      {"logged_by", "Geregistreerd door", "Logged by"},
      {"external_ref", "Ticketreferentie", "Ticket reference"},
      {"closed", "Afgesloten", "Closed"},
      {"obligations", "Verplichtingen", "Obligations"},
      {"explanation", "Berekening", "How it was computed"},
      {"evidence", "Bewijs", "Evidence"},
      {"reason", "Reden", "Reason"},
      {"ground", "Grond (AVG art. 34(3))", "Ground (GDPR art. 34(3))"},
      {"fulfil", "Nageleefd", "Fulfil"},
      {"waive", "Afzien", "Waive"},
      {"notices", "Kennisgevingen en ontvangstbevestigingen", "Notices and acknowledgements"},
      {"sent", "Verzonden", "Sent"},
      {"acknowledged", "Ontvangst bevestigd", "Acknowledged"},
      {"acknowledge", "Ontvangst bevestigen", "Acknowledge receipt"},
      {"not_yet", "nog niet", "not yet"},
      {"history", "Geschiedenis (audittrail)", "History (audit trail)"},
      {"time", "Tijd", "Time"},
      {"actor", "Door", "By"},
      {"action", "Actie", "Action"},
      {"kind", "Soort", "Kind"},
      {"receive_time", "Ontvangen", "Received"},
      {"summary", "Samenvatting", "Summary"},
      {"copy", "Kopie van het origineel", "Copy of the original"},
      {"copy_hint", "PDF, afbeelding, tekst of kantoordocument; ten hoogste {max}.",
       "PDF, image, text or office document; at most {max}."},
      {"time_hint", "Lokale tijd in {zone}; leeg: nu.", "Local time in {zone}; empty: now."},
      {"submit_incident", "Incident melden", "Report incident"},
      {"submit_request", "Verzoek registreren", "Log request"},
      {"form_errors", "Het formulier bevat fouten; niets werd bewaard.",
       "The form has errors; nothing was stored."},
      {"required", "Verplicht.", "Required."},
      {"not_a_number", "Geen geheel getal.", "Not a whole number."},
      {"too_large", "Te groot: ten hoogste {max}.", "Too large: at most {max}."},
      {"forbidden", "Niet toegestaan", "Not allowed"},
      {"not_found", "Niet gevonden", "Not found"},
      {"error", "Fout", "Error"},
      {"back", "Terug naar de termijnen", "Back to the deadlines"},
      {"on_time_rate", "Tijdig nageleefd per regel en maand", "On time per rule and month"},
      {"awareness_to_notice", "Van kennisname tot kennisgeving (uren)",
       "From awareness to notice (hours)"},
      {"no_data", "Nog geen gegevens.", "No data yet."},
      {"month", "Maand", "Month"},
      {"hours", "uren", "hours"},
      {"on_time", "tijdig", "on time"},
      {"cat_identification", "identificatie", "identification"},
      {"cat_contact", "contact", "contact"},
      {"cat_financial", "financieel", "financial"},
      {"cat_planning", "planning", "planning"},
      {"cat_medical", "medisch (AVG art. 9)", "medical (GDPR art. 9)"},
      {"cat_criminal", "strafrechtelijk (AVG art. 10)", "criminal records (GDPR art. 10)"},
      {"grp_staff", "personeel", "staff"},
      {"grp_clients", "cliënten", "clients"},
      {"grp_representatives", "wettelijke vertegenwoordigers", "legal representatives"},
      {"risk_unknown", "nog niet ingeschat", "not assessed yet"},
      {"risk_none", "geen", "none"},
      {"risk_risk", "risico", "risk"},
      {"risk_high", "hoog", "high"},
      {"kind_access", "inzage", "access"},
      {"kind_rectification", "verbetering", "rectification"},
      {"kind_erasure", "wissing", "erasure"},
      {"kind_restriction", "beperking", "restriction"},
      {"kind_portability", "overdraagbaarheid", "portability"},
      {"kind_objection", "bezwaar", "objection"},
      {"kind_automated-decision", "geautomatiseerd besluit", "automated decision"},
      {"kind_authority-message", "bericht van de toezichthouder", "supervisory-authority message"},
      {"to_party-dpo", "DPO van", "DPO of"},
      {"to_authority", "toezichthoudende autoriteit", "supervisory authority"},
      {"to_data-subject", "betrokkene(n)", "data subject(s)"},
      {"choose", "Kies…", "Choose…"},
      {"close_record", "Afsluiten", "Close"},
      {"other_party_event", "(gebeurtenis van een andere partij)", "(another party's event)"},
      {"assess", "Beoordeling bijwerken", "Update the assessment"},
      {"consequences", "Waarschijnlijke gevolgen (AVG art. 33(3)(c))",
       "Likely consequences (GDPR art. 33(3)(c))"},
      {"measures", "Genomen of voorgestelde maatregelen (AVG art. 33(3)(d))",
       "Measures taken or proposed (GDPR art. 33(3)(d))"},
      {"notice_held", "wacht op nazicht", "held for review"},
      {"notice_pending", "in verzending", "being sent"},
      {"notice_sent", "verzonden", "sent"},
      {"notice_failed", "mislukt", "failed"},
      {"notice_cancelled", "geannuleerd", "cancelled"},
      {"closing_summary", "Samenvatting bij het afsluiten", "Closing summary"},
  };
  return kEntries;
}

std::map<std::string, std::string> build(bool dutch) {
  std::map<std::string, std::string> m;
  for (const Entry& e : entries()) m.emplace(e.key, dutch ? e.nl : e.en);
  return m;
}

}  // namespace

bool is_language(std::string_view lang) { return lang == "nl" || lang == "en"; }

const std::map<std::string, std::string>& labels(std::string_view lang) {
  static const std::map<std::string, std::string> kNl = build(true), kEn = build(false);
  return lang == "en" ? kEn : kNl;
}

std::string label(std::string_view lang, const std::string& key) {
  const auto& m = labels(lang);
  const auto it = m.find(key);
  return it == m.end() ? key : it->second;
}

}  // namespace termijn::web
