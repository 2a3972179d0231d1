#include "net/StoreFolder.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "dicom/FastHeader.h"
#include "net/DimseAssociation.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <atomic>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace spinelens::net {

std::string uidFileName(const std::string& uid) {
    std::string name = uid.substr(0, 64);
    for (char& c : name)
        if (!(c == '.' || (c >= '0' && c <= '9')))
            c = '_';
    return name.empty() || name == "." || name == ".." ? "unknown" : name;
}

StoreFolder::StoreFolder(std::string root)
    : root_(std::move(root)), incoming_((fs::path(root_) / ".incoming").string()) {
    detail::prepareDcmtkNetwork(); // DCMTK's own log lines stay off stderr
    std::error_code ec;
    fs::create_directories(incoming_, ec);
    if (ec || access(incoming_.c_str(), W_OK) != 0)
        throw Error("cannot write to this folder" + (ec ? " (" + ec.message() + ")" : ""), root_);
}

std::string StoreFolder::temporaryPath(const std::string& sopInstanceUid) const {
    static std::atomic<unsigned long> counter{0};
    return (fs::path(incoming_) /
            ("." + uidFileName(sopInstanceUid) + "." + std::to_string(getpid()) + "." +
             std::to_string(++counter) + ".part"))
        .string();
}

StoredObject StoreFolder::commit(const std::string& temporaryPath) const {
    StoredObject object;
    dicom::FileHeader fast;
    if (dicom::readHeaderFast(temporaryPath, fast)) { // the common layout, without DCMTK
        object.studyUid = fast.series.studyInstanceUid;
        object.seriesUid = fast.series.seriesInstanceUid;
        object.sopInstanceUid = fast.slice.sopInstanceUid;
        object.sopClassUid = fast.sopClassUid;
    } else {
        DcmFileFormat file;
        // Only the identifying attributes are needed: stop before the pixel data.
        const OFCondition read =
            file.loadFileUntilTag(temporaryPath.c_str(), EXS_Unknown, EGL_noChange,
                                  DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData);
        if (read.bad()) {
            std::error_code ec;
            fs::remove(temporaryPath, ec);
            throw Error(std::string("the received object is not readable DICOM (") + read.text() +
                            ")",
                        temporaryPath);
        }
        DcmDataset& d = *file.getDataset();
        object.studyUid = dicom::getString(d, DCM_StudyInstanceUID);
        object.seriesUid = dicom::getString(d, DCM_SeriesInstanceUID);
        object.sopInstanceUid = dicom::getString(d, DCM_SOPInstanceUID);
        object.sopClassUid = dicom::getString(d, DCM_SOPClassUID);
    }
    return commit(temporaryPath, std::move(object));
}

StoredObject StoreFolder::commit(const std::string& temporaryPath, StoredObject object) const {
    const fs::path folder =
        fs::path(root_) / uidFileName(object.studyUid) / uidFileName(object.seriesUid);
    std::error_code ec;
    fs::create_directories(folder, ec);
    const fs::path target = folder / (uidFileName(object.sopInstanceUid) + ".dcm");
    fs::rename(temporaryPath, target, ec);
    if (ec) {
        fs::remove(temporaryPath, ec);
        throw Error("cannot store the received object (" + ec.message() + ")", target.string());
    }
    object.path = target.string();
    return object;
}

} // namespace spinelens::net
