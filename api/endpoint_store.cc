#include "api/endpoint_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hookfan::tools {
namespace {

// Finalizes a statement whatever path leaves the scope.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

}  // namespace

StatusOr<std::unique_ptr<EndpointStore>> EndpointStore::Open(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::Io(dir + ": cannot create the state directory: " + error.message());
  const std::string path = dir + "/endpoints.sqlite3";
  // Created 0600 before SQLite opens it: the rows hold signing secrets.
  const mode_t old_mask = ::umask(077);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  ::umask(old_mask);
  std::unique_ptr<EndpointStore> store(new EndpointStore(db, path));
  if (rc != SQLITE_OK) return store->Error("cannot open");
  sqlite3_busy_timeout(db, 5000);
  HOOKFAN_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  HOOKFAN_RETURN_IF_ERROR(store->Exec(
      "CREATE TABLE IF NOT EXISTS endpoints ("
      " id TEXT PRIMARY KEY, owner TEXT NOT NULL, config_json TEXT NOT NULL,"
      " profile TEXT NOT NULL, disabled INTEGER NOT NULL, created_unix_ms INTEGER NOT NULL,"
      " rotation_ends_unix_ms INTEGER NOT NULL)"));
  return store;
}

EndpointStore::~EndpointStore() { sqlite3_close(db_); }

Status EndpointStore::Error(const std::string& what) const {
  return Status::Io(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

Status EndpointStore::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return Status::Io(path_ + ": " + text);
  }
  return Status::Ok();
}

StatusOr<std::vector<StoredEndpoint>> EndpointStore::LoadAll() {
  Statement s;
  if (sqlite3_prepare_v2(db_,
                         "SELECT id, owner, config_json, profile, disabled, created_unix_ms,"
                         " rotation_ends_unix_ms FROM endpoints ORDER BY id",
                         -1, &s.stmt, nullptr) != SQLITE_OK) {
    return Error("cannot read");
  }
  std::vector<StoredEndpoint> out;
  int rc;
  auto text = [&](int column) {
    const unsigned char* value = sqlite3_column_text(s.stmt, column);
    return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
  };
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    StoredEndpoint e;
    e.id = text(0);
    e.owner = text(1);
    e.config_json = text(2);
    e.profile = text(3);
    e.disabled = sqlite3_column_int(s.stmt, 4) != 0;
    e.created_unix_ms = sqlite3_column_int64(s.stmt, 5);
    e.rotation_ends_unix_ms = sqlite3_column_int64(s.stmt, 6);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return Error("cannot read");
  return out;
}

Status EndpointStore::Put(const StoredEndpoint& e) {
  Statement s;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO endpoints (id, owner, config_json, profile,"
                         " disabled, created_unix_ms, rotation_ends_unix_ms)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         -1, &s.stmt, nullptr) != SQLITE_OK) {
    return Error("cannot write");
  }
  sqlite3_bind_text(s.stmt, 1, e.id.data(), static_cast<int>(e.id.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.stmt, 2, e.owner.data(), static_cast<int>(e.owner.size()), SQLITE_STATIC);
  sqlite3_bind_text(s.stmt, 3, e.config_json.data(), static_cast<int>(e.config_json.size()),
                    SQLITE_STATIC);
  sqlite3_bind_text(s.stmt, 4, e.profile.data(), static_cast<int>(e.profile.size()), SQLITE_STATIC);
  sqlite3_bind_int(s.stmt, 5, e.disabled ? 1 : 0);
  sqlite3_bind_int64(s.stmt, 6, e.created_unix_ms);
  sqlite3_bind_int64(s.stmt, 7, e.rotation_ends_unix_ms);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) return Error("cannot write");
  return Status::Ok();
}

Status EndpointStore::Delete(const std::string& id) {
  Statement s;
  if (sqlite3_prepare_v2(db_, "DELETE FROM endpoints WHERE id = ?", -1, &s.stmt, nullptr) !=
      SQLITE_OK) {
    return Error("cannot delete");
  }
  sqlite3_bind_text(s.stmt, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) return Error("cannot delete");
  return Status::Ok();
}

}  // namespace hookfan::tools
