#include "net/http/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::net {
namespace {

using Result = HttpResponseParser::Result;

HttpResponseParser::Limits SmallLimits() {
  return {.max_header_bytes = 1024, .max_body_bytes = 4096};
}

// Feeds everything at once; returns the result and how much was consumed.
Result FeedAll(HttpResponseParser& parser, std::string_view bytes, std::size_t* consumed) {
  return parser.Feed(bytes, consumed);
}

Result FeedAll(HttpResponseParser& parser, std::string_view bytes) {
  std::size_t consumed = 0;
  return parser.Feed(bytes, &consumed);
}

TEST(HttpResponseParserTest, ContentLengthResponseCompletes) {
  HttpResponseParser parser(SmallLimits());
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  std::size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, response, &consumed), Result::kComplete);
  EXPECT_EQ(consumed, response.size());
  EXPECT_EQ(parser.status(), 200);
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_EQ(parser.body_prefix(), "hello");
  EXPECT_EQ(parser.body_bytes(), 5u);
  RequestOutcome outcome;
  parser.FillOutcome(&outcome);
  EXPECT_TRUE(outcome.ok_response());
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.retry_after(), "");
}

TEST(HttpResponseParserTest, ChunkedBodyIsReadToTheEnd) {
  HttpResponseParser parser(SmallLimits());
  const std::string response =
      "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  ASSERT_EQ(FeedAll(parser, response), Result::kComplete);
  EXPECT_EQ(parser.status(), 202);
  EXPECT_EQ(parser.body_prefix(), "hello world");
  EXPECT_EQ(parser.body_bytes(), 11u);
  EXPECT_TRUE(parser.keep_alive());
}

TEST(HttpResponseParserTest, ByteByByteFeedGivesTheSameResponse) {
  HttpResponseParser parser(SmallLimits());
  const std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n";
  for (std::size_t i = 0; i + 1 < response.size(); ++i) {
    ASSERT_EQ(FeedAll(parser, response.substr(i, 1)), Result::kIncomplete) << "byte " << i;
  }
  ASSERT_EQ(FeedAll(parser, response.substr(response.size() - 1)), Result::kComplete);
  EXPECT_EQ(parser.status(), 503);
  EXPECT_EQ(parser.retry_after(), "30");
  EXPECT_EQ(parser.body_prefix(), "abc");
}

TEST(HttpResponseParserTest, NoContentHasNoBody) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 204 No Content\r\n\r\n"), Result::kComplete);
  EXPECT_EQ(parser.status(), 204);
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_EQ(parser.body_bytes(), 0u);
}

TEST(HttpResponseParserTest, ConnectionCloseAndHttp10AreNotKeptAlive) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            Result::kComplete);
  EXPECT_FALSE(parser.keep_alive());
  parser.Reset();
  ASSERT_EQ(FeedAll(parser, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), Result::kComplete);
  EXPECT_FALSE(parser.keep_alive());
  parser.Reset();
  ASSERT_EQ(
      FeedAll(parser, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
      Result::kComplete);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParserTest, RetryAfterIsCaseInsensitiveTrimmedAndLastWins) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser,
                    "HTTP/1.1 429 Too Many Requests\r\nretry-AFTER: 10\r\nX-Retry-After-Ms: 5\r\n"
                    "Retry-After:   Wed, 21 Oct 2015 07:28:00 GMT  \r\nContent-Length: 0\r\n\r\n"),
            Result::kComplete);
  EXPECT_EQ(parser.status(), 429);
  EXPECT_EQ(parser.retry_after(), "Wed, 21 Oct 2015 07:28:00 GMT");
  RequestOutcome outcome;
  parser.FillOutcome(&outcome);
  EXPECT_EQ(outcome.retry_after(), "Wed, 21 Oct 2015 07:28:00 GMT");
}

TEST(HttpResponseParserTest, RetryAfterSplitAcrossFeeds) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 503 Busy\r\nRetry-Af"), Result::kIncomplete);
  ASSERT_EQ(FeedAll(parser, "ter: 1"), Result::kIncomplete);
  ASSERT_EQ(FeedAll(parser, "20\r\nContent-Length: 0\r\n\r\n"), Result::kComplete);
  EXPECT_EQ(parser.retry_after(), "120");
}

