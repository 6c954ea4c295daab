#pragma once
// The query string of an API request ("endpoint=orders&limit=10"), percent-decoded ('+' is
// a space, as forms send it). Unknown parameters are the caller's to refuse.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/base/status.h"

namespace hookfan::tools {

class QueryParams {
 public:
  // InvalidArgument for a malformed escape ("%zz"), naming the parameter.
  static StatusOr<QueryParams> Parse(std::string_view query);

  std::optional<std::string> Get(std::string_view name) const;
  // The first name not in `known`, if any.
  std::optional<std::string> Unknown(std::initializer_list<std::string_view> known) const;
  // An integer in [min, max]; `fallback` when absent. Errors name the parameter.
  StatusOr<std::int64_t> Int(std::string_view name, std::int64_t fallback, std::int64_t min,
                             std::int64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace hookfan::tools
