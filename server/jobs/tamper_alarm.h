#pragma once

#include <map>
#include <mutex>
#include <string>

#include "server/app/directory.h"
#include "server/jobs/notice_composer.h"
#include "server/notify/mailer.h"

namespace termijn::jobs {

/// Tells every party's DPO that the audit trail no longer extends its last signed checkpoint.
/// The mail goes straight through the mailer, not through the outbox: the database is what can
/// no longer be trusted, and whoever altered it could delete a queued alert too. Each DPO hears
/// of one finding (its reason) once in the life of the process; a mail that fails is tried again
/// when the finding is raised again.
class TamperAlarm {
 public:
  TamperAlarm(const NoticeComposer& composer, notify::Mailer& mailer,
              const app::Directory& directory)
      : composer_(composer), mailer_(mailer), directory_(directory) {}

  /// Mails `reason` to each party's DPO not yet told of it; returns how many were told now.
  int raise(const std::string& reason);

 private:
  const NoticeComposer& composer_;
  notify::Mailer& mailer_;
  const app::Directory& directory_;
  std::mutex mutex_;
  std::map<std::string, std::string> told_;  ///< party id → the reason it was told
};

}  // namespace termijn::jobs
