#include "cli/WorklistCommand.h"
#include "util/Csv.h"
#include "util/JsonOrText.h"

#include "Error.h"
#include "ai/DefaultModels.h"
#include "ai/TorchModel.h"
#include "cli/Commands.h"
#include "cli/ServerOptions.h"
#include "worklist/DecisionDocument.h"
#include "worklist/Inbox.h"
#include "worklist/ModelAssignment.h"
#include "worklist/OperatingPoint.h"
#include "worklist/QuerySource.h"
#include "worklist/ReviewExport.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>

namespace spinelens::cli {
namespace {

using namespace worklist;

std::string currentUserOr(const std::string& user) {
    return user.empty() ? worklist::currentUser() : user;
}

// The folder this program runs from, where an installed tree keeps share/spinelens/models.
std::string programFolder() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.parent_path().string();
}

struct WorklistOptions {
    std::string db;
    std::vector<std::string> paths;
    std::string study, verdict, reason, note, user;
    std::string csv, manifest;
    std::string run;
    double sensitivity = -1, specificity = -1, value = -1;
    std::string modelsDir;
    std::string outFolder;
    NetOptions server;             ///< pull: the PACS
    SavedQuery query;              ///< pull: what to ask it for
    std::string storeDir;          ///< pull: where retrieved studies are kept
    std::string modality, package; ///< assign: which modality gets which package
    bool toDefault = false;        ///< assign: back to the shipped default
};

// The packages triage defaults to: --models, else the shipped ones.
std::string modelsFolder(const WorklistOptions& o) {
    return o.modelsDir.empty() ? ai::findModelsDirectory(programFolder()) : o.modelsDir;
}

nlohmann::json entryJson(const Entry& e) {
    const TriageOutcome& t = e.triage;
    nlohmann::json j{{"study", e.studyUid},
                     {"patientName", e.patientName},
                     {"patientId", e.patientId},
                     {"studyDate", e.studyDate},
                     {"modalities", e.modalities},
                     {"lane", laneName(t.lane)},
                     {"score", t.lane == Lane::Flagged || t.lane == Lane::NotFlagged
                                   ? nlohmann::json(t.score)
                                   : nlohmann::json()},
                     {"flagged", t.lane == Lane::Flagged || t.lane == Lane::NotFlagged
                                     ? nlohmann::json(t.flagged)
                                     : nlohmann::json()},
                     {"state", stateName(e.state)},
                     {"arrivedAt", e.arrivedAt},
                     {"triagedAt", e.triagedAt},
                     {"arrivalToTriageSeconds", e.arrivalToTriageSeconds}};
    if (!t.model.empty()) {
        j["model"] = t.model + " " + t.modelVersion;
        j["modelHash"] = t.modelHash;
        j["threshold"] = t.threshold.value;
        j["thresholdId"] = t.threshold.id;
        j["bestImage"] = t.bestPath;
        j["bestSlice"] = t.bestSlice;
        j["probabilities"] = jsonOrText(t.probabilities);
        j["domain"] = t.domain;
        j["modelNote"] = t.syntheticNote;
    }
    if (!t.problem.empty())
        j["problem"] = t.problem;
    if (e.decision)
        j["decision"] = {{"verdict", e.decision->verdict},
                         {"reason", e.decision->reason},
                         {"note", e.decision->note},
                         {"user", e.decision->user},
                         {"at", e.decision->at}};
    return j;
}

nlohmann::json auditJson(const AuditRecord& r) {
    return {{"seq", r.seq},     {"at", r.at},          {"user", r.user},
            {"event", r.event}, {"study", r.studyUid}, {"body", jsonOrText(r.body)},
            {"hash", r.hash}};
}

// Commands that read or change what is listed need the file to be there: a mistyped path must
// not be answered from an empty worklist made on the spot ("intact", "nothing listed").
std::unique_ptr<WorklistDb> openExisting(const WorklistOptions& o) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.db, ec))
        throw Error("no worklist file there (`worklist add`, `threshold`, `assign` or `pull` "
                    "makes one)",
                    o.db);
    return WorklistDb::open(o.db);
}

