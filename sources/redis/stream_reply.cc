#include "sources/redis/stream_reply.h"

#include <hiredis/hiredis.h>

namespace hookfan::sources {
namespace {

bool IsString(const redisReply* reply) {
  return reply != nullptr &&
         (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS);
}

std::string_view Text(const redisReply* reply) { return std::string_view(reply->str, reply->len); }

// [[id, [f, v, ...] or nil], ...]
bool ReadEntryList(const redisReply* entries, std::vector<StreamEntryView>* out) {
  if (entries->type != REDIS_REPLY_ARRAY) return false;
  for (std::size_t e = 0; e < entries->elements; ++e) {
      const redisReply* entry = entries->element[e];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || !IsString(entry->element[0])) {
        return false;
      }
      StreamEntryView view;
      view.id = Text(entry->element[0]);
      const redisReply* fields = entry->element[1];
      if (fields->type == REDIS_REPLY_NIL) {
        view.deleted = true;
      } else if (fields->type == REDIS_REPLY_ARRAY && fields->elements % 2 == 0) {
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
          if (!IsString(fields->element[f]) || !IsString(fields->element[f + 1])) return false;
          view.fields.push_back({Text(fields->element[f]), Text(fields->element[f + 1])});
        }
      } else {
        return false;
      }
      out->push_back(std::move(view));
  }
  return true;
}

}  // namespace

bool ReadStreamEntries(const redisReply* reply, std::vector<StreamEntryView>* out) {
  out->clear();
  if (reply == nullptr) return false;
  if (reply->type == REDIS_REPLY_NIL) return true;
  if (reply->type != REDIS_REPLY_ARRAY) return false;
  for (std::size_t s = 0; s < reply->elements; ++s) {
    const redisReply* stream = reply->element[s];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) return false;
    if (!ReadEntryList(stream->element[1], out)) return false;
  }
  return true;
}

bool ReadClaimedEntries(const redisReply* reply, std::string* next_cursor,
                        std::vector<StreamEntryView>* out) {
  out->clear();
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
      !IsString(reply->element[0])) {
    return false;
  }
  *next_cursor = std::string(Text(reply->element[0]));
  return ReadEntryList(reply->element[1], out);
}

bool ReadDeliveryCounts(const redisReply* reply,
                        std::vector<std::pair<std::string, std::int64_t>>* out) {
  out->clear();
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return false;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* row = reply->element[i];
    if (row->type != REDIS_REPLY_ARRAY || row->elements != 4 || !IsString(row->element[0]) ||
        row->element[3]->type != REDIS_REPLY_INTEGER) {
      return false;
    }
    out->emplace_back(std::string(Text(row->element[0])), row->element[3]->integer);
  }
  return true;
}

bool ReadGroupInfo(const redisReply* reply, std::string_view group, GroupInfo* out) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return false;
  for (std::size_t g = 0; g < reply->elements; ++g) {
    const redisReply* info = reply->element[g];
    if (info->type != REDIS_REPLY_ARRAY) continue;
    GroupInfo found;
    bool is_group = false;
    for (std::size_t i = 0; i + 1 < info->elements; i += 2) {
      if (!IsString(info->element[i])) continue;
      const std::string_view key = Text(info->element[i]);
      const redisReply* value = info->element[i + 1];
      if (key == "name") is_group = IsString(value) && Text(value) == group;
      if (key == "pending" && value->type == REDIS_REPLY_INTEGER) found.pending = value->integer;
      if (key == "lag" && value->type == REDIS_REPLY_INTEGER) found.lag = value->integer;
    }
    if (is_group) {
      *out = found;
      return true;
    }
  }
  return false;
}

}  // namespace hookfan::sources
