#include "worklist/Worklist.h"

#include "Error.h"
#include "eval/SqliteStatement.h"
#include "util/JsonOrText.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <pwd.h>
#include <unistd.h>

namespace spinelens::worklist {
namespace {

using eval::SqliteStatement;

// PRAGMA application_id "SPWL": a worklist file, not a run file or someone else's database.
constexpr int kApplicationId = 0x5350574C;
constexpr int kSchemaVersion = 1;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS studies(
  study_uid TEXT PRIMARY KEY, patient_name TEXT, patient_id TEXT, study_date TEXT,
  modalities TEXT, description TEXT, source TEXT, arrived_at TEXT, arrived_clock REAL,
  lane TEXT NOT NULL DEFAULT 'pending', score REAL DEFAULT 0, flagged INTEGER DEFAULT 0,
  model TEXT, model_version TEXT, model_hash TEXT, threshold REAL, threshold_id INTEGER,
  best_path TEXT, best_series_uid TEXT, best_slice INTEGER DEFAULT -1, probabilities TEXT,
  domain TEXT, problem TEXT, synthetic_note TEXT, triaged_at TEXT, triage_seconds REAL DEFAULT -1,
  state TEXT NOT NULL DEFAULT 'new', verdict TEXT, reason TEXT, note TEXT, decided_by TEXT,
  decided_at TEXT);
CREATE TABLE IF NOT EXISTS thresholds(
  id INTEGER PRIMARY KEY, model TEXT NOT NULL, value REAL NOT NULL, provenance TEXT,
  set_at TEXT, set_by TEXT);
CREATE TABLE IF NOT EXISTS assignments(
  modality TEXT PRIMARY KEY, folder TEXT NOT NULL, model TEXT, version TEXT, hash TEXT,
  set_at TEXT, set_by TEXT);
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT, event TEXT NOT NULL, study_uid TEXT,
  body TEXT, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE INDEX IF NOT EXISTS audit_by_study ON audit(study_uid, seq);
)sql";

double epochSeconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* const kEntryColumns =
    "study_uid, patient_name, patient_id, study_date, modalities, description, source, "
    "arrived_at, lane, score, flagged, model, model_version, model_hash, threshold, "
    "threshold_id, best_path, best_series_uid, best_slice, probabilities, domain, problem, "
    "synthetic_note, triaged_at, triage_seconds, state, verdict, reason, note, decided_by, "
    "decided_at";

Entry readEntry(const SqliteStatement& s) {
    Entry e;
    int c = 0;
    e.studyUid = s.text(c++);
    e.patientName = s.text(c++);
    e.patientId = s.text(c++);
    e.studyDate = s.text(c++);
    e.modalities = s.text(c++);
    e.description = s.text(c++);
    e.source = s.text(c++);
    e.arrivedAt = s.text(c++);
    TriageOutcome& t = e.triage;
    t.lane = laneFromName(s.text(c++));
    t.score = s.real(c++);
    t.flagged = s.integer(c++) != 0;
    t.model = s.text(c++);
    t.modelVersion = s.text(c++);
    t.modelHash = s.text(c++);
    t.threshold.value = s.isNull(c) ? 0.5 : s.real(c);
    ++c;
    t.threshold.id = s.integer(c++);
    t.threshold.model = t.model;
    t.bestPath = s.text(c++);
    t.bestSeriesUid = s.text(c++);
    t.bestSlice = int(s.integer(c++));
    t.probabilities = s.text(c++);
    t.domain = s.text(c++);
    t.problem = s.text(c++);
    t.syntheticNote = s.text(c++);
    e.triagedAt = s.text(c++);
    e.arrivalToTriageSeconds = s.real(c++);
    const std::string state = s.text(c++);
    e.state = state == "decided"     ? ReviewState::Decided
              : state == "in-review" ? ReviewState::InReview
                                     : ReviewState::New;
    if (!s.isNull(c)) {
        Decision d;
        d.verdict = s.text(c);
        d.reason = s.text(c + 1);
        d.note = s.text(c + 2);
        d.user = s.text(c + 3);
        d.at = s.text(c + 4);
        e.decision = d;
    }
    return e;
}

} // namespace

std::string laneName(Lane lane) {
    switch (lane) {
    case Lane::Flagged:
        return "flagged";
    case Lane::NotFlagged:
        return "not-flagged";
    case Lane::NotAssessed:
        return "not-assessed";
    default:
        return "pending";
    }
}

