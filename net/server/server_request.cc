#include "net/server/server_request.h"

namespace hookfan::net {

namespace {
char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view ServerRequest::path() const {
  size_t question = target_.find('?');
  return question == std::string_view::npos ? target_ : target_.substr(0, question);
}

std::string_view ServerRequest::query() const {
  size_t question = target_.find('?');
  return question == std::string_view::npos ? std::string_view() : target_.substr(question + 1);
}

std::optional<std::string_view> ServerRequest::FindHeader(std::string_view name) const {
  for (const HttpHeader& header : headers_) {
    if (HeaderNameEquals(header.name, name)) return header.value;
  }
  return std::nullopt;
}

}  // namespace hookfan::net
