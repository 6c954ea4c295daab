#include "net/base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan {
namespace {

// RFC 4648, section 10 ("Test Vectors").
struct Vector {
  std::string_view raw;
  std::string_view encoded;
};
constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64Test, EncodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(v.raw), v.encoded) << v.raw;
    EXPECT_EQ(Base64EncodedSize(v.raw.size()), v.encoded.size());
  }
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    StatusOr<std::string> decoded = Base64Decode(v.encoded);
    ASSERT_TRUE(decoded.ok()) << v.encoded << ": " << decoded.status().message();
    EXPECT_EQ(*decoded, v.raw);
  }
}

TEST(Base64Test, PaddingIsOptionalButMustBeRightWhenPresent) {
  EXPECT_EQ(*Base64Decode("Zg"), "f");
  EXPECT_EQ(*Base64Decode("Zm8"), "fo");
  EXPECT_EQ(*Base64Decode("Zm9vYg"), "foob");

  EXPECT_EQ(Base64Decode("Zg=").status().message(),
            "not base64: wrong padding (1 '=' after 2 characters)");
  EXPECT_EQ(Base64Decode("Zm8==").status().message(),
            "not base64: wrong padding (2 '=' after 3 characters)");
  EXPECT_EQ(Base64Decode("Zm9v=").status().message(),
            "not base64: wrong padding (1 '=' after 4 characters)");
  EXPECT_EQ(Base64Decode("Zg===").status().message(),
            "not base64: wrong padding (3 '=' after 2 characters)");
  EXPECT_EQ(Base64Decode("====").status().message(),
            "not base64: wrong padding (4 '=' after 0 characters)");
}

TEST(Base64Test, RefusesPaddingInTheMiddle) {
  StatusOr<std::string> decoded = Base64Decode("Zg==Zg==");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "not base64: unexpected '=' at offset 2");
}

TEST(Base64Test, RefusesCharactersOutsideTheStandardAlphabet) {
  EXPECT_EQ(Base64Decode("Zm9v!").status().message(), "not base64: unexpected '!' at offset 4");
  // URL-safe base64 is a different alphabet: '-' and '_' are not accepted silently.
  EXPECT_EQ(Base64Decode("ab-_").status().message(), "not base64: unexpected '-' at offset 2");
  EXPECT_EQ(Base64Decode(std::string("Zm\0v", 4)).status().message(),
            "not base64: unexpected byte 0x00 at offset 2");
  EXPECT_EQ(Base64Decode("Zm9v\xc3\xa9").status().message(),
            "not base64: unexpected byte 0xc3 at offset 4");
}

TEST(Base64Test, RefusesWhitespaceAnywhere) {
  EXPECT_EQ(Base64Decode(" Zm9v").status().message(),
            "not base64: unexpected whitespace (0x20) at offset 0");
  EXPECT_EQ(Base64Decode("Zm 9v").status().message(),
            "not base64: unexpected whitespace (0x20) at offset 2");
  EXPECT_EQ(Base64Decode("Zm9v\n").status().message(),
            "not base64: unexpected whitespace (0x0a) at offset 4");
  EXPECT_EQ(Base64Decode("Zm9v\r\n").status().message(),
            "not base64: unexpected whitespace (0x0d) at offset 4");
  EXPECT_EQ(Base64Decode("Zm\t9v").status().message(),
            "not base64: unexpected whitespace (0x09) at offset 2");
}

TEST(Base64Test, RefusesALoneFinalCharacter) {
  EXPECT_EQ(Base64Decode("Zm9vY").status().message(),
            "not base64: truncated (5 characters leave a lone final character)");
  EXPECT_EQ(Base64Decode("Z").status().message(),
            "not base64: truncated (1 characters leave a lone final character)");
}

TEST(Base64Test, RefusesNonCanonicalFinalCharacter) {
  // "Zg" is 'f'; "Zh" carries the same byte plus set unused bits.
  EXPECT_EQ(Base64Decode("Zh==").status().message(),
            "not base64: non-canonical final character 'h' (its unused bits are set)");
  EXPECT_EQ(Base64Decode("Zm9=").status().message(),
            "not base64: non-canonical final character '9' (its unused bits are set)");
}

TEST(Base64Test, RoundTripsEveryByteValueAndLength) {
  std::string raw;
  for (int i = 0; i < 256; ++i) raw.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= raw.size(); ++length) {
    const std::string_view part(raw.data(), length);
    const std::string encoded = Base64Encode(part);
    StatusOr<std::string> decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << length << ": " << decoded.status().message();
    ASSERT_EQ(*decoded, part) << length;
  }
}

TEST(Base64Test, EncodeIntoBufferWritesExactlyTheEncodedSize) {
  char buffer[16];
  std::fill(std::begin(buffer), std::end(buffer), '#');
  Base64Encode("fooba", buffer);
  EXPECT_EQ(std::string_view(buffer, 8), "Zm9vYmE=");
  EXPECT_EQ(buffer[8], '#');
}

}  // namespace
}  // namespace hookfan
