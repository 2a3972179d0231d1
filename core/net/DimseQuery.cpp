// C-ECHO, C-FIND and the words for DIMSE statuses.
#include "net/Dimse.h"
#include "net/DimseAssociation.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "text/CharacterSet.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>

namespace spinelens::net {

using detail::Association;

std::string describeStatus(unsigned status) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04X", status);
    const std::string code = std::string(" (status ") + hex + ")";
    if (status == 0x0000)
        return "success";
    if (status == 0xFF00 || status == 0xFF01)
        return "pending";
    if (status == 0xFE00)
        return "cancelled" + code;
    if (status == 0xA801)
        return "the move destination is unknown to the server: register our AE title, host and "
               "port on the PACS, or retrieve with C-GET" +
               code;
    if (status == 0xA700 || status == 0xA701 || status == 0xA702 || (status & 0xFF00) == 0xA700)
        return "the server is out of resources" + code;
    if (status == 0xA900 || (status & 0xFF00) == 0xA900)
        return "the server says the request does not match the SOP class" + code;
    if (status == 0xB000)
        return "some sub-operations failed" + code;
    if ((status & 0xF000) == 0xC000)
        return "the server could not process the request" + code;
    if (status == 0x0122)
        return "the server does not support this SOP class" + code;
    if (status == 0x0124)
        return "not authorized" + code;
    if ((status & 0xF000) == 0xB000)
        return "completed with warnings" + code;
    return "failed" + code;
}

