#include "api/json_response.h"

#include "net/base/json_writer.h"

namespace hookfan::tools {

std::string ErrorJson(int status, std::string_view message) {
  JsonWriter json;
  json.BeginObject().Key("error").BeginObject();
  json.Key("status").Int(status);
  json.Key("message").String(message);
  json.EndObject().EndObject();
  return json.Take();
}

void RespondJson(net::HttpResponder& responder, int status, std::string_view body) {
  responder.Respond(
      net::HttpResponse{.status = status, .content_type = kJsonContentType, .body = body});
}

void RespondError(net::HttpResponder& responder, int status, std::string_view message) {
  RespondJson(responder, status, ErrorJson(status, message));
}

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kResourceExhausted:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void RespondStatus(net::HttpResponder& responder, const Status& status) {
  RespondError(responder, HttpStatusOf(status), status.message());
}

void RespondMethodNotAllowed(net::HttpResponder& responder, std::string_view path,
                             std::string_view allow, std::string_view hint) {
  net::HttpHeader headers[] = {{"Allow", allow}};
  const std::string body =
      ErrorJson(405, std::string(path) + ": use " + std::string(hint.empty() ? allow : hint));
  responder.Respond(net::HttpResponse{
      .status = 405, .headers = headers, .content_type = kJsonContentType, .body = body});
}

}  // namespace hookfan::tools
