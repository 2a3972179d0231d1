#include "worklist/ModelAssignment.h"

#include "Error.h"
#include "ai/DefaultModels.h"
#include "ai/ModelPackage.h"
#include "eval/SqliteStatement.h"
#include "report/AiReportMaker.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace spinelens::worklist {

using eval::SqliteStatement;

std::string modalityKey(const std::string& modality) {
    std::string s = modality;
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

ModelAssignment describeAssignment(const std::string& modality, const std::string& folder) {
    ModelAssignment a;
    a.modality = modalityKey(modality);
    a.folder = folder;
    if (a.modality.empty())
        throw Error("a model is assigned to a modality (MR, CT, DX, ...; PNG for PNG/JPEG "
                    "files); none was given",
                    folder);
    std::shared_ptr<const ai::ModelPackage> package;
    try {
        package = ai::ModelPackage::load(folder);
    } catch (const Error& e) {
        throw Error(std::string("cannot assign this model to ") + a.modality + ": " + e.what(),
                    folder);
    }
    const ai::ModelCard& card = package->card();
    const bool raster = a.modality == "PNG";
    const std::string mismatch =
        ai::modalityMismatch(card.name, card.modality, raster ? "" : a.modality, raster);
    if (!mismatch.empty())
        throw Error("not assigned to " + a.modality + ": " + mismatch, folder);
    a.model = card.name;
    a.version = card.version;
    a.hash = report::algorithmIdentity(*package).fileHash;
    return a;
}

std::map<std::string, std::string> assignedFolders(const WorklistDb& db) {
    std::map<std::string, std::string> out;
    for (const ModelAssignment& a : db.assignments())
        out[a.modality] = a.folder;
    return out;
}

const std::vector<std::string>& assignableModalities() {
    static const std::vector<std::string> all{"MR", "CT", "DX", "CR", "PNG"};
    return all;
}

std::vector<ModelAssignment> WorklistDb::assignments() const {
    SqliteStatement s(db_,
                      "SELECT modality, folder, model, version, hash, set_at, set_by FROM "
                      "assignments ORDER BY modality",
                      path_);
    std::vector<ModelAssignment> out;
    while (s.step())
        out.push_back(
            {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
    return out;
}

void WorklistDb::assignModel(const ModelAssignment& in) {
    ModelAssignment a = in;
    a.setAt = a.setAt.empty() ? utcNow() : a.setAt;
    exec("BEGIN IMMEDIATE");
    try {
        if (a.folder.empty()) {
            SqliteStatement d(db_, "DELETE FROM assignments WHERE modality = ?", path_);
            d.bind(1, a.modality).step();
        } else {
            SqliteStatement i(db_,
                              "INSERT OR REPLACE INTO assignments(modality, folder, model, "
                              "version, hash, set_at, set_by) VALUES(?,?,?,?,?,?,?)",
                              path_);
            i.bind(1, a.modality)
                .bind(2, a.folder)
                .bind(3, a.model)
                .bind(4, a.version)
                .bind(5, a.hash)
                .bind(6, a.setAt)
                .bind(7, a.setBy)
                .step();
        }
        appendAudit("model-assigned", "",
                    nlohmann::json{{"modality", a.modality},
                                   {"folder", a.folder},
                                   {"model", a.folder.empty() ? "default" : a.model},
                                   {"version", a.version},
                                   {"modelHash", a.hash}}
                        .dump(),
                    a.setBy);
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

} // namespace spinelens::worklist