double echo(const ServerAddress& server, const DimseSettings& settings) {
    const auto start = std::chrono::steady_clock::now();
    Association a(server, settings);
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    a.addPresentationContext(UID_VerificationSOPClass, syntaxes);
    a.open();
    a.check(a.sendECHORequest(a.contextFor(UID_VerificationSOPClass, "verification (C-ECHO)")),
            "C-ECHO");
    a.close();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

void checkQueryKeys(const QueryKeys& keys) {
    static const std::regex range(R"(^(\d{8})?(-(\d{8})?)?$)");
    if (!keys.dateRange.empty() &&
        (keys.dateRange == "-" || !std::regex_match(keys.dateRange, range)))
        throw Error("write dates as YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD",
                    "--date " + keys.dateRange);
    if ((keys.level == QueryLevel::Series || keys.level == QueryLevel::Image) &&
        keys.studyUid.empty())
        throw Error("a series or image query needs the study's UID (--study)", "--level");
    if (keys.level == QueryLevel::Image && keys.seriesUid.empty())
        throw Error("an image query needs the series' UID", "--level image");
}

namespace {

bool isAscii(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0x80)
            return false;
    return true;
}

// The keys of one level. Empty values ask the server to return the attribute.
void buildQuery(const QueryKeys& k, DcmDataset& q) {
    auto put = [&q](const DcmTagKey& tag, const std::string& value) {
        q.putAndInsertString(tag, value.c_str());
    };
    // Keys typed in UTF-8 are sent as such; the server answers in its own character set.
    if (!isAscii(k.patientName) || !isAscii(k.patientId) || !isAscii(k.studyDescription) ||
        !isAscii(k.accession))
        put(DCM_SpecificCharacterSet, "ISO_IR 192");
    switch (k.level) {
    case QueryLevel::Patient:
        put(DCM_QueryRetrieveLevel, "PATIENT");
        put(DCM_PatientName, k.patientName);
        put(DCM_PatientID, k.patientId);
        put(DCM_PatientBirthDate, "");
        put(DCM_NumberOfPatientRelatedStudies, "");
        break;
    case QueryLevel::Study:
        put(DCM_QueryRetrieveLevel, "STUDY");
        put(DCM_PatientName, k.patientName);
        put(DCM_PatientID, k.patientId);
        put(DCM_PatientBirthDate, "");
        put(DCM_StudyInstanceUID, k.studyUid);
        put(DCM_StudyDate, k.dateRange);
        put(DCM_StudyTime, "");
        put(DCM_AccessionNumber, k.accession);
        put(DCM_StudyDescription, k.studyDescription);
        put(DCM_ModalitiesInStudy, k.modality);
        put(DCM_SOPClassesInStudy, "");
        put(DCM_NumberOfStudyRelatedSeries, "");
        put(DCM_NumberOfStudyRelatedInstances, "");
        break;
    case QueryLevel::Series:
        put(DCM_QueryRetrieveLevel, "SERIES");
        put(DCM_StudyInstanceUID, k.studyUid);
        put(DCM_SeriesInstanceUID, "");
        put(DCM_Modality, k.modality);
        put(DCM_SeriesNumber, "");
        put(DCM_SeriesDescription, "");
        put(DCM_SeriesDate, k.dateRange);
        put(DCM_NumberOfSeriesRelatedInstances, "");
        break;
    case QueryLevel::Image:
        put(DCM_QueryRetrieveLevel, "IMAGE");
        put(DCM_StudyInstanceUID, k.studyUid);
        put(DCM_SeriesInstanceUID, k.seriesUid);
        put(DCM_SOPInstanceUID, "");
        put(DCM_InstanceNumber, "");
        break;
    }
}

int count(DcmDataset& d, const DcmTagKey& tag) {
    const std::string v = dicom::getString(d, tag);
    if (v.empty())
        return -1;
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    return end && *end == '\0' && n >= 0 ? static_cast<int>(n) : -1;
}

QueryMatch readMatch(DcmDataset& d, QueryLevel level) {
    const std::string charset = dicom::getString(d, DCM_SpecificCharacterSet);
    auto text = [&](const DcmTagKey& tag, text::TextKind kind = text::TextKind::Other) {
        return text::decodeDicomText(dicom::getString(d, tag), charset, kind);
    };
    QueryMatch m;
    m.level = level == QueryLevel::Patient  ? "patient"
              : level == QueryLevel::Study  ? "study"
              : level == QueryLevel::Series ? "series"
                                            : "image";
    m.patientName = text(DCM_PatientName, text::TextKind::PersonName);
    m.patientId = text(DCM_PatientID);
    m.patientBirthDate = dicom::getString(d, DCM_PatientBirthDate);
    m.studyUid = dicom::getString(d, DCM_StudyInstanceUID);
    m.studyDate = dicom::getString(d, DCM_StudyDate);
    m.studyTime = dicom::getString(d, DCM_StudyTime);
    m.accession = text(DCM_AccessionNumber);
    m.studyDescription = text(DCM_StudyDescription);
    m.modalities = dicom::getString(d, DCM_ModalitiesInStudy);
    m.sopClassesInStudy = dicom::getString(d, DCM_SOPClassesInStudy);
    m.seriesUid = dicom::getString(d, DCM_SeriesInstanceUID);
    m.seriesNumber = dicom::getString(d, DCM_SeriesNumber);
    m.seriesDescription = text(DCM_SeriesDescription);
    m.modality = dicom::getString(d, DCM_Modality);
    m.sopInstanceUid = dicom::getString(d, DCM_SOPInstanceUID);
    m.instanceNumber = dicom::getString(d, DCM_InstanceNumber);
    m.numberOfStudies = count(d, DCM_NumberOfPatientRelatedStudies);
    m.numberOfSeries = count(d, DCM_NumberOfStudyRelatedSeries);
    m.numberOfInstances = count(d, level == QueryLevel::Series ? DCM_NumberOfSeriesRelatedInstances
                                                               : DCM_NumberOfStudyRelatedInstances);
    return m;
}

} // namespace

std::vector<QueryMatch> find(const ServerAddress& server, const DimseSettings& settings,
                             const QueryKeys& keys) {
    checkQueryKeys(keys);
    const char* model = keys.level == QueryLevel::Patient
                            ? UID_FINDPatientRootQueryRetrieveInformationModel
                            : UID_FINDStudyRootQueryRetrieveInformationModel;
    Association a(server, settings);
    a.addPresentationContext(model, detail::uncompressedSyntaxes());
    a.open();
    DcmDataset query;
    buildQuery(keys, query);
    OFList<QRResponse*> responses;
    const OFCondition cond = a.sendFINDRequest(
        a.contextFor(model, "queries (C-FIND) at this level"), &query, &responses);
    std::vector<QueryMatch> matches;
    unsigned finalStatus = 0;
    for (QRResponse* r : responses) {
        if ((r->m_status == 0xFF00 || r->m_status == 0xFF01) && r->m_dataset)
            matches.push_back(readMatch(*r->m_dataset, keys.level));
        else
            finalStatus = r->m_status;
        delete r;
    }
    a.check(cond, "C-FIND");
    a.close();
    if (finalStatus != 0)
        throw detail::serverError(server, "C-FIND: " + describeStatus(finalStatus));
    return matches;
}

} // namespace spinelens::net
