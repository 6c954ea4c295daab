#include "net/base/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace hookfan {
namespace {

TEST(JsonWriterTest, NestedContainersGetCommasRight) {
  JsonWriter json;
  json.BeginObject();
  json.Key("a").Int(-1);
  json.Key("b").BeginArray().Uint(1).String("x").Bool(true).Null().EndArray();
  json.Key("c").BeginObject().Key("d").Double(1.5).EndObject();
  json.Key("e").Raw(R"({"z":[]})");
  json.EndObject();
  EXPECT_EQ(json.text(), R"({"a":-1,"b":[1,"x",true,null],"c":{"d":1.5},"e":{"z":[]}})");
}

TEST(JsonWriterTest, EscapesEverythingAParserNeeds) {
  JsonWriter json;
  const std::string nasty = std::string("q\"b\\n\n\r\t\x01\x1f\x7f", 11) + "é";
  json.BeginObject().Key(nasty).String(nasty).EndObject();
  // A real parser must read back the exact string.
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.text());
  simdjson::dom::object object;
  ASSERT_EQ(parser.parse(padded).get(object), simdjson::SUCCESS) << json.text();
  std::string_view value;
  ASSERT_EQ(object[nasty].get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, nasty);
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  JsonWriter json;
  json.BeginArray().Double(1.0 / 0.0).Double(0.25).EndArray();
  EXPECT_EQ(json.text(), "[null,0.25]");
}

}  // namespace
}  // namespace hookfan
