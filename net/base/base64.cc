#include "net/base/base64.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace hookfan {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

// Names a byte in an error message so that invisible ones (a pasted newline) show up.
std::string DescribeByte(unsigned char c) {
  char buf[32];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
    std::snprintf(buf, sizeof buf, "whitespace (0x%02x)", c);
  } else if (c >= 0x21 && c < 0x7F) {
    std::snprintf(buf, sizeof buf, "'%c'", c);
  } else {
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
  }
  return buf;
}

}  // namespace

void Base64Encode(std::string_view in, char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  while (n >= 3) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    out[0] = kAlphabet[v >> 18];
    out[1] = kAlphabet[(v >> 12) & 63];
    out[2] = kAlphabet[(v >> 6) & 63];
    out[3] = kAlphabet[v & 63];
    p += 3;
    n -= 3;
    out += 4;
  }
  if (n == 0) return;
  const uint32_t v = (uint32_t{p[0]} << 16) | (n == 2 ? uint32_t{p[1]} << 8 : 0);
  out[0] = kAlphabet[v >> 18];
  out[1] = kAlphabet[(v >> 12) & 63];
  out[2] = n == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  out[3] = '=';
}

std::string Base64Encode(std::string_view in) {
  std::string out(Base64EncodedSize(in.size()), '\0');
  Base64Encode(in, out.data());
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view in) {
  const size_t size = in.size();
  size_t pad = 0;
  while (pad < size && in[size - 1 - pad] == '=') ++pad;
  const size_t data = size - pad;
  // Characters are checked before padding so that "ab=c" reports the stray '=' where it is.
  for (size_t i = 0; i < data; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (kDecode[c] == kInvalid) {
      return Status::InvalidArgument("not base64: unexpected " + DescribeByte(c) + " at offset " +
                                     std::to_string(i));
    }
  }
  if (data % 4 == 1) {
    return Status::InvalidArgument("not base64: truncated (" + std::to_string(data) +
                                   " characters leave a lone final character)");
  }
  if (pad > 0 && (pad > 2 || size % 4 != 0 || data % 4 + pad != 4)) {
    return Status::InvalidArgument("not base64: wrong padding (" + std::to_string(pad) +
                                   " '=' after " + std::to_string(data) + " characters)");
  }

  std::string out;
  out.reserve(data / 4 * 3 + 2);
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0;
  for (; i + 4 <= data; i += 4) {
    const uint32_t v = (uint32_t{kDecode[p[i]]} << 18) | (uint32_t{kDecode[p[i + 1]]} << 12) |
                       (uint32_t{kDecode[p[i + 2]]} << 6) | kDecode[p[i + 3]];
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
  }
  const size_t rest = data - i;  // 0, 2 or 3
  if (rest > 0) {
    uint32_t v = (uint32_t{kDecode[p[i]]} << 18) | (uint32_t{kDecode[p[i + 1]]} << 12);
    if (rest == 3) v |= uint32_t{kDecode[p[i + 2]]} << 6;
    // A canonical encoder leaves the bits past the last whole byte zero; anything else is a
    // different string that happens to decode to the same bytes, most likely a typo.
    const uint32_t unused = rest == 2 ? (v & 0xFFFF) : (v & 0xFF);
    if (unused != 0) {
      return Status::InvalidArgument("not base64: non-canonical final character '" +
                                     std::string(1, in[data - 1]) + "' (its unused bits are set)");
    }
    out.push_back(static_cast<char>(v >> 16));
    if (rest == 3) out.push_back(static_cast<char>(v >> 8));
  }
  return out;
}

}  // namespace hookfan
