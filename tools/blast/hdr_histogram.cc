#include "tools/blast/hdr_histogram.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "net/base/check.h"

namespace hookfan::tools {

namespace {

// HdrHistogram's V2 cookies with the word-size nibble 0x10 its writers set (readers mask
// that nibble off).
constexpr std::uint32_t kEncodingCookie = 0x1c849303 | 0x10;
constexpr std::uint32_t kCompressedCookie = 0x1c849304 | 0x10;
constexpr std::uint32_t kCookieMask = ~std::uint32_t{0xf0};
constexpr std::size_t kHeaderBytes = 40;
// Refuse to inflate more than this (a histogram of 1 µs..1 day at 3 digits is ~250 KiB).
constexpr std::size_t kMaxEncodedBytes = 64u << 20;

void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
std::uint64_t GetBigEndian(std::string_view bytes, std::size_t at, int size) {
  std::uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// HdrHistogram's ZigZag LEB128: 7 bits per byte for 8 bytes, the 9th byte whole.
void PutZigZag(std::string& out, std::int64_t value) {
  std::uint64_t v =
      (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((v >> 7) == 0) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
bool GetZigZag(std::string_view bytes, std::size_t& at, std::int64_t& value) {
  std::uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= bytes.size()) return false;
    const auto byte = static_cast<unsigned char>(bytes[at++]);
    if (i == 8) {
      v |= static_cast<std::uint64_t>(byte) << 56;
      break;
    }
    v |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  value = static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
  return true;
}

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("hdr histogram: " + std::string(what));
}

}  // namespace

HdrHistogram::HdrHistogram(std::int64_t lowest_discernible, std::int64_t highest_trackable,
                           int significant_digits)
    : lowest_(lowest_discernible), highest_(highest_trackable), digits_(significant_digits) {
  HOOKFAN_CHECK(lowest_ >= 1 && highest_ >= 2 * lowest_);
  HOOKFAN_CHECK(digits_ >= 0 && digits_ <= 5);
  // The layout of HdrHistogram's AbstractHistogram.init, step by step.
  const double single_unit_resolution = 2 * std::pow(10, digits_);
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::ceil(std::log2(single_unit_resolution)));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  unit_magnitude_ = 63 - std::countl_zero(static_cast<std::uint64_t>(lowest_));
  sub_bucket_count_ = std::int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = static_cast<std::uint64_t>(sub_bucket_count_ - 1) << unit_magnitude_;
  leading_zero_count_base_ = 64 - unit_magnitude_ - sub_bucket_half_count_magnitude_ - 1;
  std::int64_t smallest_untrackable = sub_bucket_count_ << unit_magnitude_;
  std::size_t buckets = 1;
  while (smallest_untrackable <= highest_) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  counts_length_ = (buckets + 1) * static_cast<std::size_t>(sub_bucket_half_count_);
}

std::size_t HdrHistogram::IndexOf(std::int64_t value) const {
  const auto v = static_cast<std::uint64_t>(value);
  const int bucket = leading_zero_count_base_ - std::countl_zero(v | sub_bucket_mask_);
  const auto sub_bucket = static_cast<std::int64_t>(v >> (bucket + unit_magnitude_));
  const std::int64_t base = static_cast<std::int64_t>(bucket + 1)
                            << sub_bucket_half_count_magnitude_;
  return static_cast<std::size_t>(base + sub_bucket - sub_bucket_half_count_);
}

std::int64_t HdrHistogram::ValueFromIndex(std::size_t index) const {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  std::int64_t sub_bucket =
      static_cast<std::int64_t>(index & static_cast<std::size_t>(sub_bucket_half_count_ - 1)) +
      sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

std::int64_t HdrHistogram::LowestEquivalent(std::int64_t value) const {
  return ValueFromIndex(IndexOf(value));
}

std::int64_t HdrHistogram::HighestEquivalent(std::int64_t value) const {
  const auto v = static_cast<std::uint64_t>(value);
  const int bucket = leading_zero_count_base_ - std::countl_zero(v | sub_bucket_mask_);
  const auto sub_bucket = static_cast<std::int64_t>(v >> (bucket + unit_magnitude_));
  const int shift = unit_magnitude_ + (sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket);
  return LowestEquivalent(value) + (std::int64_t{1} << shift) - 1;
}

void HdrHistogram::Record(std::int64_t value, std::uint64_t count) {
  if (count == 0) return;
  value = std::clamp<std::int64_t>(value, 0, highest_);
  const std::size_t index = IndexOf(value);
  if (index >= counts_.size()) counts_.resize(std::min(counts_length_, index + 1 + index / 4));
  counts_[index] += count;
  total_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void HdrHistogram::Merge(const HdrHistogram& other) {
  HOOKFAN_CHECK(other.lowest_ == lowest_ && other.highest_ == highest_ && other.digits_ == digits_);
  if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size());
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::int64_t HdrHistogram::ValueAtPercentile(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  auto rank =
      static_cast<std::uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::int64_t value = ValueFromIndex(i);
      return percentile == 0 ? LowestEquivalent(value) : HighestEquivalent(value);
    }
  }
  return 0;
}

std::string HdrHistogram::Encode() const {
  std::string out;
  PutU32(out, kEncodingCookie);
  PutU32(out, 0);  // payload length, filled in below
  PutU32(out, 0);  // normalizing index offset
  PutU32(out, static_cast<std::uint32_t>(digits_));
  PutU64(out, static_cast<std::uint64_t>(lowest_));
  PutU64(out, static_cast<std::uint64_t>(highest_));
  std::uint64_t ratio = 0;
  const double one = 1.0;  // integer to double value conversion ratio
  std::memcpy(&ratio, &one, sizeof(ratio));
  PutU64(out, ratio);
  // Counts up to the index of the largest value; a run of two or more zeros is written as
  // its negated length.
  const std::size_t limit = std::min(counts_.size(), IndexOf(max_) + 1);
  for (std::size_t i = 0; i < limit;) {
    const std::uint64_t count = counts_[i++];
    if (count != 0) {
      PutZigZag(out, static_cast<std::int64_t>(count));
      continue;
    }
    std::int64_t zeros = 1;
    while (i < limit && counts_[i] == 0) {
      ++zeros;
      ++i;
    }
    PutZigZag(out, zeros > 1 ? -zeros : 0);
  }
  if (limit == 0) PutZigZag(out, 0);  // an empty histogram still has one (zero) count
  const auto payload = static_cast<std::uint32_t>(out.size() - kHeaderBytes);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<char>(payload >> (24 - 8 * i));
  return out;
}

std::string HdrHistogram::EncodeCompressed() const {
  const std::string plain = Encode();
  uLongf size = compressBound(static_cast<uLong>(plain.size()));
  std::string out(8 + size, '\0');
  const int z = compress2(reinterpret_cast<Bytef*>(out.data() + 8), &size,
                          reinterpret_cast<const Bytef*>(plain.data()),
                          static_cast<uLong>(plain.size()), Z_DEFAULT_COMPRESSION);
  HOOKFAN_CHECK(z == Z_OK);
  out.resize(8 + size);
  std::string header;
  PutU32(header, kCompressedCookie);
  PutU32(header, static_cast<std::uint32_t>(size));
  out.replace(0, 8, header);
  return out;
}

StatusOr<HdrHistogram> HdrHistogram::DecodeCompressed(std::string_view bytes) {
  if (bytes.size() < 8) return Malformed("shorter than its header");
  const auto cookie = static_cast<std::uint32_t>(GetBigEndian(bytes, 0, 4));
  if ((cookie & kCookieMask) != (kCompressedCookie & kCookieMask)) {
    return Malformed("not a V2 compressed histogram");
  }
  const std::size_t compressed = GetBigEndian(bytes, 4, 4);
  if (compressed > bytes.size() - 8) return Malformed("truncated");
  std::string plain;
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Malformed("inflate failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + 8));
  stream.avail_in = static_cast<uInt>(compressed);
  int z = Z_OK;
  char chunk[16384];
  while (z == Z_OK && plain.size() <= kMaxEncodedBytes) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    z = inflate(&stream, Z_NO_FLUSH);
    plain.append(chunk, sizeof(chunk) - stream.avail_out);
    if (z == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  inflateEnd(&stream);
  if (z != Z_STREAM_END) return Malformed("bad deflate data");
  if (plain.size() < kHeaderBytes) return Malformed("shorter than its header");
  if ((GetBigEndian(plain, 0, 4) & kCookieMask) != (kEncodingCookie & kCookieMask)) {
    return Malformed("not a V2 encoding");
  }
  const std::size_t payload = GetBigEndian(plain, 4, 4);
  if (payload > plain.size() - kHeaderBytes) return Malformed("payload truncated");
  // Bytes 8..11, the normalizing index offset, and 32..39, the conversion ratio, are
  // ignored as HdrHistogram_c does (hdr-histogram-js writes 1 and 0 there).
  const auto digits = static_cast<int>(GetBigEndian(plain, 12, 4));
  const auto lowest = static_cast<std::int64_t>(GetBigEndian(plain, 16, 8));
  const auto highest = static_cast<std::int64_t>(GetBigEndian(plain, 24, 8));
  if (digits < 0 || digits > 5 || lowest < 1 || highest < 2 * lowest) {
    return Malformed("bad layout");
  }
  HdrHistogram histogram(lowest, highest, digits);
  std::string_view counts(plain.data() + kHeaderBytes, payload);
  std::size_t at = 0;
  std::size_t index = 0;
  while (at < counts.size()) {
    std::int64_t count = 0;
    if (!GetZigZag(counts, at, count)) return Malformed("truncated count");
    if (count < 0) {
      index += static_cast<std::size_t>(-count);
      continue;
    }
    if (index >= histogram.counts_length_) return Malformed("count past the highest value");
    if (count > 0)
      histogram.Record(histogram.ValueFromIndex(index), static_cast<std::uint64_t>(count));
    ++index;
  }
  return histogram;
}

}  // namespace hookfan::tools
