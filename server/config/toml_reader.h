#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace termijn::config {

/// Reads a TOML file strictly. A value of another type than its key's is refused, never replaced
/// by the key's default (`auto_send = "false"` would otherwise mean true), and every key asked
/// for is noted, so that refuse_unknown() refuses a key nobody asked for (a misspelling such as
/// `auto_sned`) rather than ignoring it. Errors are std::runtime_error "ORIGIN: KEY what".
class TomlReader {
 public:
  class Table;

  TomlReader(const toml::table& root, std::string origin);

  Table root() const;

  [[noreturn]] void fail(const std::string& what) const;

  /// Throws naming the first key of the file that nothing asked for, and the keys its table has.
  void refuse_unknown() const;

 private:
  void note(const std::string& table, std::string_view key) const;
  void refuse_unknown(const toml::table& table, const std::string& path) const;

  const toml::table& root_;
  std::string origin_;
  mutable std::map<std::string, std::set<std::string, std::less<>>, std::less<>> asked_;
};

/// One table of the file, or an absent one, which reads as empty.
class TomlReader::Table {
 public:
  /// The full name of `key` here, as messages write it: mail.from, party[0].dpo.email,
  /// rules."gdpr.art33_authority".auto_send.
  std::string name(std::string_view key) const;
  const std::string& path() const { return path_; }
  bool contains(std::string_view key) const;
  [[noreturn]] void fail(const std::string& what) const { reader_->fail(what); }

  std::optional<std::string> string(std::string_view key) const;
  std::string string_or(std::string_view key, std::string fallback) const;
  /// Present and not empty.
  std::string required_string(std::string_view key) const;
  /// A whole number from `min` to `max`.
  int64_t integer_or(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  bool boolean_or(std::string_view key, bool fallback) const;
  std::optional<toml::date> date(std::string_view key) const;
  /// A list of strings, each not empty; absent: none.
  std::vector<std::string> strings(std::string_view key) const;

  Table table(std::string_view key) const;
  /// An array of tables ([[key]] or [{...}, ...]); absent: none.
  std::vector<Table> tables(std::string_view key) const;
  /// Every key of this table with its value, which must be a table ([rules."<id>"]).
  std::vector<std::pair<std::string, Table>> subtables() const;

 private:
  friend class TomlReader;
  Table(const TomlReader* reader, const toml::table* table, std::string path)
      : reader_(reader), table_(table), path_(std::move(path)) {}
  const toml::node* get(std::string_view key) const;

  const TomlReader* reader_;
  const toml::table* table_;  // null: absent
  std::string path_;
};

}  // namespace termijn::config
