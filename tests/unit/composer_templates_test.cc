// The templates the notice composer renders besides the notices are checked at start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "server/jobs/notice_composer.h"
#include "server/notify/templates.h"
#include "tests/support/temp_dir.h"

namespace termijn::jobs {
namespace {

// A templates_dir without the reminders (a copy of the shipped one, made by hand and missing
// them) is refused at start, naming the file. Before: only the notices' templates were checked,
// and every reminder and overdue warning failed for good, unseen.
TEST(ComposerTemplatesTest, AFolderWithoutTheRemindersIsRefused) {
  const auto shipped = notify::TemplateSet::load(TERMIJN_TEMPLATES_DIR);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_TRUE(check_composer_templates(*shipped).ok());

  const testing::ScopedTempDir dir("termijn-templates");
  for (const auto& entry : std::filesystem::directory_iterator(TERMIJN_TEMPLATES_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("reminder.", 0) == 0) continue;
    std::filesystem::copy_file(entry.path(), dir.file(name));
  }
  const auto without = notify::TemplateSet::load(dir.path());
  ASSERT_TRUE(without.ok()) << without.status();
  const absl::Status checked = check_composer_templates(*without);
  EXPECT_EQ(checked.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(checked.message()), ::testing::HasSubstr("reminder.en.txt"));
}

}  // namespace
}  // namespace termijn::jobs
