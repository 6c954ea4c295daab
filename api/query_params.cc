#include "api/query_params.h"

#include <charconv>

namespace hookfan::tools {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

StatusOr<QueryParams> QueryParams::Parse(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq));
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      return Status::InvalidArgument("query: '" + std::string(pair.substr(0, eq)) +
                                     "': malformed percent-escape");
    }
    params.params_.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> QueryParams::Unknown(
    std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : params_) {
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (!found) return key;
  }
  return std::nullopt;
}

StatusOr<std::int64_t> QueryParams::Int(std::string_view name, std::int64_t fallback,
                                        std::int64_t min, std::int64_t max) const {
  auto text = Get(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return Status::InvalidArgument(std::string(name) + ": must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

}  // namespace hookfan::tools