Lane laneFromName(const std::string& name) {
    return name == "flagged"        ? Lane::Flagged
           : name == "not-flagged"  ? Lane::NotFlagged
           : name == "not-assessed" ? Lane::NotAssessed
                                    : Lane::Pending;
}

std::string stateName(ReviewState state) {
    return state == ReviewState::Decided    ? "decided"
           : state == ReviewState::InReview ? "in-review"
                                            : "new";
}

std::string currentUser() {
    if (const char* u = std::getenv("SPINELENS_USER"); u && *u)
        return u;
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name)
        return pw->pw_name;
    if (const char* u = std::getenv("USER"); u && *u)
        return u;
    return "unknown";
}

std::string utcNow() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
    return buf;
}

std::unique_ptr<WorklistDb> WorklistDb::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw Error("cannot open the worklist (" + why + ")", path);
    }
    std::unique_ptr<WorklistDb> w(new WorklistDb(path, db));
    sqlite3_busy_timeout(db, 5000); // the viewer and the CLI may share the file
    int appId = 0, version = 0;
    bool empty = true;
    // Read and finished before the WAL switch below (an unfinished statement is an open
    // transaction, in which the journal mode cannot change).
    try {
        SqliteStatement a(db, "PRAGMA application_id", path);
        if (a.step())
            appId = int(a.integer(0));
        SqliteStatement v(db, "PRAGMA user_version", path);
        if (v.step())
            version = int(v.integer(0));
        SqliteStatement tables(db, "SELECT count(*) FROM sqlite_master", path);
        tables.step();
        empty = tables.integer(0) == 0;
    } catch (const Error&) {
        throw Error("not a SpineLens worklist (not an SQLite database)", path);
    }
    if (!empty && appId != kApplicationId)
        throw Error("not a SpineLens worklist (another program's database)", path);
    if (!empty && version > kSchemaVersion)
        throw Error(
            "written by a newer SpineLens (worklist schema " + std::to_string(version) + ")", path);
    w->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    w->exec(std::string("BEGIN IMMEDIATE; ") + kSchema +
            "PRAGMA application_id=" + std::to_string(kApplicationId) +
            "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + "; COMMIT;");
    return w;
}

WorklistDb::WorklistDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

WorklistDb::~WorklistDb() {
    sqlite3_close(db_);
}

void WorklistDb::exec(const std::string& sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string why = message ? message : "unknown error";
        sqlite3_free(message);
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw Error("worklist write failed (" + why + ")", path_);
    }
}