TEST(HttpResponseParserTest, GarbageStatusLineIsProtocolError) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "SMTP ready\r\n\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kProtocolError);
  parser.Reset();
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 2x0 OK\r\n\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kProtocolError);
  for (const char* below_100 : {"HTTP/1.1 000 Zero\r\n\r\n", "HTTP/1.0 002 OK\r\n\r\n"}) {
    parser.Reset();
    ASSERT_EQ(FeedAll(parser, below_100), Result::kError) << below_100;
    EXPECT_EQ(parser.error(), RequestError::kProtocolError);
  }
  parser.Reset();
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kProtocolError);
}

TEST(HttpResponseParserTest, HeadersOverTheCapAreTooLarge) {
  HttpResponseParser parser(SmallLimits());
  std::string response = "HTTP/1.1 200 OK\r\n";
  while (response.size() < 2048) response += "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  response += "Content-Length: 0\r\n\r\n";
  ASSERT_EQ(FeedAll(parser, response), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kResponseTooLarge);
}

TEST(HttpResponseParserTest, OneHugeHeaderValueIsTooLargeEvenWhenSplit) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nX-Big: "), Result::kIncomplete);
  Result result = Result::kIncomplete;
  for (int i = 0; i < 100 && result == Result::kIncomplete; ++i) {
    result = FeedAll(parser, std::string(64, 'b'));
  }
  ASSERT_EQ(result, Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kResponseTooLarge);
}

TEST(HttpResponseParserTest, DeclaredBodyOverTheCapFailsAtTheHeaders) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 4097\r\n\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kResponseTooLarge);
}

TEST(HttpResponseParserTest, ChunkedBodyOverTheCapIsTooLarge) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Result::kIncomplete);
  const std::string chunk = "800\r\n" + std::string(0x800, 'x') + "\r\n";
  ASSERT_EQ(FeedAll(parser, chunk), Result::kIncomplete);
  ASSERT_EQ(FeedAll(parser, chunk), Result::kIncomplete);  // exactly 4096: still fine
  ASSERT_EQ(FeedAll(parser, "1\r\ny\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kResponseTooLarge);
}

TEST(HttpResponseParserTest, KeepsOnlyTheFirstBodyBytes) {
  HttpResponseParser parser(SmallLimits());
  const std::string body(1000, 'z');
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 500 Oops\r\nContent-Length: 1000\r\n\r\n" + body),
            Result::kComplete);
  EXPECT_EQ(parser.body_bytes(), 1000u);
  EXPECT_EQ(parser.body_prefix(), body.substr(0, HttpResponseParser::kBodyPrefixBytes));
}

TEST(HttpResponseParserTest, BytesAfterTheResponseAreLeftUnconsumed) {
  HttpResponseParser parser(SmallLimits());
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  std::size_t consumed = 0;
  ASSERT_EQ(FeedAll(parser, first + "HTTP/1.1 200 OK\r\n", &consumed), Result::kComplete);
  EXPECT_EQ(consumed, first.size());
}

TEST(HttpResponseParserTest, EofCompletesACloseDelimitedBody) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\n\r\nuntil the end"), Result::kIncomplete);
  ASSERT_EQ(parser.FinishAtEof(), Result::kComplete);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_EQ(parser.body_prefix(), "until the end");
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParserTest, EofInsideHeadersOrBodyIsConnectionReset) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            Result::kIncomplete);
  ASSERT_EQ(parser.FinishAtEof(), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kConnectionReset);
  parser.Reset();
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nConte"), Result::kIncomplete);
  ASSERT_EQ(parser.FinishAtEof(), Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kConnectionReset);
}

TEST(HttpResponseParserTest, InterimResponsesAreSkipped) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser,
                    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
            Result::kComplete);
  EXPECT_EQ(parser.status(), 201);
}

TEST(HttpResponseParserTest, SwitchingProtocolsIsProtocolError) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
            Result::kError);
  EXPECT_EQ(parser.error(), RequestError::kProtocolError);
}

TEST(HttpResponseParserTest, ResetStartsAFreshResponse) {
  HttpResponseParser parser(SmallLimits());
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 503 No\r\nRetry-After: 5\r\nContent-Length: 1\r\n\r\nx"),
            Result::kComplete);
  parser.Reset();
  ASSERT_EQ(FeedAll(parser, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), Result::kComplete);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_EQ(parser.retry_after(), "");
  EXPECT_EQ(parser.body_prefix(), "");
}

}  // namespace
}  // namespace hookfan::net
