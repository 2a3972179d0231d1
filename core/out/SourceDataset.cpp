#include "out/SourceDataset.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

namespace spinelens::out {

void quietDcmtkLog() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char* name : {"dcmtk.dcmsr", "dcmtk.dcmdata"})
            dcmtk::log4cplus::Logger::getInstance(name).setLogLevel(
                dcmtk::log4cplus::FATAL_LOG_LEVEL);
    });
}

std::vector<SourceDataset> readSources(const SourceImages& images) {
    quietDcmtkLog();
    if (images.files.empty())
        throw Error("no source image given");
    std::vector<SourceDataset> sources;
    for (const std::string& path : images.files) {
        SourceDataset s;
        s.path = path;
        s.file = std::make_shared<DcmFileFormat>();
        const OFCondition c =
            s.file->loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                     ERM_autoDetect, DCM_PixelData);
        if (c.bad())
            throw Error(std::string("a DICOM report needs DICOM source images (") + c.text() +
                            "); PNG and JPEG X-rays have no patient or study to file it under",
                        path);
        s.dataset = s.file->getDataset();
        // Patient and study text is copied into what we write, which declares UTF-8: a Latin-1
        // or ISO 2022 name must be converted, not relabelled.
        OFString declared;
        s.dataset->findAndGetOFStringArray(DCM_SpecificCharacterSet, declared);
        s.characterSet = declared.c_str();
        s.utf8 = s.dataset->convertToUTF8().good();
        s.studyUid = dicom::getString(*s.dataset, DCM_StudyInstanceUID);
        s.seriesUid = dicom::getString(*s.dataset, DCM_SeriesInstanceUID);
        s.sopClassUid = dicom::getString(*s.dataset, DCM_SOPClassUID);
        s.sopInstanceUid = dicom::getString(*s.dataset, DCM_SOPInstanceUID);
        if (s.studyUid.empty() || s.sopInstanceUid.empty() || s.sopClassUid.empty())
            throw Error("the source has no Study, SOP Class or SOP Instance UID", path);
        if (!sources.empty() && s.studyUid != sources.front().studyUid)
            throw Error("the source images belong to two studies", path);
        bool seen = false;
        for (const SourceDataset& o : sources)
            seen = seen || o.sopInstanceUid == s.sopInstanceUid;
        if (!seen) // frames of one multi-frame object are one reference
            sources.push_back(std::move(s));
    }
    return sources;
}

WrittenObject identityOf(DcmDataset& d, const std::string& path) {
    WrittenObject w;
    w.path = path;
    w.studyUid = dicom::getString(d, DCM_StudyInstanceUID);
    w.seriesUid = dicom::getString(d, DCM_SeriesInstanceUID);
    w.sopClassUid = dicom::getString(d, DCM_SOPClassUID);
    w.sopInstanceUid = dicom::getString(d, DCM_SOPInstanceUID);
    return w;
}

void copyPatientAndStudy(DcmDataset& source, DcmDataset& target) {
    static const DcmTagKey keys[] = {
        DCM_SpecificCharacterSet,   DCM_PatientName,      DCM_PatientID,
        DCM_IssuerOfPatientID,      DCM_PatientBirthDate, DCM_PatientSex,
        DCM_StudyInstanceUID,       DCM_StudyDate,        DCM_StudyTime,
        DCM_ReferringPhysicianName, DCM_StudyID,          DCM_AccessionNumber,
        DCM_StudyDescription};
    for (const DcmTagKey& key : keys) {
        DcmElement* element = nullptr;
        if (source.findAndGetElement(key, element).good() && element)
            target.insert(static_cast<DcmElement*>(element->clone()), OFTrue);
    }
    // Type 2 attributes are present even when the source lacks them.
    for (const DcmTagKey& key :
         {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate,
          DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber})
        if (!target.tagExists(key))
            target.insertEmptyElement(key);
}

} // namespace spinelens::out
