#include "cli/SeriesJson.h"

#include "report/StoredAiResults.h"

namespace spinelens::cli {
namespace {
nlohmann::json failuresJson(const std::vector<FileFailure>& list) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& f : list)
        a.push_back({{"path", f.path}, {"reason", f.reason}});
    return a;
}
} // namespace

nlohmann::json toJson(const SeriesInfo& s) {
    nlohmann::json j;
    j["kind"] = s.kind == SourceKind::Dicom ? "dicom" : "raster";
    j["patient"] = {{"name", s.patientName},
                    {"id", s.patientId},
                    {"sex", s.patientSex},
                    {"birthDate", s.patientBirthDate}};
    j["study"] = {{"instanceUid", s.studyInstanceUid},
                  {"date", s.studyDate},
                  {"time", s.studyTime},
                  {"description", s.studyDescription},
                  {"accessionNumber", s.accessionNumber}};
    j["seriesInstanceUid"] = s.seriesInstanceUid;
    j["seriesNumber"] = s.seriesNumber;
    j["modality"] = s.modality;
    j["description"] = s.seriesDescription;
    j["bodyPart"] = s.bodyPartExamined;
    j["transferSyntaxUid"] = s.transferSyntaxUid;
    j["photometricInterpretation"] = s.photometric;
    j["rows"] = s.rows;
    j["columns"] = s.columns;
    j["slices"] = s.slices.size();
    j["sortedBy"] = s.sortedBy;
    j["spacing"] = s.geometry.spacing;
    j["spacingSource"] = s.spacingSource;
    j["origin"] = s.geometry.origin;
    j["direction"] =
        s.geometry.directionKnown ? nlohmann::json(s.geometry.direction) : nlohmann::json();
    if (s.display.hasWindow)
        j["window"] = {{"center", s.display.windowCenter}, {"width", s.display.windowWidth}};
    j["invertedGrey"] = s.display.invert;
    nlohmann::json positions = nlohmann::json::array(), files = nlohmann::json::array();
    for (const auto& sl : s.slices) {
        positions.push_back(sl.hasPosition ? nlohmann::json(sl.position) : nlohmann::json());
        nlohmann::json f = {{"path", sl.path},
                            {"instanceNumber", sl.instanceNumber},
                            {"sopInstanceUid", sl.sopInstanceUid}};
        if (sl.frame > 0 || s.slices.size() > 1)
            f["frame"] = sl.frame;
        files.push_back(std::move(f));
    }
    j["slicePositions"] = std::move(positions);
    j["images"] = std::move(files);
    return j;
}

nlohmann::json toJson(const ScanResult& scan) {
    nlohmann::json j;
    j["series"] = nlohmann::json::array();
    for (const auto& s : scan.series)
        j["series"].push_back(toJson(s));
    j["failures"] = failuresJson(scan.failures);
    j["skipped"] = failuresJson(scan.skipped);
    // AI results stored with the study (our SRs, e.g. retrieved from the PACS): what they say,
    // when and by which model they were made.
    j["aiReports"] = nlohmann::json::array();
    for (const report::StoredAiResult& stored : report::storedAiResults(scan)) {
        const out::AiResult& r = stored.result;
        nlohmann::json probabilities = nlohmann::json::object();
        for (const auto& c : r.classes)
            probabilities[c.name] = c.probability;
        j["aiReports"].push_back(
            {{"path", stored.identity.path},
             {"studyInstanceUid", stored.identity.studyUid},
             {"model", r.algorithm.name},
             {"version", r.algorithm.version},
             {"madeAt", r.createdAt},
             {"software", r.software},
             {"assessed", r.assessed},
             {"domain", r.domainStatement},
             {"predicted", r.predicted >= 0
                               ? nlohmann::json(r.classes[std::size_t(r.predicted)].name)
                               : nlohmann::json()},
             {"probabilities", probabilities},
             {"syntheticTraining", r.algorithm.synthetic},
             {"clinicallyValidated", r.algorithm.clinicallyValidated},
             {"intendedUse", r.algorithm.intendedUse}});
    }
    return j;
}

} // namespace spinelens::cli
