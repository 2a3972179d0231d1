#pragma once
// An evaluation run in one SQLite file: what was run (model, data set, split, seed, program),
// one row per case, compact Grad-CAM maps, the metrics, and the researcher's review (tags,
// notes, proposed relabels). Review edits are committed one by one with synchronous=FULL, so a
// crash right after a click loses nothing.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct sqlite3;

namespace spinelens::eval {

/// PRAGMA application_id of SpineLens run files ("SPLN"), and the schema this build writes.
inline constexpr std::int32_t kRunApplicationId = 0x53504C4E;
/// Schema 2 added the domain check per case (schema 1 files are read as "not checked" and
/// upgraded only when an evaluation is resumed in them).
inline constexpr int kRunSchemaVersion = 2;

struct RunInfo {
    std::string modelName, modelVersion, modelHash, modelFolder;
    std::string datasetRoot, datasetLayout, datasetHash;
    std::string split; ///< "test" or "all"
    std::uint64_t seed = 0;
    std::string created, programVersion;
    std::vector<std::string> classes;
    bool syntheticModel = false, syntheticData = false;
    /// Set when the run's cases overlap (or may overlap) the package's training data.
    std::string splitNote;
    bool domainChecked = false; ///< the model had a domain model
    double domainThreshold = 0; ///< its threshold
    int plannedCases = 0;
    bool complete = false;
};

struct CaseRecord {
    std::int64_t id = 0;
    std::string path, studyUid, seriesUid, sopUid, group;
    int trueLabel = 0;
    std::vector<float> probabilities;
    int predicted = 0;
    double loss = 0;
    bool correct = false;
    bool domainChecked = false; ///< false for runs of models without a domain model
    double domainScore = 0;
    bool inDomain = true;
    double confidence() const; ///< probability of the predicted class
};

/// A heatmap stored compactly: at most 128 pixels on its longer side, 8-bit, scaled by max.
struct StoredHeatmap {
    int width = 0, height = 0;
    float maximum = 0;
    std::vector<std::uint8_t> values; ///< value = maximum * byte / 255
    std::vector<float> asFloat() const;
};
StoredHeatmap compactHeatmap(const std::vector<float>& values, int width, int height);

/// An input evaluate left out (a label the model lacks, an unreadable image), kept with the run
/// so whoever opens it later learns what the figures do not cover.
struct SkippedInput {
    std::string path, reason;
};

struct Review {
    std::set<std::string> tags;
    std::string note;
    int relabel = -1; ///< proposed true class, -1 for none
};

class RunFile {
public:
    /// Starts a run, or reopens an unfinished one for the same model and data set (resume).
    /// Throws spinelens::Error naming the file when it belongs to another run or program.
    static std::unique_ptr<RunFile> create(const std::string& path, const RunInfo& info);
    /// Opens an existing run; throws spinelens::Error naming the file when it is not a
    /// SpineLens run file or was written by a newer schema.
    static std::unique_ptr<RunFile> open(const std::string& path, bool writable = true);
    ~RunFile();

    const std::string& path() const { return path_; }
    RunInfo info() const;
    void setComplete(bool complete);

    /// Paths already evaluated (what a resumed run skips).
    std::set<std::string> finishedPaths() const;
    /// Adds a case and its heatmaps (predicted class, true class; either may be empty).
    /// Cases are buffered in a transaction: call flush() to make them durable.
    std::int64_t addCase(const CaseRecord& c, const StoredHeatmap* predictedMap,
                         const StoredHeatmap* trueMap);
    void flush();

    std::vector<CaseRecord> cases() const;
    int caseCount() const;
    std::optional<StoredHeatmap> heatmap(std::int64_t caseId, int classIndex) const;
    void storeHeatmap(std::int64_t caseId, int classIndex, const StoredHeatmap& map);

    /// Replaces the list of inputs left out (committed at once).
    void setSkipped(const std::vector<SkippedInput>& skipped);
    std::vector<SkippedInput> skipped() const;

    void setMetricsJson(const std::string& json);
    std::string metricsJson() const; ///< empty when not computed

    // Review: each call is its own committed transaction.
    void setTags(std::int64_t caseId, const std::set<std::string>& tags);
    void setNote(std::int64_t caseId, const std::string& note);
    void setRelabel(std::int64_t caseId, int classIndex);
    std::map<std::int64_t, Review> reviews() const;

private:
    RunFile(std::string path, sqlite3* db);
    void exec(const std::string& sql) const;
    void setMeta(const std::string& key, const std::string& value);
    std::string meta(const std::string& key) const;

    std::string path_;
    sqlite3* db_ = nullptr;
    bool hasDomainColumns_ = true; ///< false for a schema 1 file
    bool inTransaction_ = false;
};

} // namespace spinelens::eval
