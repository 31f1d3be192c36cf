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
      {"state_waived", "ervan afgezien", "waived"},
      {"open_only", "Enkel open", "Open only"},
      {"with_closed", "Ook afgesloten", "Closed too"},
      {"subject", "Onderwerp", "Subject"},
      {"recipient", "Ontvanger", "Recipient"},
      {"due", "Termijn", "Due"},
      {"countdown", "Resterend", "Time left"},
      {"legal_limit", "Wettelijke grens", "Legal limit"},
      {"no_legal_limit", "geen vaste termijn (beleidsdoel)", "no fixed limit (policy target)"},
      {"next_reminder", "Volgende herinnering of escalatie", "Next reminder or escalation"},
      {"all_parties", "Alle partijen", "All parties"},
      {"notice", "Kennisgeving", "Notice"},
      {"none", "geen", "none"},
      {"no_deadlines", "Geen openstaande termijnen.", "No open deadlines."},
      {"all_deadlines", "Alle termijnen", "All deadlines"},
      {"no_deadlines_at_all", "Geen termijnen.", "No deadlines."},
      {"more_deadlines", "Er zijn er meer: volgende pagina", "There are more: next page"},
      {"overdue", "te laat", "overdue"},
      {"urgent", "< 24 u", "< 24 h"},
      {"closing", "< 25 % over", "< 25 % left"},
      {"left", "nog {t}", "{t} left"},
      {"late_by", "{t} te laat", "{t} late"},
      {"hour_unit", "u", "h"},
      {"urgency", "Urgentie", "Urgency"},
      {"refreshes",
       "Deze pagina ververst zichzelf elke minuut, behalve terwijl u een filter kiest.",
       "This page refreshes itself every minute, except while you are choosing a filter."},
      {"incident", "Incident", "Incident"},
      {"request", "Verzoek", "Request"},
      {"obligation", "Verplichting", "Obligation"},
      {"facts", "Feiten", "Facts"},
      {"title", "Titel", "Title"},
      {"description", "Beschrijving", "Description"},
      {"aware_time", "Kennisname", "Became aware"},
      {"occurred_time", "Voorgevallen", "Occurred"},
      {"categories", "Categorieën van persoonsgegevens", "Categories of personal data"},
      {"subject_groups", "Categorieën van betrokkenen", "Categories of data subjects"},
      {"subject_count", "Geschat aantal betrokkenen", "Estimated number of data subjects"},
      {"risk", "Risico", "Risk"},
      {"reported_by", "Gemeld door", "Reported by"},
      {"logged_by", "Geregistreerd door", "Logged by"},
      {"external_ref", "Ticketreferentie", "Ticket reference"},
      {"closed_at", "Afgesloten op", "Closed on"},
      {"unknown", "onbekend", "unknown"},
      {"obligations", "Verplichtingen", "Obligations"},
      {"explanation", "Berekening", "How it was computed"},
      {"evidence", "Bewijs", "Evidence"},
      {"reason", "Reden", "Reason"},
      {"ground", "Grond (AVG art. 34(3))", "Ground (GDPR art. 34(3))"},
      {"ground_gdpr.art34_subjects_a",
       "a) passende technische en organisatorische beschermingsmaatregelen (zoals versleuteling) "
       "werden toegepast op de betrokken gegevens",
       "a) appropriate technical and organisational protection measures (such as encryption) "
       "were applied to the data affected"},
      {"ground_gdpr.art34_subjects_b",
       "b) latere maatregelen zorgen ervoor dat het hoge risico zich waarschijnlijk niet meer zal "
       "voordoen",
       "b) subsequent measures ensure that the high risk is no longer likely to materialise"},
      {"ground_gdpr.art34_subjects_c",
       "c) de mededeling zou onevenredige inspanningen vergen; een openbare mededeling informeert "
       "de betrokkenen even doeltreffend",
       "c) it would involve disproportionate effort; a public communication informs the data "
       "subjects as effectively instead"},
      {"fulfil", "Als nageleefd registreren", "Mark as met"},
      {"waive", "Van deze verplichting afzien", "Waive this obligation"},
      {"notices", "Kennisgevingen en ontvangstbevestigingen", "Notices and acknowledgements"},
      {"sent", "Verzonden", "Sent"},
      {"acknowledged", "Ontvangst bevestigd", "Acknowledged"},
      {"acknowledge", "Ontvangst bevestigen", "Acknowledge receipt"},
      {"not_yet", "nog niet", "not yet"},
      {"history", "Geschiedenis (audittrail)", "History (audit trail)"},
      {"time", "Tijd", "Time"},
      {"actor", "Door", "By"},
      {"action", "Actie", "Action"},
      {"actor_system", "systeem", "system"},
      // What an entry of the audit trail records, by its event type (domain::event_type).
      {"event_incident.reported", "Incident gemeld", "Incident reported"},
      {"event_incident.updated", "Incident bijgewerkt", "Incident updated"},
      {"event_incident.consulted", "Overleg vastgelegd", "Consultation recorded"},
      {"event_incident.closed", "Incident afgesloten", "Incident closed"},
      {"event_request.logged", "Verzoek geregistreerd", "Request logged"},
      {"event_request.extended", "Antwoordtermijn verlengd", "Answer period extended"},
      {"event_request.identification_asked", "Identificatie gevraagd", "Identification asked"},
      {"event_request.identified", "Betrokkene geïdentificeerd", "Data subject identified"},
      {"event_request.refused", "Verzoek geweigerd", "Request refused"},
      {"event_request.closed", "Verzoek afgesloten", "Request closed"},
      {"event_matter.reported", "Aangelegenheid gemeld", "Matter reported"},
      {"event_matter.closed", "Aangelegenheid afgesloten", "Matter closed"},
      {"event_obligation.created", "Verplichting aangemaakt", "Obligation created"},
      {"event_obligation.fulfilled", "Verplichting nageleefd", "Obligation met"},
      {"event_obligation.waived", "Van verplichting afgezien", "Obligation waived"},
      {"event_obligation.moved", "Termijn verschoven", "Deadline moved"},
      {"event_obligation.overdue", "Termijn verstreken: escalatie klaargezet",
       "Deadline passed: escalation queued"},
      {"event_reminder.sent", "Herinnering klaargezet", "Reminder queued"},
      {"event_reminder.skipped", "Herinnering overgeslagen", "Reminder skipped"},
      {"event_notification.queued", "Bericht klaargezet", "Message queued"},
      {"event_notification.released", "Bericht vrijgegeven", "Message released"},
      {"event_notification.sent", "Bericht verzonden", "Message sent"},
      {"event_notification.retry", "Verzending mislukt, nieuwe poging gepland",
       "Sending failed, to be tried again"},
      {"event_notification.failed", "Verzending mislukt", "Sending failed"},
      {"event_notification.cancelled", "Bericht geannuleerd", "Message cancelled"},
      {"event_notification.acknowledged", "Ontvangst bevestigd", "Receipt acknowledged"},
      {"event_audit.checkpoint", "Controlepunt van de audittrail", "Audit trail checkpoint"},
      {"rule_id", "Code van de regel (voor de CLI en de API)",
       "Rule code (for the CLI and the API)"},
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
      {"awareness_to_notice",
       "Gemiddelde tijd van kennisname tot melding aan de andere partijen (art. 13 protocol)",
       "Average time from awareness to the notice to the other parties (protocol art. 13)"},
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
      {"risk_none", "geen risico", "no risk"},
      {"risk_risk", "risico", "risk"},
      {"risk_high", "hoog risico", "high risk"},
      {"kind_access", "inzage", "access"},
      {"kind_rectification", "rectificatie", "rectification"},
      {"kind_erasure", "wissing", "erasure"},
      {"kind_restriction", "beperking", "restriction"},
      {"kind_portability", "overdraagbaarheid", "portability"},
      {"kind_objection", "bezwaar", "objection"},
      {"kind_automated-decision", "geautomatiseerde besluitvorming", "automated decision-making"},
      {"kind_authority-message", "bericht van de toezichthoudende autoriteit",
       "message from the supervisory authority"},
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
      {"registers", "Registers", "Registers"},
      {"breach_register", "Register van inbreuken (AVG art. 33(5))",
       "Breach register (GDPR art. 33(5))"},
      {"request_register", "Register van verzoeken", "Register of requests"},
      {"year", "Jaar", "Year"},
      {"every_year", "leeg: alle jaren", "empty: every year"},
      {"show", "Tonen", "Show"},
      {"export_csv", "Exporteren als CSV", "Export as CSV"},
      {"no_records", "Geen gegevens in dit register.", "No records in this register."},
      {"art33", "Melding aan de toezichthoudende autoriteit (art. 33 AVG)",
       "Notification to the supervisory authority (GDPR art. 33)"},
      {"art34", "Mededeling aan de betrokkenen (art. 34 AVG)",
       "Communication to the data subjects (GDPR art. 34)"},
      {"answer", "Antwoord", "Answer"},
      {"answer_due", "Antwoord uiterlijk", "Answer due"},
      {"tl_unspecified", "-", "-"},
      {"tl_on-time", "tijdig", "on time"},
      {"tl_late", "te laat nageleefd", "met late"},
      {"tl_beyond-legal-limit", "nageleefd na de wettelijke grens", "met beyond the legal limit"},
      {"tl_open", "open", "open"},
      {"tl_overdue", "nog open, te laat", "open, overdue"},
      {"tl_overdue-beyond-legal-limit", "nog open, wettelijke grens verstreken",
       "open, legal limit passed"},
      {"tl_waived", "ervan afgezien", "waived"},
      {"record_open", "open", "open"},
      {"record_closed", "afgesloten", "closed"},
      {"extend", "Termijn verlengen (AVG art. 12(3))", "Extend the deadline (GDPR art. 12(3))"},
      {"months", "Met hoeveel maanden", "By how many months"},
      {"month_1", "1 maand", "1 month"},
      {"month_2", "2 maanden", "2 months"},
      {"extension_reason", "Reden (wordt aan de betrokkene meegedeeld)",
       "Reason (told to the data subject)"},
      {"extended", "Verlengd", "Extended"},
      {"err_too_long", "Te lang: ten hoogste {n} bytes.", "Too long: at most {n} bytes."},
      {"err_not_utf8", "Geen geldige UTF-8-tekst.", "Not valid UTF-8 text."},
      {"err_control_character", "Bevat een stuurteken.", "Contains a control character."},
      {"err_one_line", "Moet op één regel staan, zonder tabs.", "Must be one line, without tabs."},
      {"err_direction_control", "Bevat een teken dat de schrijfrichting omkeert.",
       "Contains a character that changes the direction of the text."},
      {"err_not_a_file_name", "Geen bestandsnaam.", "Not a file name."},
      {"err_after_aware", "Ligt na het tijdstip van kennisname.",
       "Lies after the time of awareness."},
      {"err_between", "Moet tussen 0 en {n} liggen.", "Must lie between 0 and {n}."},
      {"err_negative", "Mag niet negatief zijn.", "Must not be negative."},
      {"err_months", "Kies 1 of 2 maanden (AVG art. 12(3)).",
       "Choose 1 or 2 months (GDPR art. 12(3))."},
      {"err_not_a_time", "Geen tijdstip: gebruik bv. 2026-11-27T14:20.",
       "Not a time: use e.g. 2026-11-27T14:20."},
      {"err_future", "Ligt in de toekomst.", "Lies in the future."},
      {"err_time_range", "Buiten de ondersteunde periode.", "Outside the supported period."},
      {"err_time_gap",
       "Bestaat niet in deze tijdzone (de klok springt dat uur over); vermeld het verschil met "
       "UTC, bv. {rest}.",
       "Does not exist in this time zone (the clocks skip that hour); add the offset from UTC, "
       "e.g. {rest}."},
      {"err_time_twice",
       "Komt twee keer voor in deze tijdzone (dat uur wordt herhaald); vermeld het verschil met "
       "UTC: {rest}.",
       "Occurs twice in this time zone (that hour repeats); add the offset from UTC: {rest}."},
      {"err_empty_file", "Het bestand is leeg.", "The file is empty."},
      {"err_file_type",
       "Dit soort bestand wordt niet aanvaard, of de inhoud past niet bij het type.",
       "This kind of file is not accepted, or its content does not match its type."},
      {"err_no_path", "De bestandsnaam mag geen pad bevatten.",
       "The file name must not contain a path."},
      {"err_year", "Geen jaar tussen 1970 en 2100.", "Not a year between 1970 and 2100."},
      {"err_open_obligations",
       "Er staan nog verplichtingen open: {list}. Registreer ze als nageleefd of zie ervan af.",
       "Obligations are still open: {list}. Mark them as met or waive them first."},
      {"err_closed_already", "Dit dossier werd al afgesloten.", "This record was closed already."},
      {"err_record_closed", "Dit dossier is afgesloten en verandert niet meer.",
       "This record is closed and no longer changes."},
      {"err_obligation_closed", "Deze verplichting is al afgesloten (nageleefd of ervan afgezien).",
       "This obligation is closed already (met or waived)."},
      {"err_extended_already",
       "Dit verzoek werd al verlengd; art. 12, lid 3 AVG laat één verlenging toe.",
       "This request was extended already; GDPR art. 12(3) allows one extension."},
      {"err_answer_closed",
       "Het antwoord aan de betrokkene is al afgehandeld; dit kan enkel zolang het openstaat.",
       "The answer to the data subject is closed already; this is only possible while it is "
       "open."},
      {"err_no_answer",
       "Een bericht van de toezichthoudende autoriteit heeft geen antwoordtermijn tegenover een "
       "betrokkene.",
       "A message from the supervisory authority has no answer period towards a data subject."},
      {"err_asked_already",
       "Bijkomende informatie werd al gevraagd; registreer nu wanneer ze ontvangen werd.",
       "More information was requested already; now record when it came."},
      {"err_came_already", "De bijkomende informatie werd al ontvangen.",
       "The additional information came already."},
      {"err_no_consultation",
       "Er staat over dit incident geen overleg meer open; misschien legde de andere partij het "
       "al vast.",
       "No consultation on this incident is open any more; the other party may have recorded it "
       "already."},
      {"err_not_sendable",
       "Deze kennisgeving is al in verzending of verzonden; enkel een kennisgeving die wacht op "
       "nazicht of mislukte, kan verzonden worden.",
       "This notice is being sent or was sent; only a notice held for review or failed can be "
       "sent."},
      {"err_not_sent_yet",
       "Deze kennisgeving is nog niet verzonden; enkel een verzonden "
       "kennisgeving kan bevestigd worden.",
       "This notice was not sent yet; only a sent notice can be acknowledged."},
      {"err_acknowledged_already", "De ontvangst werd al bevestigd.",
       "Receipt was acknowledged already."},
      {"err_risk_choice", "Kies geen risico, risico of hoog risico.",
       "Choose no risk, risk or high risk."},
      {"err_before_awareness", "Ligt vóór de kennisname van de inbreuk.",
       "Lies before the awareness of the breach."},
      {"err_before_receipt", "Ligt vóór de ontvangst van het verzoek.",
       "Lies before the receipt of the request."},
      {"err_before_asked", "Ligt vóór het tijdstip waarop de informatie werd gevraagd.",
       "Lies before the information was asked."},
      {"err_not_asked", "Registreer eerst wanneer bijkomende informatie werd gevraagd.",
       "Record first when more information was asked."},
      {"err_ref_taken", "Al in gebruik voor een ander dossier van deze partij.",
       "Already used for another record of this party."},
      {"err_extension_late",
       "De maand na de ontvangst is verstreken: een verlenging moet binnen die maand beslist en "
       "aan de betrokkene meegedeeld worden (AVG art. 12(3)).",
       "The month after the receipt has passed: an extension must be decided and told to the "
       "data subject within it (GDPR art. 12(3))."},
      {"err_unknown_party", "Geen gekende partij.", "Not a known party."},
      {"err_only_departure", "Enkel bij het vertrek van een personeelslid.",
       "Only for a staff member's departure."},
      {"err_not_a_ground", "Kies een van de gronden.", "Choose one of the grounds."},
      {"refusal_unfounded", "kennelijk ongegrond (AVG art. 12(5)(b))",
       "manifestly unfounded (GDPR art. 12(5)(b))"},
      {"refusal_excessive",
       "kennelijk buitensporig, met name vanwege het repetitieve karakter (AVG art. 12(5)(b))",
       "manifestly excessive, in particular because of its repetitive character (GDPR art. "
       "12(5)(b))"},
      {"refusal_unidentified",
       "de betrokkene kan niet geïdentificeerd worden (AVG art. 11(2), 12(2))",
       "the data subject cannot be identified (GDPR art. 11(2), 12(2))"},
      // Refusals that concern no field, by kind (the API's own message follows as detail).
      {"refused_not_found", "Dit bestaat niet, of uw partij heeft er geen toegang toe.",
       "This does not exist, or your party has no access to it."},
      {"refused_forbidden", "Uw rol laat dit niet toe.", "Your role does not allow this."},
      {"refused_unauthenticated",
       "Uw certificaat hoort bij geen gekende gebruiker, of het werd ingetrokken.",
       "Your certificate belongs to no known user, or it was revoked."},
      {"refused_form_token",
       "Het formulier is verlopen of kwam van een andere site: laad de pagina opnieuw en probeer "
       "nog eens.",
       "The form is out of date or came from another site: reload the page and retry."},
      {"refused_precondition", "Dit kan niet in de huidige toestand van het dossier.",
       "This cannot be done in the record's current state."},
      {"refused_invalid", "De invoer werd geweigerd.", "The input was refused."},
      {"refused_conflict", "Iemand anders wijzigde dit tegelijk; probeer opnieuw.",
       "Someone else changed this at the same time; retry."},
      {"refused_unavailable", "De dienst is tijdelijk niet beschikbaar; probeer straks opnieuw.",
       "The service is unavailable for a moment; retry later."},
      {"refused_internal",
       "Er ging iets mis in de dienst; de beheerder vindt de details in het logboek.",
       "Something went wrong in the service; the administrator finds the details in the log."},
      {"refused_no_copy", "Dit verzoek heeft geen kopie.", "This request has no copy."},
      {"detail", "Technische details (Engels)", "Technical details"},
      {"conflict", "Conflict", "Conflict"},
      {"unavailable", "Niet beschikbaar", "Unavailable"},
      // Forms of the lifecycle.
      {"edit_facts", "Gegevens wijzigen", "Change the facts"},
      {"save_facts", "Wijzigingen bewaren", "Save the changes"},
      {"occurred_hint", "Lokale tijd in {zone}; leeg: onbekend.",
       "Local time in {zone}; empty: unknown."},
      {"consult", "Overleg vastleggen (protocol art. 13)",
       "Record the consultation (protocol art. 13)"},
      {"consult_time", "Tijdstip van het overleg", "Time of the consultation"},
      {"consulted_party", "Met welke partij", "With which party"},
      {"every_party", "elke partij waarmee nog overlegd moet worden",
       "every party still to consult"},
      {"participants", "Deelnemers", "Participants"},
      {"agreed", "Afspraken", "What was agreed"},
      {"identification", "Identificatie van de betrokkene (AVG art. 12(6))",
       "Identifying the data subject (GDPR art. 12(6))"},
      {"identification_step", "Wat gebeurde er", "What happened"},
      {"identification_asked", "Bijkomende informatie gevraagd", "More information asked"},
      {"identification_received", "Bijkomende informatie ontvangen", "More information received"},
      {"identification_time", "Tijdstip", "Time"},
      {"record", "Vastleggen", "Record"},
      {"refuse", "Verzoek weigeren (AVG art. 12(5))", "Refuse the request (GDPR art. 12(5))"},
      {"refusal_ground", "Grond", "Ground"},
      {"refusal_reason", "Reden (wordt aan de betrokkene meegedeeld)",
       "Reason (told to the data subject)"},
      {"identification_asked_at", "Informatie gevraagd", "Information asked"},
      {"identification_received_at", "Informatie ontvangen", "Information received"},
      {"review", "Nazien en verzenden", "Review and send"},
      {"notification", "Kennisgeving", "Notice"},
      {"message", "Bericht", "Message"},  // any notification: a notice, a reminder, an alert
      {"mail_from", "Van", "From"},
      {"mail_to", "Aan", "To"},
      {"mail_cc", "Cc", "Cc"},
      {"mail_subject", "Onderwerp", "Subject"},
      {"attachments", "Bijlagen", "Attachments"},
      {"send_now", "Nu verzenden", "Send now"},
      {"matter", "Aangelegenheid", "Matter"},
      {"event_time", "Tijdstip", "Time"},
      {"staff_ref", "Referentie personeelslid", "Staff reference"},
      {"matter_data-quality", "onjuiste of onvolledige gegevens (art. 12 protocol)",
       "wrong or incomplete data (protocol art. 12)"},
      {"matter_law-change", "wijziging van wetgeving (art. 15 protocol)",
       "change in the law (protocol art. 15)"},
      {"matter_processor-change", "wijziging omtrent de verwerkers (art. 7.3 en 15 protocol)",
       "change concerning the processors (protocol art. 7.3 and 15)"},
      {"matter_staff-departure", "vertrek van een personeelslid (art. 9 protocol)",
       "departure of a staff member (protocol art. 9)"},
      {"matter_termination-art10", "eenzijdige beëindiging wegens niet-naleving (art. 10 protocol)",
       "unilateral termination for non-compliance (protocol art. 10)"},
      {"matter_termination-art18", "opzegging (art. 18 protocol)",
       "notice of termination (protocol art. 18)"},
      {"preview", "Termijnen vooraf bekijken", "Preview the deadlines"},
      {"preview_heading", "Deze termijnen zouden starten (niets werd bewaard)",
       "These deadlines would start (nothing was stored)"},
      {"report_matter", "Aangelegenheid melden", "Report a matter"},
      {"staff_ref_hint",
       "Enkel bij het vertrek van een personeelslid: een referentie, nooit een naam.",
       "Only for a staff member's departure: a reference, never a name."},
      {"held_hint", "Deze kennisgeving wacht op uw nazicht: ze vertrekt pas als u ze verzendt.",
       "This notice waits for your review: it goes out only when you send it."},
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

