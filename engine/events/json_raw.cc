#include "engine/events/json_raw.h"

namespace hookfan::engine {
namespace {

namespace od = simdjson::ondemand;

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

simdjson::error_code RawJsonValue(od::value value, std::string_view* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  std::string_view raw;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      if (auto error = object.raw_json().get(raw)) return error;
      break;
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return error;
      if (auto error = array.raw_json().get(raw)) return error;
      break;
    }
    default:
      raw = value.raw_json_token();
      break;
  }
  // simdjson's raw views run up to the next structural character, so they include the
  // whitespace after the value (objects and arrays too); the value ends before it.
  *out = TrimRight(raw);
  return simdjson::SUCCESS;
}

}  // namespace hookfan::engine
