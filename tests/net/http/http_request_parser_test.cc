#include "net/http/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hookfan::net {
namespace {

// Copies what the parser reports, since its views die with the callback.
struct SeenRequest {
  std::string method;
  std::string target;
  int http_minor = 1;
  bool keep_alive = true;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class Recorder : public HttpRequestParser::Delegate {
 public:
  void OnExpectContinue() override { ++continues; }
  bool OnRequest(const ServerRequest& request) override {
    SeenRequest seen{std::string(request.method()),
                     std::string(request.target()),
                     request.http_minor(),
                     request.keep_alive(),
                     {},
                     std::string(request.body())};
    for (const HttpHeader& header : request.headers()) {
      seen.headers.emplace_back(std::string(header.name), std::string(header.value));
    }
    requests.push_back(std::move(seen));
    return keep_going;
  }

  std::vector<SeenRequest> requests;
  int continues = 0;
  bool keep_going = true;
};

using Result = HttpRequestParser::Result;
using State = HttpRequestParser::State;

const std::string kPost =
    "POST /v1/events?x=1 HTTP/1.1\r\nHost: example\r\nX-Name: some value\r\n"
    "Content-Length: 11\r\n\r\nhello world";

TEST(HttpRequestParserTest, ParsesMethodTargetHeadersAndBody) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(kPost, &consumed), Result::kOk);
  EXPECT_EQ(consumed, kPost.size());
  ASSERT_EQ(recorder.requests.size(), 1u);
  const SeenRequest& request = recorder.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/events?x=1");
  EXPECT_EQ(request.http_minor, 1);
  EXPECT_TRUE(request.keep_alive);
  ASSERT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(request.headers[1].first, "X-Name");
  EXPECT_EQ(request.headers[1].second, "some value");
  EXPECT_EQ(request.body, "hello world");
  EXPECT_EQ(parser.state(), State::kIdle);
}

TEST(HttpRequestParserTest, EverySplitPointGivesTheSameRequest) {
  for (size_t split = 1; split < kPost.size(); ++split) {
    Recorder recorder;
    HttpRequestParser parser(HttpRequestLimits{}, recorder);
    size_t consumed = 0;
    // The first part lives in a buffer that is overwritten before the second is fed: the
    // parser must not keep pointing into it.
    std::string first = kPost.substr(0, split);
    ASSERT_EQ(parser.Feed(first, &consumed), Result::kOk);
    first.assign(first.size(), '#');
    ASSERT_EQ(parser.Feed(std::string_view(kPost).substr(split), &consumed), Result::kOk);
    ASSERT_EQ(recorder.requests.size(), 1u) << split;
    EXPECT_EQ(recorder.requests[0].target, "/v1/events?x=1") << split;
    EXPECT_EQ(recorder.requests[0].headers[1].first, "X-Name") << split;
    EXPECT_EQ(recorder.requests[0].headers[1].second, "some value") << split;
    EXPECT_EQ(recorder.requests[0].body, "hello world") << split;
  }
}

TEST(HttpRequestParserTest, ReportsHeadAndBodyStates) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  EXPECT_EQ(parser.state(), State::kIdle);
  ASSERT_EQ(parser.Feed("POST / HTTP/1.1\r\nContent-Len", &consumed), Result::kOk);
  EXPECT_EQ(parser.state(), State::kHead);
  ASSERT_EQ(parser.Feed("gth: 4\r\n\r\nab", &consumed), Result::kOk);
  EXPECT_EQ(parser.state(), State::kBody);
  ASSERT_EQ(parser.Feed("cd", &consumed), Result::kOk);
  EXPECT_EQ(parser.state(), State::kIdle);
  ASSERT_EQ(recorder.requests.size(), 1u);
  EXPECT_EQ(recorder.requests[0].body, "abcd");
}

TEST(HttpRequestParserTest, PausesAfterARequestWhenTheDelegateSaysSo) {
  Recorder recorder;
  recorder.keep_going = false;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  const std::string two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(two, &consumed), Result::kPaused);
  EXPECT_EQ(consumed, two.size() / 2);
  ASSERT_EQ(recorder.requests.size(), 1u);
  parser.Resume();
  recorder.keep_going = true;
  ASSERT_EQ(parser.Feed(std::string_view(two).substr(consumed), &consumed), Result::kOk);
  ASSERT_EQ(recorder.requests.size(), 2u);
  EXPECT_EQ(recorder.requests[1].target, "/b");
}

TEST(HttpRequestParserTest, DechunksBodiesAndDropsTrailers) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n",
                        &consumed),
            Result::kOk);
  ASSERT_EQ(recorder.requests.size(), 1u);
  EXPECT_EQ(recorder.requests[0].body, "abcde");
  EXPECT_EQ(recorder.requests[0].headers.size(), 1u);
}