int add(const WorklistOptions& o, std::ostream& out, std::ostream& err) {
    // A path that is not there is a typing error, not an arrival: nothing is entered.
    for (const std::string& p : o.paths) {
        std::error_code ec;
        if (!std::filesystem::exists(p, ec))
            throw Error("no such file or folder; nothing was added", p);
    }
    ai::setTorchThreads(0);
    auto db = WorklistDb::open(o.db);
    TriageSettings settings;
    settings.modelsDirectory = modelsFolder(o);
    Triage triage(settings);
    const auto arrivals = addAndTriage(*db, triage, o.paths, currentUserOr(o.user));
    int notAssessed = 0;
    for (const Arrival& a : arrivals) {
        const auto e = db->entry(a.studyKey);
        nlohmann::json j = e ? entryJson(*e) : nlohmann::json{{"study", a.studyKey}};
        j["new"] = a.isNew;
        j["triageSeconds"] = a.triageSeconds;
        out << jsonText(j) << '\n';
        if (a.triage.lane == Lane::NotAssessed) {
            ++notAssessed;
            err << "spinelens-cli: " << a.studyKey << ": the AI could not assess it ("
                << a.triage.problem << "); listed in the not-assessed lane\n";
        }
    }
    if (arrivals.empty())
        throw Error("no study found", o.paths.empty() ? std::string() : o.paths.front());
    return Ok;
}

int list(const WorklistOptions& o, std::ostream& out) {
    auto db = openExisting(o);
    nlohmann::json all = nlohmann::json::array();
    std::map<std::string, int> counts;
    for (const Entry& e : db->entries()) {
        ++counts[laneName(e.triage.lane)];
        all.push_back(entryJson(e));
    }
    out << jsonText({{"counts", counts}, {"entries", all}}, 1) << '\n';
    return Ok;
}

int decide(const WorklistOptions& o, std::ostream& out) {
    auto db = openExisting(o);
    Decision d;
    d.verdict = o.verdict;
    d.reason = o.reason;
    d.note = o.note;
    d.user = currentUserOr(o.user);
    db->decide(o.study, d);
    out << jsonText(entryJson(*db->entry(o.study))) << '\n';
    return Ok;
}

int history(const WorklistOptions& o, std::ostream& out) {
    auto db = openExisting(o);
    if (!db->entry(o.study))
        throw Error("no such study in the worklist: " + o.study, o.db);
    nlohmann::json j = nlohmann::json::array();
    for (const AuditRecord& r : db->history(o.study))
        j.push_back(auditJson(r));
    out << jsonText(j, 1) << '\n';
    return Ok;
}

int exportManifest(const WorklistOptions& o, std::ostream& out, std::ostream& err) {
    auto db = openExisting(o);
    const ManifestExport m = exportDisagreements(*db, o.manifest);
    nlohmann::json left = nlohmann::json::array();
    for (const auto& [study, why] : m.leftOut) {
        left.push_back({{"study", study}, {"why", why}});
        err << "spinelens-cli: " << study << ": left out of the manifest: " << why << '\n';
    }
    out << jsonText({{"manifest", o.manifest},
                     {"studies", m.studies},
                     {"rows", m.rows},
                     {"leftOut", left}})
        << '\n';
    return Ok;
}

int exportCsv(const WorklistOptions& o, std::ostream& out, std::ostream& err) {
    if (o.csv.empty() && o.manifest.empty())
        throw Error("give --csv FILE, --manifest FILE or both");
    if (!o.manifest.empty())
        exportManifest(o, out, err);
    if (o.csv.empty())
        return Ok;
    auto db = openExisting(o);
    std::ofstream f(o.csv);
    if (!f)
        throw Error("cannot write the CSV file", o.csv);
    f << "study,patient_name,patient_id,study_date,modalities,lane,score,flagged,model,"
         "model_version,model_hash,threshold,best_image,state,verdict,reason,note,decided_by,"
         "decided_at,problem\n";
    int rows = 0;
    for (const Entry& e : db->entries()) {
        const TriageOutcome& t = e.triage;
        char score[32], threshold[32];
        std::snprintf(score, sizeof score, "%.6g", t.score);
        std::snprintf(threshold, sizeof threshold, "%.6g", t.threshold.value);
        const bool scored = t.lane == Lane::Flagged || t.lane == Lane::NotFlagged;
        const Decision d = e.decision.value_or(Decision{});
        for (const std::string& v :
             {e.studyUid, e.patientName, e.patientId, e.studyDate, e.modalities, laneName(t.lane),
              scored ? std::string(score) : std::string(),
              scored ? std::string(t.flagged ? "1" : "0") : std::string(), // unassessed: no flag
              t.model, t.modelVersion, t.modelHash, scored ? std::string(threshold) : std::string(),
              t.bestPath, stateName(e.state), d.verdict, d.reason, d.note, d.user, d.at})
            f << csvField(v) << ',';
        f << csvField(t.problem) << '\n';
        ++rows;
    }
    f.close();
    if (!f)
        throw Error("cannot write the CSV file", o.csv);
    out << jsonText({{"csv", o.csv}, {"rows", rows}}) << '\n';
    return Ok;
}

