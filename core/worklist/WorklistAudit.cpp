// The worklist's audit log: an append-only chain of records, each holding the SHA-256 of
// the one before, with the newest record's number and hash also kept apart (meta
// 'audit_head'), so an edited, removed or reordered record is found by verify(), which also
// replays each study's lane and verdict from the log against the studies table.
#include "worklist/Worklist.h"

#include "Error.h"
#include "eval/SqliteStatement.h"
#include "util/Sha256.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace spinelens::worklist {
namespace {

using eval::SqliteStatement;

const char* const kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string recordHash(const AuditRecord& r) {
    // Every field, separated by a byte that cannot occur in them, after the previous hash:
    // changing any field, or a record before it, changes this hash.
    const char sep = '\x1f';
    return sha256Hex(r.previousHash + sep + std::to_string(r.seq) + sep + r.at + sep + r.user +
                     sep + r.event + sep + r.studyUid + sep + r.body);
}

} // namespace

void WorklistDb::appendAudit(const std::string& event, const std::string& studyUid,
                             const std::string& body, const std::string& user) {
    AuditRecord r;
    r.previousHash = kGenesis;
    r.seq = 1;
    {
        SqliteStatement last(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", path_);
        if (last.step()) {
            r.seq = last.integer(0) + 1;
            r.previousHash = last.text(1);
        }
    }
    r.at = utcNow();
    r.user = user;
    r.event = event;
    r.studyUid = studyUid;
    r.body = body;
    r.hash = recordHash(r);
    SqliteStatement insert(db_,
                           "INSERT INTO audit(seq, at, user, event, study_uid, body, "
                           "previous_hash, hash) VALUES(?,?,?,?,?,?,?,?)",
                           path_);
    insert.bind(1, r.seq)
        .bind(2, r.at)
        .bind(3, r.user)
        .bind(4, r.event)
        .bind(5, r.studyUid)
        .bind(6, r.body)
        .bind(7, r.previousHash)
        .bind(8, r.hash)
        .step();
    // The head of the chain is kept apart, so removing the newest records is noticed too.
    SqliteStatement head(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('audit_head', ?)",
                         path_);
    head.bind(1, std::to_string(r.seq) + " " + r.hash).step();
}

namespace {
std::vector<AuditRecord> readAudit(sqlite3* db, const std::string& path, const char* sql,
                                   const std::string* studyUid) {
    SqliteStatement s(db, sql, path);
    if (studyUid)
        s.bind(1, *studyUid);
    std::vector<AuditRecord> out;
    while (s.step()) {
        AuditRecord r;
        r.seq = s.integer(0);
        r.at = s.text(1);
        r.user = s.text(2);
        r.event = s.text(3);
        r.studyUid = s.text(4);
        r.body = s.text(5);
        r.previousHash = s.text(6);
        r.hash = s.text(7);
        out.push_back(std::move(r));
    }
    return out;
}
} // namespace

std::vector<AuditRecord> WorklistDb::history(const std::string& studyUid) const {
    return readAudit(db_, path_,
                     "SELECT seq, at, user, event, study_uid, body, previous_hash, hash FROM "
                     "audit WHERE study_uid = ? ORDER BY seq",
                     &studyUid);
}

std::vector<AuditRecord> WorklistDb::audit() const {
    return readAudit(db_, path_,
                     "SELECT seq, at, user, event, study_uid, body, previous_hash, hash FROM "
                     "audit ORDER BY seq",
                     nullptr);
}

AuditCheck WorklistDb::verify() const {
    // One read snapshot: a record another process appends meanwhile is not taken for a
    // removed one.
    exec("BEGIN");
    AuditCheck c;
    try {
        c = verifyInSnapshot();
    } catch (...) {
        rollback();
        throw;
    }
    rollback(); // nothing was written
    return c;
}

AuditCheck WorklistDb::verifyInSnapshot() const {
    AuditCheck c;
    std::string previous = kGenesis;
    std::int64_t expected = 1;
    const std::vector<AuditRecord> records = audit();
    for (const AuditRecord& r : records) {
        ++c.records;
        if (r.seq != expected) {
            c.intact = false;
            c.firstBad = expected;
            c.problem = "record " + std::to_string(expected) + " is missing (the next is " +
                        std::to_string(r.seq) + ")";
            return c;
        }
        if (r.previousHash != previous || recordHash(r) != r.hash) {
            c.intact = false;
            c.firstBad = r.seq;
            c.problem = "record " + std::to_string(r.seq) + " (" + r.event + ", " + r.at +
                        ") was altered: its hash does not match " +
                        (r.previousHash != previous ? "the record before it" : "its contents");
            return c;
        }
        previous = r.hash;
        ++expected;
    }
    SqliteStatement head(db_, "SELECT value FROM meta WHERE key = 'audit_head'", path_);
    const std::string recorded = head.step() ? head.text(0) : std::string();
    const std::string actual =
        c.records == 0 ? std::string() : std::to_string(expected - 1) + " " + previous;
    if (recorded != actual) {
        c.intact = false;
        c.firstBad = expected;
        c.problem = recorded.empty()
                        ? "the chain's head is missing"
                        : "the newest record(s) were removed: the chain ended at record " +
                              recorded.substr(0, recorded.find(' ')) + ", now at " +
                              std::to_string(expected - 1);
        return c;
    }
    // What the worklist shows must be what the log says: each study's lane and decision are
    // replayed from the log and compared with its entry.
    std::map<std::string, std::pair<std::string, std::int64_t>> lane, verdict; // value, seq
    std::map<std::string, std::pair<std::string, std::int64_t>> assigned;      // modality: folder
    std::set<std::string> arrived;
    for (const AuditRecord& r : records) {
        if (r.event == "model-assigned") {
            try {
                const nlohmann::json body = nlohmann::json::parse(r.body);
                assigned[body.value("modality", std::string())] = {
                    body.value("folder", std::string()), r.seq};
            } catch (const nlohmann::json::exception&) {
            }
            continue;
        }
        if (r.studyUid.empty())
            continue;
        if (r.event == "arrival")
            arrived.insert(r.studyUid);
        try {
            const nlohmann::json body = nlohmann::json::parse(r.body);
            if (r.event == "triage") {
                lane[r.studyUid] = {body.value("lane", std::string()), r.seq};
                if (body.contains("decisionWithdrawn"))
                    verdict[r.studyUid] = {std::string(), r.seq};
            } else if (r.event == "decision" || r.event == "decision-changed") {
                verdict[r.studyUid] = {body.value("verdict", std::string()), r.seq};
            }
        } catch (const nlohmann::json::exception&) {
            // An intact hash over a body that is not JSON: we never write one; keep going.
        }
    }
    for (const Entry& e : entries()) {
        if (!arrived.count(e.studyUid)) {
            c.intact = false;
            c.firstBad = 0;
            c.problem = "the worklist lists " + e.studyUid +
                        " but the log has no arrival for it: it was added outside SpineLens";
            return c;
        }
        const auto l = lane.find(e.studyUid);
        const std::string logged = l == lane.end() ? std::string("pending") : l->second.first;
        const std::string shown = laneName(e.triage.lane);
        const auto v = verdict.find(e.studyUid);
        const std::string loggedVerdict = v == verdict.end() ? std::string() : v->second.first;
        const std::string shownVerdict = e.decision ? e.decision->verdict : std::string();
        if (logged != shown || loggedVerdict != shownVerdict) {
            c.intact = false;
            c.firstBad = logged != shown ? (l == lane.end() ? 0 : l->second.second)
                                         : (v == verdict.end() ? 0 : v->second.second);
            c.problem = "the worklist's entry for " + e.studyUid + " says " +
                        (logged != shown ? "lane " + shown + " but the log says " + logged
                                         : "decision \"" + shownVerdict + "\" but the log says \"" +
                                               loggedVerdict + "\"") +
                        ": it was edited outside SpineLens";
            return c;
        }
    }
    // The model each modality is triaged with: a package swapped in the table would triage
    // every later study with a model the log never saw.
    std::map<std::string, std::string> shownModels;
    for (const ModelAssignment& a : assignments())
        shownModels[a.modality] = a.folder;
    for (const auto& [modality, logged] : assigned)
        if (!logged.first.empty() && !shownModels.count(modality))
            shownModels[modality]; // assigned in the log, gone from the table
    for (const auto& [modality, folder] : shownModels) {
        const auto l = assigned.find(modality);
        const std::string logged = l == assigned.end() ? std::string() : l->second.first;
        if (logged != folder) {
            c.intact = false;
            c.firstBad = l == assigned.end() ? 0 : l->second.second;
            c.problem = "the worklist assigns " +
                        (folder.empty() ? std::string("the default model") : folder) + " to " +
                        modality + " but the log says " +
                        (logged.empty() ? std::string("the default model") : logged) +
                        ": it was edited outside SpineLens";
            return c;
        }
    }
    return c;
}

} // namespace spinelens::worklist