TEST(HttpRequestParserTest, Http10AndConnectionCloseAreNotKeptAlive) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET / HTTP/1.0\r\n\r\n", &consumed), Result::kOk);
  ASSERT_EQ(recorder.requests.size(), 1u);
  EXPECT_EQ(recorder.requests[0].http_minor, 0);
  EXPECT_FALSE(recorder.requests[0].keep_alive);

  Recorder close_recorder;
  HttpRequestParser close_parser(HttpRequestLimits{}, close_recorder);
  ASSERT_EQ(close_parser.Feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &consumed),
            Result::kOk);
  EXPECT_FALSE(close_recorder.requests[0].keep_alive);
}

TEST(HttpRequestParserTest, HeaderBytesOverTheLimitAre431) {
  Recorder recorder;
  HttpRequestLimits limits;
  limits.max_header_bytes = 100;
  HttpRequestParser parser(limits, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET / HTTP/1.1\r\nX: " + std::string(100, 'v') + "\r\n\r\n", &consumed),
            Result::kError);
  EXPECT_EQ(parser.error_status(), 431);
  EXPECT_EQ(parser.error_message(), "headers: request line and headers exceed 100 bytes");
  EXPECT_TRUE(recorder.requests.empty());
}

TEST(HttpRequestParserTest, LongTargetCountsAgainstTheHeaderLimit) {
  Recorder recorder;
  HttpRequestLimits limits;
  limits.max_header_bytes = 100;
  HttpRequestParser parser(limits, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET /" + std::string(200, 'a') + " HTTP/1.1\r\n\r\n", &consumed),
            Result::kError);
  EXPECT_EQ(parser.error_status(), 431);
}

TEST(HttpRequestParserTest, TooManyHeaderLinesAre431) {
  Recorder recorder;
  HttpRequestLimits limits;
  limits.max_headers = 2;
  HttpRequestParser parser(limits, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &consumed),
            Result::kError);
  EXPECT_EQ(parser.error_status(), 431);
  EXPECT_EQ(parser.error_message(), "headers: more than 2 header lines");
}

TEST(HttpRequestParserTest, DeclaredBodyOverTheLimitIs413BeforeTheBodyArrives) {
  Recorder recorder;
  HttpRequestLimits limits;
  limits.max_body_bytes = 10;
  HttpRequestParser parser(limits, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", &consumed),
            Result::kError);
  EXPECT_EQ(parser.error_status(), 413);
  EXPECT_EQ(parser.error_message(), "body: Content-Length 11 exceeds the limit of 10 bytes");
}

TEST(HttpRequestParserTest, ChunkedBodyOverTheLimitIs413) {
  Recorder recorder;
  HttpRequestLimits limits;
  limits.max_body_bytes = 4;
  HttpRequestParser parser(limits, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
                        "3\r\ndef\r\n0\r\n\r\n",
                        &consumed),
            Result::kError);
  EXPECT_EQ(parser.error_status(), 413);
}

TEST(HttpRequestParserTest, ExpectContinueIsReportedOnlyWhenABodyFollows) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n",
                        &consumed),
            Result::kOk);
  EXPECT_EQ(recorder.continues, 1);
  ASSERT_EQ(parser.Feed("hi", &consumed), Result::kOk);
  ASSERT_EQ(parser.Feed("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", &consumed), Result::kOk);
  EXPECT_EQ(recorder.continues, 1);
  EXPECT_EQ(recorder.requests.size(), 2u);
}

TEST(HttpRequestParserTest, UnknownExpectationIs417) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET / HTTP/1.1\r\nExpect: teapot\r\n\r\n", &consumed), Result::kError);
  EXPECT_EQ(parser.error_status(), 417);
}

TEST(HttpRequestParserTest, MalformedInputIs400AndStaysAnError) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", &consumed), Result::kError);
  EXPECT_EQ(parser.error_status(), 400);
  EXPECT_EQ(parser.error_message().rfind("request: malformed HTTP/1.1 (", 0), 0u);
  EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\n\r\n", &consumed), Result::kError);
  EXPECT_TRUE(recorder.requests.empty());
}

TEST(HttpRequestParserTest, UpgradeStopsParsingAfterTheRequest) {
  Recorder recorder;
  HttpRequestParser parser(HttpRequestLimits{}, recorder);
  const std::string bytes =
      "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
  size_t consumed = 0;
  ASSERT_EQ(parser.Feed(bytes, &consumed), Result::kUpgrade);
  EXPECT_EQ(recorder.requests.size(), 1u);
  EXPECT_LT(consumed, bytes.size());
}

}  // namespace
}  // namespace hookfan::net