int threshold(const WorklistOptions& o, std::ostream& out) {
    OperatingTarget target;
    const int given = (o.sensitivity >= 0) + (o.specificity >= 0) + (o.value >= 0);
    if (given != 1)
        throw Error("give exactly one of --sensitivity, --specificity, --value");
    if (o.sensitivity >= 0)
        target = {OperatingTarget::Kind::Sensitivity, o.sensitivity};
    else if (o.specificity >= 0)
        target = {OperatingTarget::Kind::Specificity, o.specificity};
    else
        target = {OperatingTarget::Kind::Value, o.value};
    const OperatingPoint op = chooseOperatingPoint(o.run, target);
    auto db = WorklistDb::open(o.db);
    const Threshold stored = db->storeThreshold(op.asThreshold(currentUserOr(o.user)));
    nlohmann::json j = nlohmann::json::parse(stored.provenance);
    j["id"] = stored.id;
    j["note"] = op.syntheticData ? "the run's data are synthetic: expected figures on patients "
                                   "are unknown"
                                 : "expected figures hold for data like the run's";
    out << jsonText(j, 1) << '\n';
    return Ok;
}

int kos(const WorklistOptions& o, std::ostream& out) {
    auto db = openExisting(o);
    const std::optional<Entry> e = db->entry(o.study);
    if (!e)
        throw Error("no such study in the worklist: " + o.study, o.db);
    const spinelens::out::WrittenObject w = writeDecisionDocument(*e, o.outFolder);
    out << jsonText({{"path", w.path},
                     {"studyInstanceUid", w.studyUid},
                     {"seriesInstanceUid", w.seriesUid},
                     {"sopInstanceUid", w.sopInstanceUid},
                     {"description", spinelens::out::reviewDescription(reviewDecision(*e))}},
                    1)
        << '\n';
    return Ok;
}

// One poll of a saved PACS query: new matching studies are retrieved, entered and triaged.
int pull(const WorklistOptions& o, std::ostream& out, std::ostream& err) {
    ai::setTorchThreads(0);
    const net::PacsNode node = o.server.node();
    auto db = WorklistDb::open(o.db);
    TriageSettings settings;
    settings.modelsDirectory = modelsFolder(o);
    Triage triage(settings);
    const PullResult r = pullQuery(*db, triage, node, o.query, o.storeDir, currentUserOr(o.user),
                                   std::time(nullptr));
    for (const Arrival& a : r.arrivals) {
        const auto e = db->entry(a.studyKey);
        nlohmann::json j = e ? entryJson(*e) : nlohmann::json{{"study", a.studyKey}};
        j["new"] = a.isNew;
        j["triageSeconds"] = a.triageSeconds;
        out << jsonText(j) << '\n';
    }
    for (const std::string& p : r.problems) // each names the server already
        err << "spinelens-cli: " << p << '\n';
    err << "spinelens-cli: " << node.server.text() << ": " << r.matched
        << " studies match the query; " << r.alreadyListed << " already listed, " << r.retrieved
        << " retrieved and triaged";
    if (r.outsideWindow > 0)
        err << "; " << r.outsideWindow << " older than the last " << o.query.lastHours << " h";
    err << '\n';
    return r.problems.empty() ? Ok : InputsFailed;
}

