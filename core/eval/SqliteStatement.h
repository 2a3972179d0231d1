#pragma once
// A prepared SQLite statement that finalises itself, with typed binds and column reads: the
// run file's and the worklist's one way of talking to SQLite. An error names the file (and
// SQLite's reason).
#include "Error.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace spinelens::eval {

// A prepared statement that finalises itself.
class SqliteStatement {
public:
    SqliteStatement(sqlite3* db, const char* sql, const std::string& file) : db_(db), file_(file) {
        if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
            throw Error(std::string("query failed (") + sqlite3_errmsg(db) + ")", file);
    }
    ~SqliteStatement() { sqlite3_finalize(s_); }
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    SqliteStatement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    SqliteStatement& bind(int i, double v) {
        sqlite3_bind_double(s_, i, v);
        return *this;
    }
    SqliteStatement& bind(int i, const std::string& v) {
        sqlite3_bind_text(s_, i, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    SqliteStatement& bindBlob(int i, const void* data, std::size_t bytes) {
        sqlite3_bind_blob(s_, i, data, int(bytes), SQLITE_TRANSIENT);
        return *this;
    }
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            throw Error(std::string("write failed (") + sqlite3_errmsg(db_) + ")", file_);
        return false;
    }
    std::int64_t integer(int c) const { return sqlite3_column_int64(s_, c); }
    double real(int c) const { return sqlite3_column_double(s_, c); }
    bool isNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    std::string text(int c) const {
        const auto* t = sqlite3_column_text(s_, c);
        return t ? reinterpret_cast<const char*>(t) : "";
    }
    template <typename T> std::vector<T> blob(int c) const {
        // SQLite's advice: ask for the pointer first, then its size.
        const void* data = sqlite3_column_blob(s_, c);
        const int bytes = sqlite3_column_bytes(s_, c);
        std::vector<T> out(data ? std::size_t(bytes) / sizeof(T) : 0);
        if (!out.empty())
            std::memcpy(out.data(), data, out.size() * sizeof(T));
        return out;
    }

private:
    sqlite3* db_;
    std::string file_;
    sqlite3_stmt* s_ = nullptr;
};

} // namespace spinelens::eval
