#pragma once
// Where API-made endpoints live across restarts: one SQLite database in serve's state
// directory (`<dir>/endpoints.sqlite3`, mode 0600: it holds signing secrets). Each change is
// one transaction, so a crash leaves either the old or the new row, never half of one.
// Config-file endpoints are never stored: the file is their source of truth.
//
//   auto store = EndpointStore::Open("hookfan-data");
//   HOOKFAN_RETURN_IF_ERROR((*store)->Put(record));
//   for (const StoredEndpoint& e : *(*store)->LoadAll()) ...
//
// One thread at a time (serve's API loop).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/base/status.h"

struct sqlite3;

namespace hookfan::tools {

struct StoredEndpoint {
  std::string id;
  std::string owner;        // "" (admin) or "sha256:<hex>" of the tenant's token
  std::string config_json;  // api/endpoint_json.h, secrets included
  std::string profile;      // as given at creation, for display
  bool disabled = false;    // disabled over the API (the breaker never sets this)
  std::int64_t created_unix_ms = 0;
  // Secret rotation: until then the previous secret (the last of the config's secrets)
  // signs alongside the new one; 0 when no rotation is under way.
  std::int64_t rotation_ends_unix_ms = 0;
};

class EndpointStore {
 public:
  // Creates the directory (and parents) when missing. Errors name the path.
  static StatusOr<std::unique_ptr<EndpointStore>> Open(const std::string& dir);
  ~EndpointStore();
  EndpointStore(const EndpointStore&) = delete;
  EndpointStore& operator=(const EndpointStore&) = delete;

  StatusOr<std::vector<StoredEndpoint>> LoadAll();
  Status Put(const StoredEndpoint& endpoint);  // insert or replace, by id
  Status Delete(const std::string& id);

  const std::string& path() const { return path_; }

 private:
  EndpointStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status Error(const std::string& what) const;

  sqlite3* db_;
  std::string path_;
};

}  // namespace hookfan::tools