// Assigns a model package to a modality (or returns it to the default); without a modality,
// lists what each modality is triaged with.
int assign(const WorklistOptions& o, std::ostream& out) {
    auto db = WorklistDb::open(o.db);
    if (!o.modality.empty()) {
        if (o.toDefault == !o.package.empty())
            throw Error("give a model package folder, or --default to use the shipped model");
        ModelAssignment a;
        if (o.toDefault) {
            a.modality = modalityKey(o.modality);
        } else {
            a = describeAssignment(o.modality,
                                   std::filesystem::absolute(o.package).lexically_normal());
        }
        a.setBy = currentUserOr(o.user);
        db->assignModel(a);
    }
    const std::map<std::string, std::string> assigned = assignedFolders(*db);
    const std::string models = modelsFolder(o);
    nlohmann::json j = nlohmann::json::array();
    std::vector<std::string> modalities = assignableModalities();
    for (const auto& [modality, folder] : assigned)
        if (std::find(modalities.begin(), modalities.end(), modality) == modalities.end())
            modalities.push_back(modality);
    for (const ModelAssignment& a : db->assignments())
        j.push_back({{"modality", a.modality},
                     {"assigned", true},
                     {"folder", a.folder},
                     {"model", a.model + " " + a.version},
                     {"modelHash", a.hash},
                     {"setAt", a.setAt},
                     {"setBy", a.setBy}});
    for (const std::string& m : modalities) {
        if (assigned.count(m))
            continue;
        const ai::DefaultModel d = ai::defaultModelFor(m == "PNG" ? "" : m, m == "PNG", models);
        j.push_back({{"modality", m},
                     {"assigned", false},
                     {"folder", d.folder},
                     {"problem", d.folder.empty() ? d.reason : std::string()}});
    }
    out << jsonText(j, 1) << '\n';
    return Ok;
}

// Triages the studies a stopped process left waiting for triage.
int resume(const WorklistOptions& o, std::ostream& out) {
    auto db = openExisting(o);
    TriageSettings settings;
    settings.modelsDirectory = modelsFolder(o);
    Triage triage(settings);
    nlohmann::json j = nlohmann::json::array();
    for (const Arrival& a : resumePending(*db, triage, currentUserOr(o.user)))
        j.push_back({{"study", a.studyKey},
                     {"lane", laneName(a.triage.lane)},
                     {"problem", a.triage.problem}});
    out << jsonText(j, 1) << '\n';
    return Ok;
}

int verify(const WorklistOptions& o, std::ostream& out, std::ostream& err) {
    auto db = openExisting(o);
    const AuditCheck c = db->verify();
    out << jsonText({{"intact", c.intact},
                     {"records", c.records},
                     {"firstBad", c.intact ? nlohmann::json() : nlohmann::json(c.firstBad)},
                     {"problem", c.problem}})
        << '\n';
    if (!c.intact)
        err << "spinelens-cli: " << o.db << ": audit chain broken: " << c.problem << '\n';
    return c.intact ? Ok : InputsFailed;
}

} // namespace

