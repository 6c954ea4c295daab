#include "tests/support/reference_hmac.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace hookfan::testing {
namespace {

// A temporary directory removed with everything in it when the scope ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "hookfan_ref_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !path_.empty(); }
  // Writes `bytes` exactly into a file of this directory; returns its path ("" on failure).
  std::string Write(const std::string& name, std::string_view bytes) const {
    const std::string file = path_ + "/" + name;
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out ? file : std::string();
  }

 private:
  std::string path_;
};

StatusOr<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return Status::Io("popen failed: " + command);
  std::string output;
  char buffer[256];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int rc = pclose(pipe);
  if (rc != 0) return Status::Io("exit status " + std::to_string(rc) + ": " + command);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kDigits[u >> 4];
    out += kDigits[u & 15];
  }
  return out;
}

}  // namespace

StatusOr<std::string> ReferenceHmacSha256Hex(std::string_view key, std::string_view body) {
  ScratchDir dir;
  if (!dir.ok()) return Status::Io("mkdtemp failed");
  const std::string body_file = dir.Write("body", body);
  if (body_file.empty()) return Status::Io("cannot write the body file");
  // hexkey: the key's bytes whatever they are, and -r: "<hex> *<file>", stable across versions.
  auto output = RunCommand("openssl dgst -sha256 -r -mac HMAC -macopt hexkey:" + Hex(key) + " '" +
                           body_file + "'");
  if (!output.ok()) return output.status();
  return output->substr(0, output->find(' '));
}

StatusOr<std::string> ReferenceStandardSignature(std::string_view secret, std::string_view id,
                                                 std::string_view timestamp,
                                                 std::string_view body) {
  ScratchDir dir;
  if (!dir.ok()) return Status::Io("mkdtemp failed");
  const std::string script = dir.Write("sign.py",
                                       "import base64, hashlib, hmac, sys\n"
                                       "read = lambda p: open(p, 'rb').read()\n"
                                       "secret = read(sys.argv[1]).decode()\n"
                                       "key = base64.b64decode(secret[len('whsec_'):])\n"
                                       "message = read(sys.argv[2]) + b'.' + read(sys.argv[3]) +"
                                       " b'.' + read(sys.argv[4])\n"
                                       "digest = hmac.new(key, message, hashlib.sha256).digest()\n"
                                       "print('v1,' + base64.b64encode(digest).decode())\n");
  const std::string secret_file = dir.Write("secret", secret);
  const std::string id_file = dir.Write("id", id);
  const std::string timestamp_file = dir.Write("timestamp", timestamp);
  const std::string body_file = dir.Write("body", body);
  if (script.empty() || secret_file.empty() || id_file.empty() || timestamp_file.empty() ||
      body_file.empty()) {
    return Status::Io("cannot write the reference inputs");
  }
  return RunCommand("python3 '" + script + "' '" + secret_file + "' '" + id_file + "' '" +
                    timestamp_file + "' '" + body_file + "'");
}

}  // namespace hookfan::testing
