#pragma once
// De-identified export for research: the DICOM PS3.15 Annex E Basic Application Level
// Confidentiality Profile (every attribute of table E.1-1, inside sequences too), private
// attributes removed, UIDs replaced consistently across a study and the references inside
// it, and optionally the Retain Longitudinal Temporal Information with Modified Dates option
// (dates shifted by a fixed number of days). Pixel data is left as it is: text burned into
// the pixels is not removed, and the output says so.
#include <map>
#include <string>
#include <vector>

namespace spinelens::out {

struct AnonymiseOptions {
    /// 0: dates are removed or emptied as the basic profile says; otherwise they are kept,
    /// moved by this many days (the Modified Dates option).
    int dateShiftDays = 0;
    /// A research subject code written as Patient Name and Patient ID (empty: both empty).
    std::string subject;
};

/// The profile's action codes (PS3.15 table E.1-1, basic profile column), resolved to one.
enum class ProfileAction { Keep, Remove, Empty, Dummy, Clean, NewUid };

struct AnonymisedFile {
    std::string input, output;
    int removed = 0, emptied = 0, replaced = 0, uidsReplaced = 0, privateRemoved = 0;
};

class Anonymiser {
public:
    explicit Anonymiser(AnonymiseOptions options);

    /// Writes the de-identified copy of `input` to `output`. UIDs map to the same new UIDs
    /// across all files given to this object. Throws Error naming a file that is not DICOM or
    /// cannot be written.
    AnonymisedFile anonymiseFile(const std::string& input, const std::string& output);

    /// Old UID -> new UID, for every UID replaced so far.
    const std::map<std::string, std::string>& uidMap() const { return uids_; }

    /// The text written to Deidentification Method (0012,0063).
    std::string methodText() const;

private:
    std::string newUid(const std::string& old);
    AnonymiseOptions options_;
    std::map<std::string, std::string> uids_;
    unsigned long long randomState_[2];
};

/// The action the basic profile gives the attribute (group, element); Keep when it is not in
/// the table. Choices such as X/Z are resolved to the one that keeps the object valid
/// (see Anonymiser.cpp).
ProfileAction basicProfileAction(unsigned group, unsigned element);

/// Rows of table E.1-1 (resources/dicom/basic-profile-table-e1-1.csv, compiled in): group,
/// element (with masks for the repeating groups such as 60xx), name, action as printed.
struct ProfileRow {
    unsigned group, element, groupMask, elementMask;
    std::string name;
    std::string action;
};
const std::vector<ProfileRow>& basicProfileTable();

} // namespace spinelens::out
