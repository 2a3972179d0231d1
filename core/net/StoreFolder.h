#pragma once
// Where received DICOM objects land (C-GET, C-MOVE, the storage SCP, WADO-RS). Each object is
// written under a temporary hidden name and renamed to STUDY/SERIES/SOP.dcm only when it is
// complete, so a reader never sees half a file: a scanner skips names that start with a dot,
// and an interrupted transfer leaves only such names behind.
#include <string>

namespace spinelens::net {

struct StoredObject {
    std::string path; ///< the final file
    std::string studyUid, seriesUid, sopInstanceUid, sopClassUid;
};

class StoreFolder {
public:
    /// Creates the folder (and its hidden .incoming folder); throws Error naming it if it
    /// cannot be written.
    explicit StoreFolder(std::string root);

    const std::string& root() const { return root_; }

    /// A new unique temporary path for an object being received (thread-safe).
    std::string temporaryPath(const std::string& sopInstanceUid) const;

    /// Reads the UIDs of the complete file at `temporaryPath` and renames it into place,
    /// replacing an older copy of the same instance. Throws Error (and deletes the temporary
    /// file) when it is not a readable DICOM object.
    StoredObject commit(const std::string& temporaryPath) const;
    /// The same when the UIDs are already known (read from the dataset that was written).
    StoredObject commit(const std::string& temporaryPath, StoredObject known) const;

private:
    std::string root_;
    std::string incoming_;
};

/// A UID as a file name: digits and dots only (anything else becomes '_'); empty → "unknown".
std::string uidFileName(const std::string& uid);

} // namespace spinelens::net
