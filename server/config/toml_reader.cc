#include "server/config/toml_reader.h"

#include <stdexcept>

namespace termijn::config {

namespace {

// `path.key`, the key quoted unless it is a bare TOML key: rules."gdpr.art33_authority".
std::string joined(const std::string& path, std::string_view key) {
  const bool bare = !key.empty() && key.find_first_not_of(
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-") == std::string_view::npos;
  std::string name = bare ? std::string(key) : "\"" + std::string(key) + "\"";
  return path.empty() ? name : path + "." + name;
}

std::string indexed(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace

TomlReader::TomlReader(const toml::table& root, std::string origin)
    : root_(root), origin_(std::move(origin)) {}

TomlReader::Table TomlReader::root() const { return Table(this, &root_, ""); }

void TomlReader::fail(const std::string& what) const {
  throw std::runtime_error(origin_ + ": " + what);
}

void TomlReader::note(const std::string& table, std::string_view key) const {
  auto it = asked_.find(table);
  if (it == asked_.end()) it = asked_.emplace(table, std::set<std::string, std::less<>>()).first;
  it->second.emplace(key);
}

void TomlReader::refuse_unknown() const { refuse_unknown(root_, ""); }

void TomlReader::refuse_unknown(const toml::table& table, const std::string& path) const {
  const auto asked = asked_.find(path);
  for (const auto& [key, node] : table) {
    const std::string name = joined(path, key.str());
    if (asked == asked_.end() || !asked->second.contains(key.str())) {
      std::string known;
      if (asked != asked_.end()) {
        for (const std::string& k : asked->second) known += (known.empty() ? "" : ", ") + k;
      }
      fail(name + " is not a known key" +
           (known.empty() ? std::string() : " (" + (path.empty() ? std::string("top level")
                                                                 : path) + " has " + known + ")"));
    }
    if (const toml::table* t = node.as_table()) {
      refuse_unknown(*t, name);
    } else if (const toml::array* list = node.as_array()) {
      for (size_t i = 0; i < list->size(); ++i) {
        if (const toml::table* t = (*list)[i].as_table()) refuse_unknown(*t, indexed(name, i));
      }
    }
  }
}

std::string TomlReader::Table::name(std::string_view key) const { return joined(path_, key); }

const toml::node* TomlReader::Table::get(std::string_view key) const {
  reader_->note(path_, key);
  return table_ == nullptr ? nullptr : table_->get(key);
}

bool TomlReader::Table::contains(std::string_view key) const { return get(key) != nullptr; }

std::optional<std::string> TomlReader::Table::string(std::string_view key) const {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) fail(name(key) + " must be a string, in quotes");
  return node->as_string()->get();
}

std::string TomlReader::Table::string_or(std::string_view key, std::string fallback) const {
  return string(key).value_or(std::move(fallback));
}

std::string TomlReader::Table::required_string(std::string_view key) const {
  std::optional<std::string> value = string(key);
  if (!value || value->empty()) fail(name(key) + " is required");
  return *value;
}

int64_t TomlReader::Table::integer_or(std::string_view key, int64_t fallback, int64_t min,
                                      int64_t max) const {
  const toml::node* node = get(key);
  if (node == nullptr) return fallback;
  if (!node->is_integer()) fail(name(key) + " must be a whole number, without quotes");
  const int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    fail(name(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

bool TomlReader::Table::boolean_or(std::string_view key, bool fallback) const {
  const toml::node* node = get(key);
  if (node == nullptr) return fallback;
  if (!node->is_boolean()) fail(name(key) + " must be true or false, without quotes");
  return node->as_boolean()->get();
}

std::optional<toml::date> TomlReader::Table::date(std::string_view key) const {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_date()) fail(name(key) + " must be a date: YYYY-MM-DD, without quotes");
  return node->as_date()->get();
}

std::vector<std::string> TomlReader::Table::strings(std::string_view key) const {
  const toml::node* node = get(key);
  std::vector<std::string> values;
  if (node == nullptr) return values;
  const toml::array* list = node->as_array();
  if (list == nullptr) fail(name(key) + " must be a list of strings: [\"...\", \"...\"]");
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::value<std::string>* value = (*list)[i].as_string();
    if (value == nullptr || value->get().empty()) {
      fail(indexed(name(key), i) + " must be a string, not empty");
    }
    values.push_back(value->get());
  }
  return values;
}

TomlReader::Table TomlReader::Table::table(std::string_view key) const {
  const toml::node* node = get(key);
  if (node != nullptr && !node->is_table()) fail(name(key) + " must be a table");
  return Table(reader_, node == nullptr ? nullptr : node->as_table(), name(key));
}

std::vector<TomlReader::Table> TomlReader::Table::tables(std::string_view key) const {
  const toml::node* node = get(key);
  std::vector<Table> tables;
  if (node == nullptr) return tables;
  const toml::array* list = node->as_array();
  if (list == nullptr) fail(name(key) + " must be a list of tables");
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) fail(indexed(name(key), i) + " must be a table");
    tables.push_back(Table(reader_, t, indexed(name(key), i)));
  }
  return tables;
}

std::vector<std::pair<std::string, TomlReader::Table>> TomlReader::Table::subtables() const {
  std::vector<std::pair<std::string, Table>> entries;
  if (table_ == nullptr) return entries;
  for (const auto& [key, node] : *table_) {
    entries.emplace_back(std::string(key.str()), table(key.str()));
  }
  return entries;
}

}  // namespace termijn::config
