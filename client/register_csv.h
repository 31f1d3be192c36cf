#pragma once

#include <string>
#include <vector>

#include "termijn/v1/termijn.pb.h"

namespace termijn::cli {

/// The register's layout as CSV (`termijn register ... -o csv` and the web console's export):
/// one place says which columns a register has and how an entry fills them.

/// The rule of a request's answer (GDPR art. 12(3)).
extern const char* const kAnswerRule;

/// To whom an obligation is owed: "kortenberg dpo", "authority", "data-subject".
std::string recipient_of(const v1::Obligation& o);

/// The duty of `rule` among `duties`; nullptr when there is none.
const v1::RegisterDuty* duty_of(const google::protobuf::RepeatedPtrField<v1::RegisterDuty>& duties,
                                const std::string& rule);

/// The header of the breach register and the row of one entry, times in the party's zone.
extern const std::vector<std::string> kIncidentColumns;
std::vector<std::string> incident_row(const v1::IncidentRegisterEntry& e);

/// The header of the register of requests and the row of one entry.
extern const std::vector<std::string> kRequestColumns;
std::vector<std::string> request_row(const v1::RequestRegisterEntry& e);

}  // namespace termijn::cli
