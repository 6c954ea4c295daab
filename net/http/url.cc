#include "net/http/url.h"

#include <arpa/inet.h>

namespace hookfan::net {
namespace {

Status UrlError(std::string_view what) {
  std::string message = "url: ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Bytes that can never appear in a request line or Host header are refused over the whole
// input (fragment included), so that nothing can be smuggled through a later edit.
Status CheckBytes(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const char* what = nullptr;
    if (c <= 0x20 || c == 0x7f) {
      what = "space or control character";
    } else if (c >= 0x80) {
      what = "non-ASCII byte";
    } else if (c == '\\') {
      what = "backslash";
    } else {
      continue;
    }
    std::string message = std::string(what) + " at offset " + std::to_string(i);
    if (c >= 0x80) message += " (percent-encode it)";
    return UrlError(message);
  }
  return Status::Ok();
}

StatusOr<std::uint16_t> ParsePort(std::string_view text) {
  if (text.empty()) return UrlError("port: empty (omit the ':' for the default port)");
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return UrlError("port: not a number '" + std::string(text) + "'");
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 65535) break;
  }
  if (value == 0 || value > 65535) return UrlError("port: out of range 1..65535");
  return static_cast<std::uint16_t>(value);
}

Status ParseNameOrIpv4(std::string_view text, Url* url) {
  if (text.size() > 253) return UrlError("host: longer than 253 characters");
  bool numeric = true;
  std::size_t label_length = 0;
  for (char c : text) {
    const char lower = Lower(c);
    const bool digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (label_length == 0) return UrlError("host: empty label in '" + std::string(text) + "'");
      label_length = 0;
      continue;
    }
    if (!digit && !(lower >= 'a' && lower <= 'z') && c != '-' && c != '_') {
      return UrlError(std::string("host: invalid character '") + c + "'");
    }
    numeric = numeric && digit;
    ++label_length;
  }
  if (label_length == 0) return UrlError("host: empty label in '" + std::string(text) + "'");
  url->host.assign(text);
  for (char& c : url->host) c = Lower(c);
  url->host_kind = HostKind::kName;
  // A host of digits and dots is meant as an IPv4 literal; it must be the strict dotted
  // quad (resolvers would accept "127.1" and friends).
  if (numeric) {
    in_addr address;
    if (inet_pton(AF_INET, url->host.c_str(), &address) != 1) {
      return UrlError("host: invalid IPv4 address '" + url->host + "'");
    }
    url->host_kind = HostKind::kIpv4;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Url> Url::Parse(std::string_view text) {
  if (text.empty()) return UrlError("empty");
  if (text.size() > kMaxLength) return UrlError("longer than 8192 bytes");
  HOOKFAN_RETURN_IF_ERROR(CheckBytes(text));

  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return UrlError("missing scheme (expected http://host/path)");
  }
  Url url;
  const std::string_view scheme = text.substr(0, scheme_end);
  if (EqualsIgnoreCase(scheme, "http")) {
    url.scheme = Scheme::kHttp;
  } else if (EqualsIgnoreCase(scheme, "https")) {
    url.scheme = Scheme::kHttps;
  } else {
    return UrlError("unsupported scheme '" + std::string(scheme) + "' (expected http or https)");
  }
  url.port = url.DefaultPort();

  std::string_view rest = text.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));  // the fragment is the client's business only
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  if (authority.find('@') != std::string_view::npos) {
    return UrlError("user info (user@host) is not supported; put credentials in headers");
  }
  if (authority.empty()) return UrlError("empty host");

  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError("host: missing ']' after IPv6 address");
    const std::string literal(authority.substr(1, close - 1));
    in6_addr address;
    if (literal.empty() || inet_pton(AF_INET6, literal.c_str(), &address) != 1) {
      return UrlError("host: invalid IPv6 address '" + literal + "'");
    }
    url.host = literal;
    for (char& c : url.host) c = Lower(c);
    url.host_kind = HostKind::kIpv6;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError("host: unexpected characters after ']'");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
      if (port_text.find(':') != std::string_view::npos) {
        return UrlError("host: IPv6 addresses must be written in brackets, e.g. http://[::1]/");
      }
    }
    if (host.empty()) return UrlError("empty host");
    HOOKFAN_RETURN_IF_ERROR(ParseNameOrIpv4(host, &url));
  }
  if (has_port) {
    StatusOr<std::uint16_t> port = ParsePort(port_text);
    if (!port.ok()) return port.status();
    url.port = *port;
  }

  if (target.empty()) {
    url.path_and_query = "/";
  } else if (target.front() == '?') {
    url.path_and_query = "/";
    url.path_and_query += target;
  } else {
    url.path_and_query.assign(target);
  }
  return url;
}

std::string Url::HostHeader() const {
  std::string out;
  if (host_kind == HostKind::kIpv6) {
    out = "[" + host + "]";
  } else {
    out = host;
  }
  if (port != DefaultPort()) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string Url::Origin() const {
  std::string out(SchemeName());
  out += "://";
  out += host_kind == HostKind::kIpv6 ? "[" + host + "]" : host;
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace hookfan::net
