#include "engine/spool/record_frame.h"

#include <xxhash.h>

#include <cstring>

namespace hookfan::engine::spool {
namespace {

void PutU32(std::uint32_t v, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(std::uint64_t v, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t GetLe(const char* in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

std::uint64_t Checksum(const char* header8, std::string_view payload) {
  XXH64_state_t* state = XXH64_createState();
  XXH64_reset(state, 0);
  XXH64_update(state, header8, 8);
  XXH64_update(state, payload.data(), payload.size());
  const std::uint64_t sum = XXH64_digest(state);
  XXH64_freeState(state);
  return sum;
}

}  // namespace

bool IsKnownRecordType(std::uint8_t type) { return type >= 1 && type <= 6; }

void AppendFrame(RecordType type, std::string_view payload, std::string* out) {
  char header[kFrameHeaderBytes] = {};
  PutU32(static_cast<std::uint32_t>(payload.size()), header);
  header[4] = static_cast<char>(type);
  PutU64(Checksum(header, payload), header + 8);
  out->append(header, kFrameHeaderBytes);
  out->append(payload);
}

StatusOr<ScanResult> ScanFrames(std::string_view bytes) {
  ScanResult result;
  std::uint64_t offset = 0;
  auto stop = [&](std::string problem) {
    result.valid_bytes = offset;
    result.lost_bytes = bytes.size() - offset;
    result.problem = std::move(problem) + " at offset " + std::to_string(offset) + ", " +
                     std::to_string(result.lost_bytes) + " bytes after it dropped";
  };
  while (offset < bytes.size()) {
    const std::uint64_t left = bytes.size() - offset;
    const char* header = bytes.data() + offset;
    if (left < kFrameHeaderBytes) {
      stop("torn record header (" + std::to_string(left) + " of 16 bytes)");
      return result;
    }
    const auto length = static_cast<std::uint32_t>(GetLe(header, 4));
    if (length > kMaxRecordBytes || header[5] != 0 || header[6] != 0 || header[7] != 0) {
      stop("corrupt record header");
      return result;
    }
    if (left - kFrameHeaderBytes < length) {
      stop("torn record (" + std::to_string(left - kFrameHeaderBytes) + " of " +
           std::to_string(length) + " payload bytes)");
      return result;
    }
    const std::string_view payload(header + kFrameHeaderBytes, length);
    if (Checksum(header, payload) != GetLe(header + 8, 8)) {
      stop("checksum mismatch");
      return result;
    }
    const auto type = static_cast<std::uint8_t>(header[4]);
    if (!IsKnownRecordType(type)) {
      return Status::FailedPrecondition(
          "unknown record type " + std::to_string(type) + " at offset " + std::to_string(offset) +
          " (written by a newer hookfan?); refusing to read or truncate this spool");
    }
    result.records.push_back({static_cast<RecordType>(type), payload, offset});
    offset += kFrameHeaderBytes + length;
  }
  result.valid_bytes = offset;
  return result;
}

}  // namespace hookfan::engine::spool
