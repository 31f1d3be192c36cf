#pragma once

#include <string>

namespace termijn::testing {

/// A fresh, migrated database on the test cluster named by TERMIJN_TEST_DATABASE_URL, dropped
/// again on destruction. Without that variable the test fails: it never skips.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// Connection URL of the fresh database, as its owner (role termijn).
  const std::string& url() const { return url_; }
  /// The same database as the service's role (termijn_app, member of termijn_service).
  std::string app_url() const { return url_ + "&user=termijn_app"; }
  const std::string& name() const { return name_; }

  /// Runs `sql` and returns the first column of the first row as text ("" if no row).
  std::string scalar(const std::string& sql) const;

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// TERMIJN_TEST_DATABASE_URL, or a failed test explaining how to run the suite.
std::string test_cluster_url();

}  // namespace termijn::testing