std::string field_error(std::string_view lang, const std::string& reason) {
  // What a use case says after "FIELD: ", by how it starts or what it holds, and the label
  // that says it in the user's language.
  struct Pattern {
    const char* text;
    bool prefix;  ///< the reason starts with `text`; else it holds it
    const char* key;
    const char* rest_after = nullptr;  ///< what the reason says after this fills {rest}
  };
  static const std::vector<Pattern> kPatterns{
      {"required", true, "required"},
      {"not a whole number", true, "not_a_number"},
      {"must not be empty", true, "required"},
      {"longer than ", true, "err_too_long"},
      {"not valid UTF-8", true, "err_not_utf8"},
      {"contains a control character", true, "err_control_character"},
      {"must be one line", true, "err_one_line"},
      {" (a direction control)", false, "err_direction_control"},
      {"' is not a file name", false, "err_not_a_file_name"},
      {"after aware_time", true, "err_after_aware"},
      {"must lie between 0 and ", true, "err_between"},
      {"must not be negative", true, "err_negative"},
      {"must be 1 or 2", true, "err_months"},
      {" is not a time;", false, "err_not_a_time"},
      {" is not a valid date and time", false, "err_not_a_time"},
      {" has an invalid offset", false, "err_not_a_time"},
      {" is in the future", false, "err_future"},
      {" is outside the supported range", false, "err_time_range"},
      {" does not exist in ", false, "err_time_gap", "; give an offset, e.g. "},
      {" is ambiguous in ", false, "err_time_twice", "; give an offset: "},
      {"empty file", true, "err_empty_file"},
      {"; accepted are ", false, "err_file_type"},
      {"declared ", true, "err_file_type"},
      {" is not accepted", false, "err_file_type"},
      {"must not contain a path", true, "err_no_path"},
      {" is outside the supported years", false, "err_year"},
      {" has open obligations: ", false, "err_open_obligations"},
      {"must be none, risk or high", true, "err_risk_choice"},
      {"before the awareness of the breach", true, "err_before_awareness"},
      {"before the receipt of the request", true, "err_before_receipt"},
      {"before the information was asked", true, "err_before_asked"},
      {"no information was asked yet", true, "err_not_asked"},
      {"' is already incidents/", false, "err_ref_taken"},
      {"' is already requests/", false, "err_ref_taken"},
      {"the month from the receipt of ", true, "err_extension_late"},
      {"give exactly one", true, "required"},
      {"only for a staff departure", true, "err_only_departure"},
      {"unknown party ", true, "err_unknown_party"},
      {" is not one; ", false, "err_not_a_ground"},
      // Refusals by state: the record or the duty is no longer in the state the form was for.
      {" was closed already at ", false, "err_closed_already"},
      {" is closed; a closed ", false, "err_record_closed"},
      {"; only open obligations can be fulfilled or waived", false, "err_obligation_closed"},
      {" was extended already, by ", false, "err_extended_already"},
      {"; only an open answer period can be extended", false, "err_answer_closed"},
      {"; only an open answer can be refused", false, "err_answer_closed"},
      {" and has no answer to the data subject", false, "err_no_answer"},
      {"more information was asked already", false, "err_asked_already"},
      {"the information came already", false, "err_came_already"},
      {" has no open consultation (", false, "err_no_consultation"},
      {"; only held or failed notifications can be sent", false, "err_not_sendable"},
      {"; only a sent notification can be acknowledged", false, "err_not_sent_yet"},
      {" was acknowledged already by ", false, "err_acknowledged_already"},
  };
  for (const Pattern& p : kPatterns) {
    const size_t at = reason.find(p.text);
    if (at == std::string::npos || (p.prefix && at != 0)) continue;
    std::string text = label(lang, p.key);
    const size_t from = at + std::string_view(p.text).size();
    // The number the reason gives ("longer than 4000 bytes", "between 0 and 100000000").
    if (const size_t slot = text.find("{n}"); slot != std::string::npos) {
      const size_t to = reason.find_first_not_of("0123456789", from);
      text.replace(slot, 3, reason.substr(from, to == std::string::npos ? to : to - from));
    }
    // The names it lists ("has open obligations: obligations/3, obligations/4; fulfil ...").
    if (const size_t slot = text.find("{list}"); slot != std::string::npos) {
      const size_t to = reason.find(';', from);
      text.replace(slot, 6, reason.substr(from, to == std::string::npos ? to : to - from));
    }
    // The examples it gives ("2026-10-25T02:30:00+02:00 or 2026-10-25T02:30:00+01:00").
    if (const size_t slot = text.find("{rest}"); slot != std::string::npos && p.rest_after) {
      const size_t after = reason.find(p.rest_after);
      std::string rest = after == std::string::npos
                             ? std::string()
                             : reason.substr(after + std::string_view(p.rest_after).size());
      if (const size_t o = rest.find(" or "); o != std::string::npos && lang == "nl") {
        rest.replace(o, 4, " of ");
      }
      text.replace(slot, 6, rest);
    }
    return text;
  }
  return reason;
}

std::string refusal_key(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound:
      return "refused_not_found";
    case absl::StatusCode::kPermissionDenied:
      return "refused_forbidden";
    case absl::StatusCode::kUnauthenticated:
      return "refused_unauthenticated";
    case absl::StatusCode::kFailedPrecondition:
      return "refused_precondition";
    case absl::StatusCode::kInvalidArgument:
      return "refused_invalid";
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return "refused_conflict";
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
      return "refused_unavailable";
    default:
      return "refused_internal";
  }
}

std::string label(std::string_view lang, const std::string& key) {
  const auto& m = labels(lang);
  const auto it = m.find(key);
  return it == m.end() ? key : it->second;
}

std::string event_label(std::string_view lang, const std::string& event_type) {
  const auto& m = labels(lang);
  const auto it = m.find("event_" + event_type);
  return it == m.end() ? event_type : it->second;
}

}  // namespace termijn::web
