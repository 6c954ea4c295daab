#pragma once
// A small streaming JSON writer for what hookfan prints and serves (stats, summaries, API
// answers). It escapes strings correctly (control characters, quotes, invalid UTF-8 is
// passed through as bytes: callers only write text they produced or validated) and places
// commas itself.
//
//   JsonWriter json;
//   json.BeginObject();
//   json.Key("delivered").Int(42);
//   json.Key("endpoints").BeginArray().String("a").EndArray();
//   json.EndObject();
//   std::string text = json.Take();   // {"delivered":42,"endpoints":["a"]}

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Uint(std::uint64_t value);
  JsonWriter& Double(double value);  // non-finite values are written as null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-valid JSON text as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

  static void AppendEscaped(std::string_view value, std::string* out);

 private:
  void BeforeValue();

  std::string out_;
  // Per open container: whether a value was written (so the next needs a comma).
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace hookfan
