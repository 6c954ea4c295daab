// Randomised robustness tests for HttpRequestParser, the parser of remote bytes on the
// server side: seeded mutations of valid requests, fed in random fragments. Deterministic
// (fixed seeds) so a failure reproduces; memory errors are caught by the ASan build.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "net/http/http_request_parser.h"

namespace hookfan::net {
namespace {

constexpr int kCases = 4000;

const char* const kSeeds[] = {
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ("POST /v1/events?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nwebhook-id: m1\r\n\r\n"
     "hello"),
    "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
};

struct Summary {
  std::vector<std::string> requests;  // method, target, headers and body, flattened
  bool error = false;
  int status = 0;
};

class Checker : public HttpRequestParser::Delegate {
 public:
  explicit Checker(const HttpRequestLimits& limits) : limits_(limits) {}
  void OnExpectContinue() override {}
  bool OnRequest(const ServerRequest& request) override {
    EXPECT_LE(request.body().size(), limits_.max_body_bytes);
    EXPECT_LE(request.headers().size(), limits_.max_headers);
    // Appends only: GCC 12 misreports `"literal" + std::string` under -Werror=restrict.
    std::string flat(request.method());
    flat.append(" ").append(request.target());
    for (const HttpHeader& header : request.headers()) {
      flat.append("|").append(header.name).append(":").append(header.value);
    }
    flat.append("|").append(request.body());
    summary.requests.push_back(std::move(flat));
    return true;
  }
  Summary summary;

 private:
  HttpRequestLimits limits_;
};

// Feeds `input` cut at the given points; each fragment is copied and then scribbled over,
// as a reused read buffer would be.
Summary Parse(const std::string& input, const std::vector<size_t>& cuts,
              const HttpRequestLimits& limits) {
  Checker checker(limits);
  HttpRequestParser parser(limits, checker);
  size_t start = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    std::string fragment = input.substr(start, end - start);
    start = end;
    size_t consumed = 0;
    HttpRequestParser::Result result = parser.Feed(fragment, &consumed);
    fragment.assign(fragment.size(), '\xff');
    if (result == HttpRequestParser::Result::kError) {
      checker.summary.error = true;
      checker.summary.status = parser.error_status();
      EXPECT_FALSE(parser.error_message().empty());
      break;
    }
    if (result != HttpRequestParser::Result::kOk) break;
  }
  return checker.summary;
}

std::vector<size_t> RandomCuts(std::mt19937& random, size_t size) {
  std::vector<size_t> cuts;
  if (size < 2) return cuts;
  std::uniform_int_distribution<size_t> position(1, size - 1);
  int count = static_cast<int>(random() % 6);
  for (int i = 0; i < count; ++i) cuts.push_back(position(random));
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

TEST(HttpRequestParserFuzzTest, FragmentationNeverChangesTheResult) {
  std::mt19937 random(1);
  HttpRequestLimits limits;
  for (int i = 0; i < kCases; ++i) {
    std::string input;
    for (int n = 1 + static_cast<int>(random() % 3); n > 0; --n) {
      input += kSeeds[random() % std::size(kSeeds)];
    }
    Summary whole = Parse(input, {}, limits);
    Summary pieces = Parse(input, RandomCuts(random, input.size()), limits);
    ASSERT_EQ(pieces.requests, whole.requests) << input;
    ASSERT_EQ(pieces.error, whole.error) << input;
  }
}

TEST(HttpRequestParserFuzzTest, MutatedInputIsParsedOrRejectedWithAKnownStatus) {
  std::mt19937 random(2);
  HttpRequestLimits limits;
  limits.max_header_bytes = 256;
  limits.max_headers = 8;
  limits.max_body_bytes = 64;
  const std::string alphabet = "\r\n :;,-_=/?#0123456789abcdefxyzABCDEF\t\"\x7f\x80\xff\0";
  for (int i = 0; i < kCases; ++i) {
    std::string input = kSeeds[random() % std::size(kSeeds)];
    input += kSeeds[random() % std::size(kSeeds)];
    for (int edits = 1 + static_cast<int>(random() % 8); edits > 0; --edits) {
      size_t at = random() % (input.size() + 1);
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 4) {
        case 0:
          if (at < input.size()) input[at] = c;
          break;
        case 1:
          input.insert(at, 1, c);
          break;
        case 2:
          if (at < input.size()) input.erase(at, 1 + random() % 4);
          break;
        default:
          input.insert(at, std::string(random() % 300, c));  // long runs hit the limits
          break;
      }
    }
    Summary summary = Parse(input, RandomCuts(random, input.size()), limits);
    if (summary.error) {
      EXPECT_TRUE(summary.status == 400 || summary.status == 413 || summary.status == 417 ||
                  summary.status == 431)
          << summary.status;
    }
  }
}

}  // namespace
}  // namespace hookfan::net
