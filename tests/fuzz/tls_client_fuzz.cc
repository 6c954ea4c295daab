// Fuzzes TlsSession as a client reading what a receiver sends instead of (or during) a
// handshake: garbage, a plaintext HTTP server on an https:// URL, truncated records. Besides
// "no crash, no leak, no undefined behaviour", checks that a refusal is typed (never kNone,
// with a reason), that nothing is ever returned as plaintext before a verified handshake,
// and that EOF during the handshake is kClosedDuringHandshake. The first byte splits the
// input into two reads.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/base/check.h"
#include "net/tls/tls_context.h"
#include "net/tls/tls_session.h"

namespace {

using hookfan::net::TlsClientOptions;
using hookfan::net::TlsContext;
using hookfan::net::TlsError;
using hookfan::net::TlsSession;

TlsContext& Context() {
  // Verification on against the system store: no input can make a handshake verify.
  static TlsContext* context = [] {
    auto made = TlsContext::Client(TlsClientOptions{});
    HOOKFAN_CHECK(made.ok());
    return made->release();
  }();
  return *context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  TlsSession session(Context(), (data[0] & 1) ? "127.0.0.1" : "localhost", "https://fuzz");
  session.Start();
  std::string wire;
  session.TakeOutput(&wire);
  HOOKFAN_CHECK(!wire.empty());  // the ClientHello
  std::string plaintext;
  bool ok = true;
  for (std::string_view piece : {bytes.substr(0, split), bytes.substr(split)}) {
    if (!ok) break;
    ok = session.Receive(piece, &plaintext);
    wire.clear();
    session.TakeOutput(&wire);
  }
  HOOKFAN_CHECK(plaintext.empty() && !session.handshake_done());
  if (!ok) {
    HOOKFAN_CHECK(session.error() != TlsError::kNone && !session.detail().empty());
  } else {
    HOOKFAN_CHECK(session.error() == TlsError::kNone);
    session.OnEof();
    HOOKFAN_CHECK(session.error() == TlsError::kClosedDuringHandshake);
  }
  return 0;
}
