// The spool directory lock on a real directory: created when missing, exclusive (a second
// holder gets one clear line naming the directory), released when the holder goes away, and
// a directory that cannot be created is named in the error.
#include "engine/spool/spool_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace hookfan::engine::spool {
namespace {

class SpoolLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/hookfan_lock_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(SpoolLockTest, CreatesTheDirectoryAndRefusesASecondHolder) {
  const std::string dir = root_ + "/a/b/hookfan-data";
  auto first = SpoolLock::Acquire(dir);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir + "/LOCK"));

  // Another process (flock is per open file description, so a fork shows the real case).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto second = SpoolLock::Acquire(dir);
    const bool refused_clearly =
        !second.ok() && second.status().code() == StatusCode::kFailedPrecondition &&
        second.status().message() == "spool.dir " + dir +
                                         ": already in use by another hookfan process (" + dir +
                                         "/LOCK is locked)";
    ::_exit(refused_clearly ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the second holder was refused";

  // Released with its holder: the next one gets it.
  auto other = SpoolLock::Acquire(root_ + "/other");
  ASSERT_TRUE(other.ok());
  *first = std::move(*other);
  auto again = SpoolLock::Acquire(dir);
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(SpoolLockTest, ADirectoryThatCannotBeCreatedIsNamed) {
  const std::string file = root_ + "/plain-file";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto lock = SpoolLock::Acquire(file + "/data");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), StatusCode::kIo);
  EXPECT_EQ(
      lock.status().message().rfind("spool.dir " + file + "/data: cannot create the directory", 0),
      0u)
      << lock.status().message();
}

}  // namespace
}  // namespace hookfan::engine::spool
