// Spool segments on a real temporary directory: records round-trip; a torn last record and a
// flipped byte in the middle are detected, what precedes them is kept, what follows is
// reported and truncated; an unknown record type is refused without touching the file.
#include "engine/spool/segment_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace hookfan::engine::spool {
namespace {

class SegmentFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/hookfan_segment_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/00000001.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `count` records of distinct payloads through SegmentFile and syncs.
  void WriteRecords(int count) {
    auto file = SegmentFile::Open(path_, nullptr);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    for (int i = 0; i < count; ++i) {
      std::string framed;
      AppendFrame(RecordType::kEventAccepted, Payload(i), &framed);
      ASSERT_TRUE(file->Append(framed).ok());
    }
    ASSERT_TRUE(file->Sync().ok());
  }
  static std::string Payload(int i) {
    return "event-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 7) * 10, 'x');
  }
  std::uint64_t FileSize() const { return std::filesystem::file_size(path_); }
  void FlipByteAt(std::uint64_t offset) {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SegmentFileTest, RecordsRoundTripInOrderAcrossReopen) {
  WriteRecords(100);
  {  // appending after a reopen continues the same file
    auto file = SegmentFile::Open(path_, nullptr);
    ASSERT_TRUE(file.ok());
    std::string framed;
    AppendFrame(RecordType::kFates, "fates", &framed);
    ASSERT_TRUE(file->Append(framed).ok());
  }
  auto contents = ReadSegment(path_);
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  ASSERT_EQ(contents->scan.records.size(), 101u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(contents->scan.records[i].type, RecordType::kEventAccepted);
    EXPECT_EQ(contents->scan.records[i].payload, Payload(i));
  }
  EXPECT_EQ(contents->scan.records[100].type, RecordType::kFates);
  EXPECT_EQ(contents->scan.records[100].payload, "fates");
  EXPECT_EQ(contents->scan.lost_bytes, 0u);
  EXPECT_TRUE(contents->scan.problem.empty());
}

TEST_F(SegmentFileTest, TornLastRecordIsReportedAndTruncated) {
  WriteRecords(10);
  const std::uint64_t full = FileSize();
  std::filesystem::resize_file(path_, full - 5);  // the crash hit mid-write
  SegmentContents recovered;
  auto file = SegmentFile::Open(path_, &recovered);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(recovered.scan.records.size(), 9u);
  EXPECT_EQ(recovered.scan.records.back().payload, Payload(8));
  const std::uint64_t last_frame = kFrameHeaderBytes + Payload(9).size();
  EXPECT_EQ(recovered.scan.lost_bytes, last_frame - 5);
  EXPECT_NE(recovered.scan.problem.find("torn record"), std::string::npos)
      << recovered.scan.problem;
  EXPECT_EQ(FileSize(), full - last_frame) << "the torn tail is cut off";

  // A new record lands right after the last valid one and reads back.
  std::string framed;
  AppendFrame(RecordType::kRetries, "after", &framed);
  ASSERT_TRUE(file->Append(framed).ok());
  auto contents = ReadSegment(path_);
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->scan.records.size(), 10u);
  EXPECT_EQ(contents->scan.records.back().payload, "after");
  EXPECT_TRUE(contents->scan.problem.empty());
}

TEST_F(SegmentFileTest, FlippedByteMidSegmentKeepsWhatPrecedesIt) {
  WriteRecords(50);
  auto before = ReadSegment(path_);
  ASSERT_TRUE(before.ok());
  const std::uint64_t record20 = before->scan.records[20].offset;
  FlipByteAt(record20 + kFrameHeaderBytes + 2);  // inside record 20's payload
  auto after = ReadSegment(path_);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->scan.records.size(), 20u);
  EXPECT_EQ(after->scan.records.back().payload, Payload(19));
  EXPECT_EQ(after->scan.valid_bytes, record20);
  EXPECT_EQ(after->scan.lost_bytes, FileSize() - record20);
  EXPECT_NE(after->scan.problem.find("checksum mismatch at offset " + std::to_string(record20)),
            std::string::npos)
      << after->scan.problem;

  // A flipped length byte is caught too (the checksum covers the header).
  std::filesystem::remove(path_);
  WriteRecords(5);
  auto clean = ReadSegment(path_);
  ASSERT_TRUE(clean.ok());
  FlipByteAt(clean->scan.records[3].offset);
  auto bad_length = ReadSegment(path_);
  ASSERT_TRUE(bad_length.ok());
  EXPECT_EQ(bad_length->scan.records.size(), 3u);
  EXPECT_FALSE(bad_length->scan.problem.empty());
}

TEST_F(SegmentFileTest, UnknownRecordTypeIsRefusedAndTheFileLeftAlone) {
  std::string framed;
  AppendFrame(RecordType::kEventAccepted, "known", &framed);
  AppendFrame(static_cast<RecordType>(42), "from a newer version", &framed);
  std::ofstream(path_, std::ios::binary) << framed;
  auto file = SegmentFile::Open(path_, nullptr);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(file.status().message().find("unknown record type 42 at offset 21"), std::string::npos)
      << file.status().message();
  EXPECT_EQ(FileSize(), framed.size()) << "never truncated";
}

}  // namespace
}  // namespace hookfan::engine::spool
