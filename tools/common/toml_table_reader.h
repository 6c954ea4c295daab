#pragma once
// Reading serve's TOML config: errors that point at "file:line: field: message", and a
// reader of one table's typed fields that reports every key it did not use as unknown.
// Used by tools/common/serve_config.cc only.

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/base/clock.h"
#include "net/base/duration.h"
#include "net/base/status.h"

namespace hookfan::tools {

// Builds "source:line: field: message" from a node's position.
class ConfigErrors {
 public:
  explicit ConfigErrors(std::string_view source) : source_(source) {}
  Status At(const toml::node* node, const std::string& field, const std::string& message) const {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict on chained operator+.
    std::string text = source_;
    if (node != nullptr && node->source().begin.line > 0) {
      text += ':';
      text += std::to_string(node->source().begin.line);
    }
    text += ": ";
    text += field;
    text += ": ";
    text += message;
    return Status::InvalidArgument(std::move(text));
  }

 private:
  std::string source_;
};

// Reads typed fields from one table, remembering which keys were used so that anything
// left over can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, const ConfigErrors& errors)
      : table_(table), prefix_(std::move(prefix)), errors_(errors) {}

  std::string Field(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  const toml::node* Node(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }
  Status Error(std::string_view key, const std::string& message) {
    const toml::node* node = table_.get(key);
    return errors_.At(node ? node : &table_, Field(key), message);
  }

  Status Bool(std::string_view key, bool* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return Error(key, "must be true or false");
    *out = **node->as_boolean();
    return Status::Ok();
  }
  Status String(std::string_view key, std::string* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return Error(key, "must be a string");
    *out = **node->as_string();
    return Status::Ok();
  }
  template <typename Int>
  Status Integer(std::string_view key, Int* out, std::int64_t min, std::int64_t max) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return Error(key, "must be an integer");
    const std::int64_t value = **node->as_integer();
    if (value < min || value > max) {
      return Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                            ", got " + std::to_string(value));
    }
    *out = static_cast<Int>(value);
    return Status::Ok();
  }
  Status Number(std::string_view key, double* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    if (node->is_integer())
      *out = static_cast<double>(**node->as_integer());
    else if (node->is_floating_point())
      *out = **node->as_floating_point();
    else
      return Error(key, "must be a number");
    return Status::Ok();
  }
  // Durations: a string such as "5s" or an integer number of milliseconds.
  Status Duration(std::string_view key, DurationMs* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    if (node->is_integer()) {
      if (**node->as_integer() < 0) return Error(key, "must not be negative");
      *out = **node->as_integer();
      return Status::Ok();
    }
    if (!node->is_string()) return Error(key, "must be a duration such as \"5s\"");
    auto parsed = ParseDuration(**node->as_string(), Field(key));
    if (!parsed.ok()) return errors_.At(node, Field(key), AfterField(parsed.status()));
    *out = *parsed;
    return Status::Ok();
  }
  // Sizes: an integer of bytes, or a string such as "512MiB", "10GB", "64KiB".
  Status Size(std::string_view key, std::uint64_t* out, std::uint64_t min) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    std::uint64_t value = 0;
    if (node->is_integer()) {
      if (**node->as_integer() < 0) return Error(key, "must not be negative");
      value = static_cast<std::uint64_t>(**node->as_integer());
    } else if (node->is_string()) {
      auto parsed = ParseSize(**node->as_string());
      if (!parsed) {
        return Error(key, "'" + **node->as_string() +
                              "' is not a size (use bytes or e.g. 64KiB, 512MiB, 10GB)");
      }
      value = *parsed;
    } else {
      return Error(key, "must be a size such as \"512MiB\" or an integer of bytes");
    }
    if (value < min) {
      return Error(
          key, "must be at least " + std::to_string(min) + " bytes, got " + std::to_string(value));
    }
    *out = value;
    return Status::Ok();
  }
  static std::optional<std::uint64_t> ParseSize(std::string_view text) {
    std::size_t digits = 0;
    std::uint64_t number = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      if (number > (UINT64_MAX - 9) / 10) return std::nullopt;
      number = number * 10 + static_cast<std::uint64_t>(text[digits] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    const std::string_view unit = text.substr(digits);
    static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
        {"", 1},
        {"B", 1},
        {"KB", 1000},
        {"KiB", 1024},
        {"MB", 1000000},
        {"MiB", 1 << 20},
        {"GB", 1000000000},
        {"GiB", 1 << 30},
        {"TB", 1000000000000},
        {"TiB", std::uint64_t{1} << 40}};
    for (const auto& [name, factor] : kUnits) {
      if (unit != name) continue;
      if (number > UINT64_MAX / factor) return std::nullopt;
      return number * factor;
    }
    return std::nullopt;
  }
  Status StringList(std::string_view key, std::vector<std::string>* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(key, "must be an array of strings");
    out->clear();
    for (const toml::node& element : *array) {
      if (!element.is_string()) return Error(key, "must be an array of strings");
      out->push_back(**element.as_string());
    }
    return Status::Ok();
  }
  Status StringPairs(std::string_view key, std::vector<std::pair<std::string, std::string>>* out) {
    const toml::node* node = Node(key);
    if (node == nullptr) return Status::Ok();
    const toml::table* table = node->as_table();
    if (table == nullptr) return Error(key, "must be a table of string values");
    for (const auto& [name, value] : *table) {
      if (!value.is_string()) {
        return errors_.At(&value, Field(key) + "." + std::string(name.str()), "must be a string");
      }
      out->emplace_back(std::string(name.str()), **value.as_string());
    }
    return Status::Ok();
  }
  Status NoUnknownKeys() const {
    for (const auto& [key, value] : table_) {
      if (!used_.contains(std::string(key.str()))) {
        return errors_.At(&value, Field(key.str()), "unknown field");
      }
    }
    return Status::Ok();
  }

  // "field: message" from a Status, without the field (the caller adds file:line: field).
  static std::string AfterField(const Status& status) {
    const std::string& message = status.message();
    auto colon = message.find(": ");
    return colon == std::string::npos ? message : message.substr(colon + 2);
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  const ConfigErrors& errors_;
  std::set<std::string> used_;
};

}  // namespace hookfan::tools