void WorklistDb::rollback() const noexcept {
    // Quietly: the error being thrown is the one to report, not "no transaction is active".
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool WorklistDb::addArrival(const Entry& e, const std::string& user, double arrivedAt) {
    exec("BEGIN IMMEDIATE");
    try {
        bool known = false;
        {
            SqliteStatement q(db_, "SELECT 1 FROM studies WHERE study_uid = ?", path_);
            q.bind(1, e.studyUid);
            known = q.step();
        }
        const double clock = arrivedAt > 0 ? arrivedAt : epochSeconds();
        if (known) {
            SqliteStatement u(
                db_, "UPDATE studies SET source = ?, arrived_clock = ? WHERE study_uid = ?", path_);
            u.bind(1, e.source).bind(2, clock).bind(3, e.studyUid).step();
        } else {
            SqliteStatement i(db_,
                              "INSERT INTO studies(study_uid, patient_name, patient_id, "
                              "study_date, modalities, description, source, arrived_at, "
                              "arrived_clock) VALUES(?,?,?,?,?,?,?,?,?)",
                              path_);
            i.bind(1, e.studyUid)
                .bind(2, e.patientName)
                .bind(3, e.patientId)
                .bind(4, e.studyDate)
                .bind(5, e.modalities)
                .bind(6, e.description)
                .bind(7, e.source)
                .bind(8, utcNow())
                .bind(9, clock)
                .step();
        }
        appendAudit(known ? "arrival-again" : "arrival", e.studyUid,
                    nlohmann::json{{"source", e.source}, {"modalities", e.modalities}}.dump(),
                    user);
        exec("COMMIT");
        return !known;
    } catch (...) {
        rollback();
        throw;
    }
}

void WorklistDb::setTriage(const std::string& studyUid, const TriageOutcome& t,
                           const std::string& user) {
    exec("BEGIN IMMEDIATE");
    try {
        double arrived = 0;
        std::string decidedVerdict, decidedLane; // what a decision, if any, was about
        double decidedScore = 0;
        {
            SqliteStatement q(db_,
                              "SELECT arrived_clock, verdict, lane, score FROM studies WHERE "
                              "study_uid = ?",
                              path_);
            q.bind(1, studyUid);
            if (!q.step())
                throw Error("no such study in the worklist: " + studyUid, path_);
            arrived = q.real(0);
            decidedVerdict = q.text(1);
            decidedLane = q.text(2);
            decidedScore = q.real(3);
        }
        SqliteStatement u(db_,
                          "UPDATE studies SET lane=?, score=?, flagged=?, model=?, "
                          "model_version=?, model_hash=?, threshold=?, threshold_id=?, "
                          "best_path=?, best_series_uid=?, best_slice=?, probabilities=?, "
                          "domain=?, problem=?, synthetic_note=?, triaged_at=?, "
                          "triage_seconds=? WHERE study_uid=?",
                          path_);
        u.bind(1, laneName(t.lane))
            .bind(2, t.score)
            .bind(3, std::int64_t(t.flagged))
            .bind(4, t.model)
            .bind(5, t.modelVersion)
            .bind(6, t.modelHash)
            .bind(7, t.threshold.value)
            .bind(8, t.threshold.id)
            .bind(9, t.bestPath)
            .bind(10, t.bestSeriesUid)
            .bind(11, std::int64_t(t.bestSlice))
            .bind(12, t.probabilities)
            .bind(13, t.domain)
            .bind(14, t.problem)
            .bind(15, t.syntheticNote)
            .bind(16, utcNow())
            .bind(17, arrived > 0 ? epochSeconds() - arrived : -1.0)
            .bind(18, studyUid)
            .step();
        // Every figure at full precision (a threshold chosen just above a score must stay
        // above it in the record), the provenance as the JSON it is.
        nlohmann::json body{{"lane", laneName(t.lane)},
                            {"score", t.score},
                            {"flagged", t.flagged},
                            {"model", t.model},
                            {"version", t.modelVersion},
                            {"modelHash", t.modelHash},
                            {"threshold", t.threshold.value},
                            {"thresholdId", t.threshold.id},
                            {"thresholdProvenance", jsonOrText(t.threshold.provenance)},
                            {"problem", t.problem}};
        // A decision was about the result it saw: when a new triage changes that result, the
        // study is new again (the old decision stays in this log).
        if (!decidedVerdict.empty() &&
            (decidedLane != laneName(t.lane) || std::abs(decidedScore - t.score) > 1e-12)) {
            SqliteStatement reset(db_,
                                  "UPDATE studies SET state='new', verdict=NULL, reason=NULL, "
                                  "note=NULL, decided_by=NULL, decided_at=NULL WHERE study_uid=?",
                                  path_);
            reset.bind(1, studyUid).step();
            body["decisionWithdrawn"] = decidedVerdict;
        }
        appendAudit("triage", studyUid, body.dump(), user);
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

void WorklistDb::markInReview(const std::string& studyUid, const std::string& user) {
    exec("BEGIN IMMEDIATE");
    try {
        SqliteStatement u(
            db_, "UPDATE studies SET state='in-review' WHERE study_uid=? AND state='new'", path_);
        u.bind(1, studyUid).step();
        if (sqlite3_changes(db_) > 0)
            appendAudit("review-opened", studyUid, "{}", user);
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

void WorklistDb::decide(const std::string& studyUid, const Decision& d) {
    if (d.verdict != "agree" && d.verdict != "disagree" && d.verdict != "uncertain")
        throw Error("a decision is agree, disagree or uncertain, not \"" + d.verdict + "\"");
    exec("BEGIN IMMEDIATE");
    try {
        std::string before;
        {
            SqliteStatement q(db_, "SELECT verdict FROM studies WHERE study_uid = ?", path_);
            q.bind(1, studyUid);
            if (!q.step())
                throw Error("no such study in the worklist: " + studyUid, path_);
            before = q.text(0);
        }
        const std::string at = d.at.empty() ? utcNow() : d.at;
        SqliteStatement u(db_,
                          "UPDATE studies SET state='decided', verdict=?, reason=?, note=?, "
                          "decided_by=?, decided_at=? WHERE study_uid=?",
                          path_);
        u.bind(1, d.verdict)
            .bind(2, d.reason)
            .bind(3, d.note)
            .bind(4, d.user)
            .bind(5, at)
            .bind(6, studyUid)
            .step();
        nlohmann::json body{{"verdict", d.verdict}, {"reason", d.reason}, {"note", d.note}};
        if (!before.empty())
            body["before"] = before;
        // What the decision was about: the model, its weights, the threshold and the score.
        {
            SqliteStatement about(db_,
                                  "SELECT lane, score, model, model_version, model_hash, "
                                  "threshold, threshold_id FROM studies WHERE study_uid = ?",
                                  path_);
            about.bind(1, studyUid);
            if (about.step())
                body["about"] = {{"lane", about.text(0)},          {"score", about.real(1)},
                                 {"model", about.text(2)},         {"version", about.text(3)},
                                 {"modelHash", about.text(4)},     {"threshold", about.real(5)},
                                 {"thresholdId", about.integer(6)}};
        }
        appendAudit(before.empty() ? "decision" : "decision-changed", studyUid, body.dump(),
                    d.user);
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

std::vector<Entry> WorklistDb::entries() const {
    const std::string sql = std::string("SELECT ") + kEntryColumns +
                            " FROM studies ORDER BY CASE lane WHEN 'flagged' THEN 0 WHEN "
                            "'not-flagged' THEN 1 WHEN 'not-assessed' THEN 2 ELSE 3 END, "
                            "score DESC, arrived_at";
    SqliteStatement s(db_, sql.c_str(), path_);
    std::vector<Entry> out;
    while (s.step())
        out.push_back(readEntry(s));
    return out;
}

std::optional<Entry> WorklistDb::entry(const std::string& studyUid) const {
    const std::string sql =
        std::string("SELECT ") + kEntryColumns + " FROM studies WHERE study_uid = ?";
    SqliteStatement s(db_, sql.c_str(), path_);
    s.bind(1, studyUid);
    if (!s.step())
        return std::nullopt;
    return readEntry(s);
}

namespace {

constexpr const char* kThresholdColumns = "id, model, value, provenance, set_at, set_by";

Threshold readThreshold(SqliteStatement& s) {
    Threshold t;
    t.id = s.integer(0);
    t.model = s.text(1);
    t.value = s.real(2);
    t.provenance = s.text(3);
    t.setAt = s.text(4);
    t.setBy = s.text(5);
    return t;
}

} // namespace

std::optional<Threshold> WorklistDb::thresholdById(std::int64_t id) const {
    const std::string sql =
        std::string("SELECT ") + kThresholdColumns + " FROM thresholds WHERE id = ?";
    SqliteStatement s(db_, sql.c_str(), path_);
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return readThreshold(s);
}

Threshold WorklistDb::threshold(const std::string& model) const {
    const std::string sql = std::string("SELECT ") + kThresholdColumns +
                            " FROM thresholds WHERE model = ? ORDER BY id DESC LIMIT 1";
    SqliteStatement s(db_, sql.c_str(), path_);
    s.bind(1, model);
    if (s.step())
        return readThreshold(s);
    Threshold t;
    t.model = model;
    t.provenance = "{\"source\":\"default 0.5: no operating point has been chosen from an "
                   "evaluation run for this model\"}";
    return t;
}

Threshold WorklistDb::storeThreshold(const Threshold& in) {
    Threshold t = in;
    t.setAt = t.setAt.empty() ? utcNow() : t.setAt;
    exec("BEGIN IMMEDIATE");
    try {
        SqliteStatement i(db_,
                          "INSERT INTO thresholds(model, value, provenance, set_at, set_by) "
                          "VALUES(?,?,?,?,?)",
                          path_);
        i.bind(1, t.model).bind(2, t.value).bind(3, t.provenance).bind(4, t.setAt).bind(5, t.setBy);
        i.step();
        t.id = sqlite3_last_insert_rowid(db_);
        appendAudit("threshold", "",
                    nlohmann::json{{"model", t.model},
                                   {"value", t.value},
                                   {"id", t.id},
                                   {"provenance", jsonOrText(t.provenance)}}
                        .dump(),
                    t.setBy);
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
    return t;
}

} // namespace spinelens::worklist
