#pragma once
// The clinicians' worklist: studies the classifier triaged, in lanes (flagged, not flagged,
// could not be assessed, waiting for triage), with the clinician's decision on each. Kept in
// one SQLite file (WAL, synchronous FULL: a decision is on disk before the call returns, so
// killing the process loses nothing) beside an append-only audit log whose records each carry
// the SHA-256 of the one before.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace spinelens::worklist {

/// Where a study stands in the list.
enum class Lane {
    Pending,    ///< arrived, not yet triaged
    Flagged,    ///< score at or above its model's threshold
    NotFlagged, ///< assessed, below the threshold
    NotAssessed ///< the AI could not assess it (out of domain, no model, unreadable)
};
std::string laneName(Lane lane); ///< "pending", "flagged", "not-flagged", "not-assessed"
Lane laneFromName(const std::string& name);

enum class ReviewState { New, InReview, Decided };
std::string stateName(ReviewState state); ///< "new", "in-review", "decided"

/// The operating point a flag came from, with where it came from.
struct Threshold {
    std::int64_t id = 0; ///< 0: none stored (the default 0.5 is used and said)
    std::string model;   ///< model name it applies to
    double value = 0.5;
    std::string provenance; ///< JSON: run file and its hash, model hash, target, expected
                            ///< sensitivity/specificity with intervals
    std::string setAt, setBy;
};

/// What triage found for a study.
struct TriageOutcome {
    Lane lane = Lane::Pending;
    double score = 0; ///< the study's suspicion, 0..1 (the highest over assessable series)
    bool flagged = false;
    std::string model, modelVersion, modelHash;
    Threshold threshold;
    std::string bestPath;      ///< the most suspicious image's file
    std::string bestSeriesUid; ///< its series
    int bestSlice = -1;        ///< its place in the series
    std::string probabilities; ///< JSON: class -> calibrated probability at the best image
    std::string domain;        ///< the domain check in words
    std::string problem;       ///< why not assessed (NotAssessed), in words
    std::string syntheticNote; ///< "model trained on synthetic data, not clinically validated"
};

/// A model the user assigned to a modality, used by triage instead of the shipped default.
struct ModelAssignment {
    std::string modality;             ///< "MR", "CT", "DX", "CR", ...; "PNG" for PNG/JPEG files
    std::string folder;               ///< the model package
    std::string model, version, hash; ///< its card's name and version, its weights' hash
    std::string setAt, setBy;
};

struct Decision {
    std::string verdict; ///< "agree", "disagree" or "uncertain"
    std::string reason, note, user;
    std::string at; ///< UTC, ISO 8601
};

struct Entry {
    std::string studyUid;
    std::string patientName, patientId, studyDate, modalities, description;
    std::string source; ///< the folder or files it came from
    std::string arrivedAt, triagedAt;
    double arrivalToTriageSeconds = -1;
    TriageOutcome triage;
    ReviewState state = ReviewState::New;
    std::optional<Decision> decision;
};

/// One audit record. `hash` = SHA-256 of the previous record's hash and this record's fields.
struct AuditRecord {
    std::int64_t seq = 0;
    std::string at, user, event, studyUid;
    std::string body; ///< JSON: what happened (model, version, hash, threshold, score, ...)
    std::string previousHash, hash;
};

/// Result of checking the audit chain.
struct AuditCheck {
    bool intact = true;
    std::int64_t records = 0;
    std::int64_t firstBad = 0; ///< seq of the first record altered, or where one is missing
    std::string problem;       ///< in words
};

class WorklistDb {
public:
    /// Opens or creates the worklist file; throws Error naming it when it is not one of ours
    /// or cannot be written.
    static std::unique_ptr<WorklistDb> open(const std::string& path);
    ~WorklistDb();
    WorklistDb(const WorklistDb&) = delete;
    WorklistDb& operator=(const WorklistDb&) = delete;

    const std::string& path() const { return path_; }

    /// A study arrived (receiver, watched folder, saved query, `add`): entered as Pending, or
    /// its source updated when it is already listed. Returns true when it is new. `arrivedAt`
    /// (seconds since the epoch; 0: now) starts its arrival-to-score clock, again for a study
    /// that arrives again.
    bool addArrival(const Entry& entry, const std::string& user, double arrivedAt = 0);
    /// Stores triage's outcome for a listed study (and audits it).
    void setTriage(const std::string& studyUid, const TriageOutcome& outcome,
                   const std::string& user);
    /// Opening an entry for review: New -> InReview (audited once).
    void markInReview(const std::string& studyUid, const std::string& user);
    /// Records (or changes) the decision, audited, durable when this returns.
    void decide(const std::string& studyUid, const Decision& decision);

    /// Priority order: flagged first, then not flagged, then not assessed, then pending; within
    /// a lane by score, highest first; then by arrival.
    std::vector<Entry> entries() const;
    std::optional<Entry> entry(const std::string& studyUid) const;

    /// The threshold for a model (the newest stored), or the default 0.5 when none is.
    Threshold threshold(const std::string& model) const;
    /// A stored threshold by its number (a flag keeps the number of the one it came from).
    std::optional<Threshold> thresholdById(std::int64_t id) const;
    Threshold storeThreshold(const Threshold& t);

    /// The models assigned per modality (newest assignment per modality; none: the default).
    std::vector<ModelAssignment> assignments() const;
    /// Assigns a model to `a.modality` (audited with its name, version and hash); an empty
    /// folder returns the modality to its shipped default. Check the package first
    /// (describeAssignment in worklist/ModelAssignment.h): this only records it.
    void assignModel(const ModelAssignment& a);

    std::vector<AuditRecord> history(const std::string& studyUid) const;
    std::vector<AuditRecord> audit() const;
    /// Walks the chain from the first record: the first one whose hash does not match its
    /// contents or its predecessor, or a missing sequence number, or a missing tail; then
    /// replays each study's lane and decision, and each modality's assigned model, from the
    /// log against what the tables say. (The chain shows edits made with other tools; it is not
    /// a signature: someone who recomputes every hash after an edit is not caught.)
    AuditCheck verify() const;

private:
    WorklistDb(std::string path, sqlite3* db);
    void exec(const std::string& sql) const;
    void rollback() const noexcept;
    AuditCheck verifyInSnapshot() const;
    void appendAudit(const std::string& event, const std::string& studyUid, const std::string& body,
                     const std::string& user);
    std::string path_;
    sqlite3* db_;
};

/// The user to record: $SPINELENS_USER if set, else the operating-system user.
std::string currentUser();
/// Now, UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string utcNow();

} // namespace spinelens::worklist