void declareWorklist(CLI::App& w, std::function<int()>& run, std::ostream& out, std::ostream& err) {
    auto o = std::make_shared<WorklistOptions>();
    w.add_option("--db", o->db, "the worklist file (SQLite; created when missing)")->required();
    w.require_subcommand(1, 1);
    auto action = [&w](const char* name, const char* help) {
        CLI::App* a = w.add_subcommand(name, help);
        a->fallthrough(true);
        return a;
    };
    auto* addCmd = action("add", "enter and triage the studies found in files and folders");
    addCmd->add_option("PATH", o->paths, "files or folders")->required();
    addCmd->add_option("--models", o->modelsDir, "folder of model packages (default: shipped)");
    addCmd->add_option("--user", o->user, "who (default: $SPINELENS_USER or the OS user)");
    addCmd->callback(
        [&run, o, &out, &err] { run = [o, &out, &err] { return add(*o, out, err); }; });

    auto* listCmd = action("list", "entries in priority order with lane, score, flag, state "
                                   "(JSON)");
    listCmd->callback([&run, o, &out] { run = [o, &out] { return list(*o, out); }; });

    auto* decideCmd = action("decide", "record the decision on a study (written at once)");
    decideCmd->add_option("STUDY", o->study, "Study Instance UID (or file: key)")->required();
    decideCmd->add_option("VERDICT", o->verdict, "agree, disagree or uncertain")
        ->required()
        ->check(CLI::IsMember({"agree", "disagree", "uncertain"}));
    decideCmd->add_option("--reason", o->reason, "why (a short reason)");
    decideCmd->add_option("--note", o->note, "free text");
    decideCmd->add_option("--user", o->user, "who (default: $SPINELENS_USER or the OS user)");
    decideCmd->callback([&run, o, &out] { run = [o, &out] { return decide(*o, out); }; });

    auto* historyCmd = action("history", "a study's audit records (JSON)");
    historyCmd->add_option("STUDY", o->study, "Study Instance UID")->required();
    historyCmd->callback([&run, o, &out] { run = [o, &out] { return history(*o, out); }; });

    auto* exportCmd = action("export", "every entry and its decision as CSV; the studies the "
                                       "reviewer disagreed on as a manifest data set");
    exportCmd->add_option("--csv", o->csv, "CSV file of every entry to write");
    exportCmd->add_option("--manifest", o->manifest,
                          "manifest (path,label,split,group) of the disagreements, for train "
                          "and evaluate");
    exportCmd->callback(
        [&run, o, &out, &err] { run = [o, &out, &err] { return exportCsv(*o, out, err); }; });

    auto* thresholdCmd = action("threshold", "choose the flag threshold from an evaluation run "
                                             "(stored with its provenance)");
    thresholdCmd->add_option("--run", o->run, "evaluation run file")->required();
    thresholdCmd->add_option("--sensitivity", o->sensitivity, "at least this sensitivity")
        ->check(CLI::Range(0.0, 1.0));
    thresholdCmd->add_option("--specificity", o->specificity, "at least this specificity")
        ->check(CLI::Range(0.0, 1.0));
    thresholdCmd->add_option("--value", o->value, "this threshold")->check(CLI::Range(0.0, 1.0));
    thresholdCmd->add_option("--user", o->user, "who (default: $SPINELENS_USER or the OS user)");
    thresholdCmd->callback([&run, o, &out] { run = [o, &out] { return threshold(*o, out); }; });

    auto* kosCmd = action("kos", "the decision on a study as a DICOM Key Object Selection "
                                 "document (new series of the study; then `send` it)");
    kosCmd->add_option("STUDY", o->study, "Study Instance UID")->required();
    kosCmd->add_option("--out", o->outFolder, "folder to write review-STUDY.dcm in")->required();
    kosCmd->callback([&run, o, &out] { run = [o, &out] { return kos(*o, out); }; });

    auto* pullCmd = action("pull", "ask a PACS for the studies of a saved query and retrieve, "
                                   "enter and triage the ones not listed yet (one poll; run it "
                                   "again, e.g. from a timer, to keep polling)");
    addServerOptions(pullCmd, o->server);
    pullCmd->add_option("--modality", o->query.keys.modality, "e.g. MR");
    pullCmd->add_option("--description", o->query.keys.studyDescription,
                        "study description (wildcards * and ?), e.g. *LUMBAR*");
    pullCmd->add_option("--patient-id", o->query.keys.patientId, "patient ID");
    pullCmd->add_option("--date", o->query.keys.dateRange,
                        "YYYYMMDD or FROM-TO (either may be empty)");
    pullCmd
        ->add_option("--last-hours", o->query.lastHours,
                     "only studies from the last this many hours (by study date and time)")
        ->check(intAtLeast(1))
        ->excludes("--date");
    pullCmd->add_option("--store", o->storeDir, "folder retrieved studies are kept in")->required();
    pullCmd->add_option("--models", o->modelsDir, "folder of model packages (default: shipped)");
    pullCmd->callback(
        [&run, o, &out, &err] { run = [o, &out, &err] { return pull(*o, out, err); }; });

    auto* resumeCmd = action("resume", "triage the studies left waiting for triage (a triage "
                                       "stopped by a crash or a kill); JSON of each");
    resumeCmd->add_option("--models", o->modelsDir, "folder of model packages (default: shipped)");
    resumeCmd->add_option("--user", o->user, "who (default: $SPINELENS_USER or the OS user)");
    resumeCmd->callback([&run, o, &out] { run = [o, &out] { return resume(*o, out); }; });

    auto* assignCmd = action("assign", "assign a model package to a modality for triage (or "
                                       "--default); without arguments, list what each modality "
                                       "is triaged with (JSON)");
    assignCmd->add_option("MODALITY", o->modality, "MR, CT, DX, CR, ...; PNG for PNG/JPEG files");
    assignCmd->add_option("PACKAGE", o->package, "model package folder");
    assignCmd->add_flag("--default", o->toDefault, "use the shipped default model again");
    assignCmd->add_option("--models", o->modelsDir, "folder of model packages (default: shipped)");
    assignCmd->add_option("--user", o->user, "who (default: $SPINELENS_USER or the OS user)");
    assignCmd->callback([&run, o, &out] { run = [o, &out] { return assign(*o, out); }; });

    auto* verifyCmd = action("verify", "check the audit chain; exit 1 naming the first record "
                                       "altered or removed");
    verifyCmd->callback(
        [&run, o, &out, &err] { run = [o, &out, &err] { return verify(*o, out, err); }; });
}

} // namespace spinelens::cli
