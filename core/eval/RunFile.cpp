#include "eval/RunFile.h"

#include "Error.h"
#include "eval/SqliteStatement.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace spinelens::eval {
namespace {

// Meta values are text anyone could have edited: a value that is not a number reads as 0
// rather than throwing out of info().
template <typename T> T parseNumber(const std::string& text) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() ? value : T{};
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases(
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, study_uid TEXT, series_uid TEXT,
  sop_uid TEXT, grp TEXT, true_label INTEGER NOT NULL, probabilities BLOB NOT NULL,
  predicted INTEGER NOT NULL, loss REAL NOT NULL, correct INTEGER NOT NULL,
  confidence REAL NOT NULL, domain_score REAL, in_domain INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS heatmaps(
  case_id INTEGER NOT NULL, class INTEGER NOT NULL, width INTEGER NOT NULL,
  height INTEGER NOT NULL, maximum REAL NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(case_id, class));
CREATE TABLE IF NOT EXISTS metrics(id INTEGER PRIMARY KEY CHECK(id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reviews(
  case_id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT '', relabel INTEGER NOT NULL DEFAULT -1,
  tags TEXT NOT NULL DEFAULT '[]', updated TEXT NOT NULL);
)sql";

sqlite3* openDatabase(const std::string& path, bool writable, bool create) {
    sqlite3* db = nullptr;
    const int flags = (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
                      (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw Error("cannot open the run file (" + why + ")", path);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

int pragmaInt(sqlite3* db, const char* name, const std::string& path) {
    SqliteStatement s(db, (std::string("PRAGMA ") + name).c_str(), path);
    return s.step() ? int(s.integer(0)) : 0;
}

std::string now() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

} // namespace

double CaseRecord::confidence() const {
    return predicted >= 0 && std::size_t(predicted) < probabilities.size()
               ? probabilities[std::size_t(predicted)]
               : 0.0;
}

std::vector<float> StoredHeatmap::asFloat() const {
    std::vector<float> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = maximum * float(values[i]) / 255.0f;
    return out;
}

StoredHeatmap compactHeatmap(const std::vector<float>& values, int width, int height) {
    StoredHeatmap h;
    if (width <= 0 || height <= 0 || values.size() != std::size_t(width) * height)
        return h;
    const int longest = std::max(width, height);
    const double shrink = longest > 128 ? double(longest) / 128.0 : 1.0;
    h.width = std::max(1, int(std::lround(width / shrink)));
    h.height = std::max(1, int(std::lround(height / shrink)));
    // Box average over the source pixels that fall in each stored pixel.
    std::vector<float> small(std::size_t(h.width) * h.height, 0.0f);
    for (int y = 0; y < h.height; ++y)
        for (int x = 0; x < h.width; ++x) {
            const int x0 = int(x * shrink), x1 = std::max(x0 + 1, int((x + 1) * shrink));
            const int y0 = int(y * shrink), y1 = std::max(y0 + 1, int((y + 1) * shrink));
            double sum = 0;
            int n = 0;
            for (int yy = y0; yy < std::min(y1, height); ++yy)
                for (int xx = x0; xx < std::min(x1, width); ++xx) {
                    sum += values[std::size_t(yy) * width + xx];
                    ++n;
                }
            small[std::size_t(y) * h.width + x] = n ? float(sum / n) : 0.0f;
        }
    for (float v : small)
        h.maximum = std::max(h.maximum, std::isfinite(v) ? v : 0.0f);
    h.values.resize(small.size());
    for (std::size_t i = 0; i < small.size(); ++i)
        h.values[i] =
            h.maximum > 0
                ? std::uint8_t(std::lround(std::clamp(small[i] / h.maximum, 0.0f, 1.0f) * 255.0f))
                : 0;
    return h;
}

RunFile::RunFile(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

RunFile::~RunFile() {
    try {
        flush();
    } catch (...) {
    }
    sqlite3_close(db_);
}

void RunFile::exec(const std::string& sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string why = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error("run file update failed (" + why + ")", path_);
    }
}

void RunFile::setMeta(const std::string& key, const std::string& value) {
    SqliteStatement(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", path_)
        .bind(1, key)
        .bind(2, value)
        .step();
}

void RunFile::setSkipped(const std::vector<SkippedInput>& skipped) {
    nlohmann::json list = nlohmann::json::array();
    for (const SkippedInput& s : skipped)
        list.push_back({{"path", s.path}, {"reason", s.reason}});
    flush();
    setMeta("skipped", list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::vector<SkippedInput> RunFile::skipped() const {
    std::vector<SkippedInput> out;
    const std::string text = meta("skipped");
    if (text.empty())
        return out;
    try {
        for (const auto& s : nlohmann::json::parse(text))
            out.push_back({s.at("path").get<std::string>(), s.at("reason").get<std::string>()});
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the list of skipped inputs cannot be read (") + e.what() + ")",
                    path_);
    }
    return out;
}

std::string RunFile::meta(const std::string& key) const {
    SqliteStatement s(db_, "SELECT value FROM meta WHERE key = ?", path_);
    s.bind(1, key);
    return s.step() ? s.text(0) : std::string();
}

std::unique_ptr<RunFile> RunFile::open(const std::string& path, bool writable) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("run file not found", path);
    sqlite3* db = openDatabase(path, writable, false);
    std::unique_ptr<RunFile> run(new RunFile(path, db));
    int appId = 0, schema = 0;
    try {
        appId = pragmaInt(db, "application_id", path);
        schema = pragmaInt(db, "user_version", path);
    } catch (const Error&) {
        throw Error("not a SpineLens run file (not an SQLite database)", path);
    }
    if (appId != kRunApplicationId)
        throw Error("not a SpineLens run file (written by another program)", path);
    if (schema > kRunSchemaVersion)
        throw Error("written by a newer SpineLens (run file schema " + std::to_string(schema) +
                        ", this build reads up to " + std::to_string(kRunSchemaVersion) +
                        "); update SpineLens to open it",
                    path);
    if (writable)
        run->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    // A schema 1 file is read as "no domain check" and left as it is (an older SpineLens can
    // still open it after this one browsed and reviewed it); only resuming an evaluation in it
    // upgrades it (create()).
    run->hasDomainColumns_ = schema >= 2;
    return run;
}

std::unique_ptr<RunFile> RunFile::create(const std::string& path, const RunInfo& info) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        std::unique_ptr<RunFile> run = open(path, true);
        const RunInfo old = run->info();
        if (old.modelHash != info.modelHash || old.datasetHash != info.datasetHash ||
            old.split != info.split || old.seed != info.seed)
            throw Error("holds a run of another model, data set, split or seed; choose a new "
                        "file name to start a new run",
                        path);
        run->setMeta("planned_cases", std::to_string(info.plannedCases));
        if (!run->hasDomainColumns_) {
            run->exec("BEGIN; ALTER TABLE cases ADD COLUMN domain_score REAL; "
                      "ALTER TABLE cases ADD COLUMN in_domain INTEGER NOT NULL DEFAULT 1; "
                      "PRAGMA user_version=2; COMMIT;");
            run->hasDomainColumns_ = true;
        }
        return run;
    }
    sqlite3* db = openDatabase(path, true, true);
    std::unique_ptr<RunFile> run(new RunFile(path, db));
    run->exec("PRAGMA application_id=" + std::to_string(kRunApplicationId) +
              "; PRAGMA user_version=" + std::to_string(kRunSchemaVersion) +
              "; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    run->exec(kSchema);
    run->exec("BEGIN");
    run->setMeta("program", "SpineLens");
    run->setMeta("program_version", info.programVersion);
    run->setMeta("created", info.created.empty() ? now() : info.created);
    run->setMeta("model_name", info.modelName);
    run->setMeta("model_version", info.modelVersion);
    run->setMeta("model_hash", info.modelHash);
    run->setMeta("model_folder", info.modelFolder);
    run->setMeta("dataset_root", info.datasetRoot);
    run->setMeta("dataset_layout", info.datasetLayout);
    run->setMeta("dataset_hash", info.datasetHash);
    run->setMeta("split", info.split);
    run->setMeta("seed", std::to_string(info.seed));
    run->setMeta("classes", nlohmann::json(info.classes).dump());
    run->setMeta("synthetic_model", info.syntheticModel ? "1" : "0");
    run->setMeta("synthetic_data", info.syntheticData ? "1" : "0");
    run->setMeta("planned_cases", std::to_string(info.plannedCases));
    run->setMeta("domain_checked", info.domainChecked ? "1" : "0");
    run->setMeta("split_note", info.splitNote);
    run->setMeta("domain_threshold", std::to_string(info.domainThreshold));
    run->setMeta("complete", "0");
    run->exec("COMMIT");
    return run;
}

RunInfo RunFile::info() const {
    RunInfo i;
    i.programVersion = meta("program_version");
    i.created = meta("created");
    i.modelName = meta("model_name");
    i.modelVersion = meta("model_version");
    i.modelHash = meta("model_hash");
    i.modelFolder = meta("model_folder");
    i.datasetRoot = meta("dataset_root");
    i.datasetLayout = meta("dataset_layout");
    i.datasetHash = meta("dataset_hash");
    i.split = meta("split");
    const std::string seed = meta("seed");
    i.seed = parseNumber<std::uint64_t>(seed);
    const std::string classes = meta("classes");
    const nlohmann::json j =
        nlohmann::json::parse(classes.empty() ? "[]" : classes, nullptr, false);
    if (j.is_array())
        for (const auto& c : j)
            if (c.is_string())
                i.classes.push_back(c.get<std::string>());
    i.syntheticModel = meta("synthetic_model") == "1";
    i.syntheticData = meta("synthetic_data") == "1";
    const std::string planned = meta("planned_cases");
    i.plannedCases = std::max(0, parseNumber<int>(planned));
    i.complete = meta("complete") == "1";
    i.domainChecked = meta("domain_checked") == "1";
    i.splitNote = meta("split_note");
    const std::string threshold = meta("domain_threshold");
    i.domainThreshold = threshold.empty() ? 0.0 : std::atof(threshold.c_str());
    return i;
}

void RunFile::setComplete(bool complete) {
    flush();
    setMeta("complete", complete ? "1" : "0");
}

std::set<std::string> RunFile::finishedPaths() const {
    std::set<std::string> out;
    SqliteStatement s(db_, "SELECT path FROM cases", path_);
    while (s.step())
        out.insert(s.text(0));
    return out;
}

std::int64_t RunFile::addCase(const CaseRecord& c, const StoredHeatmap* predictedMap,
                              const StoredHeatmap* trueMap) {
    if (!inTransaction_) {
        exec("BEGIN");
        inTransaction_ = true;
    }
    SqliteStatement s(
        db_,
        "INSERT INTO cases(path, study_uid, series_uid, sop_uid, grp, true_label, "
        "probabilities, predicted, loss, correct, confidence, domain_score, in_domain) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        path_);
    s.bind(1, c.path).bind(2, c.studyUid).bind(3, c.seriesUid).bind(4, c.sopUid).bind(5, c.group);
    s.bind(6, std::int64_t(c.trueLabel));
    s.bindBlob(7, c.probabilities.data(), c.probabilities.size() * sizeof(float));
    s.bind(8, std::int64_t(c.predicted)).bind(9, c.loss).bind(10, std::int64_t(c.correct));
    s.bind(11, c.confidence());
    if (c.domainChecked)
        s.bind(12, c.domainScore);
    s.bind(13, std::int64_t(c.inDomain));
    s.step();
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    if (predictedMap && !predictedMap->values.empty())
        storeHeatmap(id, c.predicted, *predictedMap);
    if (trueMap && !trueMap->values.empty() && c.trueLabel != c.predicted)
        storeHeatmap(id, c.trueLabel, *trueMap);
    return id;
}

void RunFile::flush() {
    if (inTransaction_) {
        inTransaction_ = false;
        exec("COMMIT");
    }
}

void RunFile::storeHeatmap(std::int64_t caseId, int classIndex, const StoredHeatmap& map) {
    SqliteStatement s(
        db_,
        "INSERT OR REPLACE INTO heatmaps(case_id, class, width, height, maximum, data) "
        "VALUES(?, ?, ?, ?, ?, ?)",
        path_);
    s.bind(1, caseId).bind(2, std::int64_t(classIndex)).bind(3, std::int64_t(map.width));
    s.bind(4, std::int64_t(map.height)).bind(5, double(map.maximum));
    s.bindBlob(6, map.values.data(), map.values.size());
    s.step();
}

std::vector<CaseRecord> RunFile::cases() const {
    std::vector<CaseRecord> out;
    SqliteStatement s(
        db_,
        hasDomainColumns_
            ? "SELECT id, path, study_uid, series_uid, sop_uid, grp, true_label, "
              "probabilities, predicted, loss, correct, domain_score, in_domain FROM cases "
              "ORDER BY id"
            : "SELECT id, path, study_uid, series_uid, sop_uid, grp, true_label, "
              "probabilities, predicted, loss, correct, NULL, 1 FROM cases ORDER BY id",
        path_);
    while (s.step()) {
        CaseRecord c;
        c.id = s.integer(0);
        c.path = s.text(1);
        c.studyUid = s.text(2);
        c.seriesUid = s.text(3);
        c.sopUid = s.text(4);
        c.group = s.text(5);
        c.trueLabel = int(s.integer(6));
        c.probabilities = s.blob<float>(7);
        c.predicted = int(s.integer(8));
        c.loss = s.real(9);
        c.correct = s.integer(10) != 0;
        c.domainChecked = !s.isNull(11);
        c.domainScore = c.domainChecked ? s.real(11) : 0.0;
        c.inDomain = s.integer(12) != 0;
        out.push_back(std::move(c));
    }
    return out;
}

int RunFile::caseCount() const {
    SqliteStatement s(db_, "SELECT COUNT(*) FROM cases", path_);
    return s.step() ? int(s.integer(0)) : 0;
}

std::optional<StoredHeatmap> RunFile::heatmap(std::int64_t caseId, int classIndex) const {
    SqliteStatement s(
        db_, "SELECT width, height, maximum, data FROM heatmaps WHERE case_id = ? AND class = ?",
        path_);
    s.bind(1, caseId).bind(2, std::int64_t(classIndex));
    if (!s.step())
        return std::nullopt;
    StoredHeatmap h;
    h.width = int(s.integer(0));
    h.height = int(s.integer(1));
    h.maximum = float(s.real(2));
    h.values = s.blob<std::uint8_t>(3);
    if (h.width <= 0 || h.height <= 0 || h.width > 4096 || h.height > 4096 ||
        h.values.size() != std::size_t(h.width) * std::size_t(h.height))
        return std::nullopt; // damaged row: recomputed on demand instead
    return h;
}

void RunFile::setMetricsJson(const std::string& json) {
    flush();
    SqliteStatement(db_, "INSERT OR REPLACE INTO metrics(id, json) VALUES(1, ?)", path_)
        .bind(1, json)
        .step();
}

std::string RunFile::metricsJson() const {
    SqliteStatement s(db_, "SELECT json FROM metrics WHERE id = 1", path_);
    return s.step() ? s.text(0) : std::string();
}

void RunFile::setTags(std::int64_t caseId, const std::set<std::string>& tags) {
    flush();
    SqliteStatement(
        db_,
        "INSERT INTO reviews(case_id, tags, updated) VALUES(?, ?, ?) "
        "ON CONFLICT(case_id) DO UPDATE SET tags = excluded.tags, updated = excluded.updated",
        path_)
        .bind(1, caseId)
        .bind(2,
              nlohmann::json(tags).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .bind(3, now())
        .step();
}

void RunFile::setNote(std::int64_t caseId, const std::string& note) {
    flush();
    SqliteStatement(
        db_,
        "INSERT INTO reviews(case_id, note, updated) VALUES(?, ?, ?) "
        "ON CONFLICT(case_id) DO UPDATE SET note = excluded.note, updated = excluded.updated",
        path_)
        .bind(1, caseId)
        .bind(2, note)
        .bind(3, now())
        .step();
}

void RunFile::setRelabel(std::int64_t caseId, int classIndex) {
    flush();
    SqliteStatement(db_,
                    "INSERT INTO reviews(case_id, relabel, updated) VALUES(?, ?, ?) "
                    "ON CONFLICT(case_id) DO UPDATE SET relabel = excluded.relabel, "
                    "updated = excluded.updated",
                    path_)
        .bind(1, caseId)
        .bind(2, std::int64_t(classIndex))
        .bind(3, now())
        .step();
}

std::map<std::int64_t, Review> RunFile::reviews() const {
    std::map<std::int64_t, Review> out;
    SqliteStatement s(db_, "SELECT case_id, note, relabel, tags FROM reviews", path_);
    while (s.step()) {
        Review r;
        r.note = s.text(1);
        r.relabel = int(s.integer(2));
        const nlohmann::json tags = nlohmann::json::parse(s.text(3), nullptr, false);
        if (tags.is_array())
            for (const auto& t : tags)
                if (t.is_string())
                    r.tags.insert(t.get<std::string>());
        out[s.integer(0)] = std::move(r);
    }
    return out;
}

} // namespace spinelens::eval
