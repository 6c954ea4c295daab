#pragma once
// Fresh temporary directories and files for tests that hand paths to a hookfan process
// (configs, NDJSON inputs, state directories). Each call makes a new directory, so tests
// that run side by side under ctest -j never share a file.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>
#include <string_view>

namespace hookfan::test {

// A new directory under gtest's temporary directory; the test fails if it cannot be made.
inline std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "hookfan_XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << dir << " failed";
    return ::testing::TempDir();
  }
  return dir;
}

// `text` written to `name` in a new temporary directory; returns the file's path.
inline std::string WriteTempFile(const std::string& name, std::string_view text) {
  const std::string path = MakeTempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  EXPECT_TRUE(out.good()) << "writing " << path << " failed";
  return path;
}

}  // namespace hookfan::test
