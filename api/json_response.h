#pragma once
// The JSON answers every route of serve's API gives: one error shape
// ({"error":{"status":N,"message":"..."}}), a Status mapped to its HTTP status, and 405s that
// always carry Allow. Ingest and admin answer through these so that a client sees one API.

#include <string>
#include <string_view>

#include "net/base/status.h"
#include "net/server/http_responder.h"

namespace hookfan::tools {

inline constexpr std::string_view kJsonContentType = "application/json";

// {"error":{"status":N,"message":"..."}}
std::string ErrorJson(int status, std::string_view message);

void RespondJson(net::HttpResponder& responder, int status, std::string_view body);
void RespondError(net::HttpResponder& responder, int status, std::string_view message);

// 400 for invalid input, 404, 409 for conflicts and exhausted limits, 503, else 500.
int HttpStatusOf(const Status& status);
void RespondStatus(net::HttpResponder& responder, const Status& status);

// 405 with `Allow: <allow>` and the message "<path>: use <hint>" (`hint` defaults to
// `allow`; ingest says "use GET" for "GET, HEAD").
void RespondMethodNotAllowed(net::HttpResponder& responder, std::string_view path,
                             std::string_view allow, std::string_view hint = {});

}  // namespace hookfan::tools
