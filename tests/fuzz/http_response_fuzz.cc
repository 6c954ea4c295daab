// Fuzzes HttpResponseParser with what a receiver may send back (the client reads these
// bytes from anyone an endpoint points at). Besides "no crash, no undefined behaviour",
// checks that:
//  - the result, status, keep-alive, Retry-After, kept body prefix, error and (for a complete
//    response) bytes consumed do not depend on how the bytes are split into reads (one Feed,
//    or two at a point the input chooses), nor on the parser having parsed a response
//    before (Reset);
//  - a complete response has a final status (200-999: below 100 is refused, interim 1xx are
//    skipped), consumed never exceeds what was fed, and the kept values stay within their
//    buffers;
//  - an error is a typed RequestError (protocol error, too large, or reset when EOF came
//    first), never kNone.
// The first input byte picks the split point; the caps are small so that they are hit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/base/check.h"
#include "net/http/http_response_parser.h"

namespace {

using hookfan::net::HttpResponseParser;
using hookfan::net::RequestError;

struct Seen {
  HttpResponseParser::Result result = HttpResponseParser::Result::kIncomplete;
  std::size_t consumed = 0;
  int status = 0;
  bool keep_alive = false;
  std::string retry_after;
  std::string body_prefix;
  RequestError error = RequestError::kNone;

  bool operator==(const Seen&) const = default;
};

// Feeds `bytes` in the pieces given by `split` (0: all at once), then EOF when incomplete.
Seen Parse(HttpResponseParser& parser, std::string_view bytes, std::size_t split, bool eof) {
  Seen seen;
  std::string_view pieces[2] = {bytes.substr(0, split), bytes.substr(split)};
  for (std::string_view piece : pieces) {
    if (piece.empty()) continue;
    std::size_t used = 0;
    seen.result = parser.Feed(piece, &used);
    HOOKFAN_CHECK(used <= piece.size());
    seen.consumed += used;
    if (seen.result != HttpResponseParser::Result::kIncomplete) break;
  }
  if (seen.result == HttpResponseParser::Result::kIncomplete && eof) {
    seen.result = parser.FinishAtEof();
  }
  if (seen.result == HttpResponseParser::Result::kComplete) {
    seen.status = parser.status();
    seen.keep_alive = parser.keep_alive();
    seen.retry_after = std::string(parser.retry_after());
    seen.body_prefix = std::string(parser.body_prefix());
    // Below 100 is refused, interim 1xx never end a response.
    HOOKFAN_CHECK(seen.status >= 200 && seen.status <= 999);
    HOOKFAN_CHECK(seen.retry_after.size() <= 40);
    HOOKFAN_CHECK(seen.body_prefix.size() <= HttpResponseParser::kBodyPrefixBytes);
  } else if (seen.result == HttpResponseParser::Result::kError) {
    seen.error = parser.error();
    seen.consumed = 0;  // where in the bytes an error is noticed is not part of the contract
    // kConnectionReset: EOF before the response was complete.
    HOOKFAN_CHECK(seen.error == RequestError::kProtocolError ||
                  seen.error == RequestError::kResponseTooLarge ||
                  (eof && seen.error == RequestError::kConnectionReset));
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  const bool eof = (data[0] & 0x80) != 0;
  const HttpResponseParser::Limits limits{.max_header_bytes = 512, .max_body_bytes = 4096};

  HttpResponseParser whole(limits);
  whole.Reset();
  const Seen at_once = Parse(whole, bytes, 0, eof);

  HttpResponseParser pieces(limits);
  pieces.Reset();
  const Seen split_up = Parse(pieces, bytes, split, eof);
  // A split can only matter in how much of a completed read was used, which the sum covers.
  HOOKFAN_CHECK(at_once == split_up);

  // The same parser, reused after a response (as a keep-alive connection does).
  static constexpr std::string_view kFirst = "HTTP/1.1 204 No Content\r\n\r\n";
  std::size_t used = 0;
  whole.Reset();
  HOOKFAN_CHECK(whole.Feed(kFirst, &used) == HttpResponseParser::Result::kComplete);
  whole.Reset();
  HOOKFAN_CHECK(Parse(whole, bytes, split, eof) == at_once);
  return 0;
}
