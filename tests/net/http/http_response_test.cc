#include "net/http/http_response.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::net {
namespace {

constexpr std::string_view kDate = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

TEST(HttpResponseTest, KeepAliveResponseHasStatusDateLengthAndBody) {
  std::string out;
  AppendHttpResponse(HttpResponse{.status = 200, .body = "ok"}, ResponseFraming{}, kDate, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\n"
            "ok");
}

TEST(HttpResponseTest, AppendsToWhatIsAlreadyThere) {
  std::string out = "previous";
  AppendHttpResponse(HttpResponse{.status = 404}, ResponseFraming{}, "", &out);
  EXPECT_EQ(out, "previousHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpResponseTest, HeadersContentTypeAndCloseAreWrittenInOrder) {
  HttpHeader headers[] = {{"Retry-After", "30"}, {"X-Other", "y"}};
  std::string out;
  AppendHttpResponse(
      HttpResponse{
          .status = 503, .headers = headers, .content_type = "application/json", .body = "{}"},
      ResponseFraming{.keep_alive = false}, "", &out);
  EXPECT_EQ(out,
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nX-Other: y\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
}

TEST(HttpResponseTest, Http10KeepAliveIsExplicit) {
  std::string out;
  AppendHttpResponse(HttpResponse{.status = 200}, ResponseFraming{.http10 = true}, "", &out);
  EXPECT_NE(out.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(HttpResponseTest, HeadAnswerHasTheLengthButNoBody) {
  std::string out;
  AppendHttpResponse(HttpResponse{.status = 200, .body = "12345"},
                     ResponseFraming{.head_request = true}, "", &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST(HttpResponseTest, NoContentHasNoLengthAndNoBody) {
  std::string out;
  AppendHttpResponse(HttpResponse{.status = 204, .body = "ignored"}, ResponseFraming{}, "", &out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(HttpResponseTest, ReasonPhrases) {
  EXPECT_EQ(HttpReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(HttpReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(HttpReasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace hookfan::net
