#include "out/Anonymiser.h"
#include "out/SourceDataset.h"

#include "Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrda.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <random>
#include <sstream>

namespace spinelens::out {
namespace {

// Where the table offers a choice, the one that keeps a valid object valid: a Type 1 or 2
// attribute must stay present, so "remove" gives way to "empty" and "empty" to "dummy"
// (PS3.15 E.3.1: the choice depends on the IOD; we do not know every IOD's types, so we
// choose the form every type accepts). U* (UIDs inside the sequence) keeps the sequence and
// replaces the UIDs in it, which the recursion does.
ProfileAction resolve(const std::string& code) {
    if (code == "X")
        return ProfileAction::Remove;
    if (code == "Z" || code == "X/Z")
        return ProfileAction::Empty;
    if (code == "D" || code == "Z/D" || code == "X/D" || code == "X/Z/D")
        return ProfileAction::Dummy;
    if (code == "U")
        return ProfileAction::NewUid;
    if (code == "C")
        return ProfileAction::Clean;
    return ProfileAction::Keep; // K, X/Z/U*
}

bool isDate(DcmEVR vr) {
    return vr == EVR_DA || vr == EVR_DT;
}

std::string dummyFor(DcmEVR vr) {
    switch (vr) {
    case EVR_DA:
        return "19000101";
    case EVR_TM:
        return "000000";
    case EVR_DT:
        return "19000101000000";
    case EVR_AS:
        return "000Y";
    case EVR_DS:
    case EVR_IS:
        return "0";
    case EVR_PN:
    case EVR_LO:
    case EVR_SH:
    case EVR_LT:
    case EVR_ST:
    case EVR_UT:
    case EVR_UC:
    case EVR_CS:
        return "ANONYMOUS";
    default:
        return "";
    }
}

// YYYYMMDD moved by `days` (the calendar, not the text).
std::string shiftDate(const std::string& value, int days) {
    if (value.size() < 8)
        return value;
    std::tm t{};
    try {
        t.tm_year = std::stoi(value.substr(0, 4)) - 1900;
        t.tm_mon = std::stoi(value.substr(4, 2)) - 1;
        t.tm_mday = std::stoi(value.substr(6, 2)) + days;
    } catch (...) {
        return "";
    }
    t.tm_hour = 12;
    if (timegm(&t) == -1)
        return "";
    char out[16];
    std::strftime(out, sizeof out, "%Y%m%d", &t);
    return out + value.substr(8); // a DT keeps its time part
}

} // namespace

namespace {

// "60xx" -> value 0x6000, mask 0xFF00.
void hexWithMask(const std::string& text, unsigned& value, unsigned& mask) {
    value = mask = 0;
    for (char c : text) {
        value <<= 4;
        mask <<= 4;
        if (c == 'x' || c == 'X')
            continue;
        value |= static_cast<unsigned>(std::stoi(std::string(1, c), nullptr, 16));
        mask |= 0xF;
    }
}

// The CSV as one string literal, made from the file at build time (core/CMakeLists.txt).
const char* const kTableCsv =
#include "BasicProfileTable.inc"
    ;

} // namespace

const std::vector<ProfileRow>& basicProfileTable() {
    static const std::vector<ProfileRow> rows = [] {
        std::vector<ProfileRow> parsed;
        std::istringstream in(kTableCsv);
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line)) {
            if (line.empty())
                continue;
            // group,element,name,action; the name may be quoted and hold commas.
            const std::size_t a = line.find(','), b = line.find(',', a + 1);
            const std::size_t last = line.rfind(',');
            ProfileRow r;
            hexWithMask(line.substr(0, a), r.group, r.groupMask);
            hexWithMask(line.substr(a + 1, b - a - 1), r.element, r.elementMask);
            r.name = line.substr(b + 1, last - b - 1);
            if (r.name.size() >= 2 && r.name.front() == '"')
                r.name = r.name.substr(1, r.name.size() - 2);
            r.action = line.substr(last + 1);
            while (!r.action.empty() && (r.action.back() == '\r' || r.action.back() == ' '))
                r.action.pop_back();
            parsed.push_back(std::move(r));
        }
        return parsed;
    }();
    return rows;
}

ProfileAction basicProfileAction(unsigned group, unsigned element) {
    for (const ProfileRow& r : basicProfileTable())
        if ((group & r.groupMask) == r.group && (element & r.elementMask) == r.element)
            return resolve(r.action);
    return ProfileAction::Keep;
}

Anonymiser::Anonymiser(AnonymiseOptions options) : options_(std::move(options)) {
    std::random_device rd;
    randomState_[0] = (static_cast<unsigned long long>(rd()) << 32) ^ rd();
    randomState_[1] = (static_cast<unsigned long long>(rd()) << 32) ^ rd() ^
                      static_cast<unsigned long long>(
                          std::chrono::steady_clock::now().time_since_epoch().count());
}

// "2.25." and a random 128-bit number in decimal (PS3.5 B.2), the same for the same old UID.
std::string Anonymiser::newUid(const std::string& old) {
    const auto it = uids_.find(old);
    if (it != uids_.end())
        return it->second;
    std::mt19937_64 g(randomState_[0] ^ (randomState_[1] + uids_.size() * 0x9E3779B97F4A7C15ull));
    unsigned __int128 n = (static_cast<unsigned __int128>(g()) << 64) | g();
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + int(n % 10)));
        n /= 10;
    } while (n > 0);
    const std::string uid = "2.25." + digits;
    uids_[old] = uid;
    return uid;
}

// Deidentification Method is LO (64 characters a value), multi-valued: one statement a value.
std::string Anonymiser::methodText() const {
    std::string m = "SpineLens PS3.15 E.1 Basic Profile\\private attributes removed";
    if (options_.dateShiftDays != 0)
        m += "\\dates shifted by " + std::to_string(options_.dateShiftDays) + " days";
    return m + "\\pixel data not examined: burned-in text kept";
}

namespace {

struct Walker {
    Anonymiser& owner;
    const AnonymiseOptions& options;
    AnonymisedFile& counts;
    std::function<std::string(const std::string&)> uid;

    void item(DcmItem& item) {
        // Collect first, change after: removing while iterating would skip elements.
        std::vector<DcmElement*> elements;
        for (unsigned long i = 0; i < item.card(); ++i)
            elements.push_back(item.getElement(i));
        for (DcmElement* e : elements) {
            const DcmTag& tag = e->getTag();
            if (tag.isPrivate()) {
                delete item.remove(e);
                ++counts.privateRemoved;
                continue;
            }
            element(item, e, basicProfileAction(tag.getGroup(), tag.getElement()));
        }
    }

    // With the Modified Dates option every date the basic profile would remove, empty or
    // replace is kept and moved instead, and the times with it (the option's column marks
    // them "C"); the birth date is left to the basic profile.
    void element(DcmItem& parent, DcmElement* e, ProfileAction action) {
        const DcmEVR vr = e->getVR();
        const bool shiftable = options.dateShiftDays != 0 && isDate(vr) &&
                               e->getTag() != DCM_PatientBirthDate && action != ProfileAction::Keep;
        if (shiftable) {
            OFString value;
            if (e->getOFStringArray(value).good() && !value.empty()) {
                // Every value of a multi-valued date moves, not only the first.
                std::string all = value.c_str(), out;
                std::size_t start = 0;
                while (start <= all.size()) {
                    const std::size_t end = std::min(all.find('\\', start), all.size());
                    out += (start ? "\\" : "") +
                           shiftDate(all.substr(start, end - start), options.dateShiftDays);
                    start = end + 1;
                }
                e->putString(out.c_str());
                ++counts.replaced;
            }
            return;
        }
        if (options.dateShiftDays != 0 && vr == EVR_TM && action != ProfileAction::Keep &&
            e->getTag() != DCM_PatientBirthTime)
            return; // times stay with their shifted dates (not the birth time)
        switch (action) {
        case ProfileAction::Remove:
            delete parent.remove(e);
            ++counts.removed;
            return;
        case ProfileAction::Empty:
            if (vr == EVR_SQ)
                static_cast<DcmSequenceOfItems*>(e)->clear();
            else
                e->clear();
            ++counts.emptied;
            return;
        case ProfileAction::Dummy:
        case ProfileAction::Clean:
            if (vr == EVR_SQ) {
                sequence(*static_cast<DcmSequenceOfItems*>(e));
            } else if (vr == EVR_UI) {
                replaceUids(e);
            } else {
                e->putString(dummyFor(vr).c_str());
                ++counts.replaced;
            }
            return;
        case ProfileAction::NewUid:
            if (vr == EVR_SQ)
                sequence(*static_cast<DcmSequenceOfItems*>(e));
            else
                replaceUids(e);
            return;
        case ProfileAction::Keep:
            if (vr == EVR_SQ)
                sequence(*static_cast<DcmSequenceOfItems*>(e));
            return;
        }
    }

    void replaceUids(DcmElement* e) {
        OFString value;
        if (e->getOFStringArray(value).bad() || value.empty())
            return;
        std::string out, all = value.c_str();
        std::size_t start = 0;
        while (start <= all.size()) {
            const std::size_t end = std::min(all.find('\\', start), all.size());
            std::string one = all.substr(start, end - start);
            while (!one.empty() && (one.back() == ' ' || one.back() == '\0'))
                one.pop_back();
            out += (out.empty() ? "" : "\\") + (one.empty() ? one : uid(one));
            start = end + 1;
        }
        e->putString(out.c_str());
        ++counts.uidsReplaced;
    }

    void sequence(DcmSequenceOfItems& s) {
        for (unsigned long i = 0; i < s.card(); ++i)
            item(*s.getItem(i));
    }
};

} // namespace

AnonymisedFile Anonymiser::anonymiseFile(const std::string& input, const std::string& output) {
    quietDcmtkLog();
    AnonymisedFile counts;
    counts.input = input;
    counts.output = output;
    DcmFileFormat file;
    const OFCondition loaded = file.loadFile(input.c_str());
    if (loaded.bad())
        throw Error(std::string("not a DICOM file we can read (") + loaded.text() + ")", input);
    DcmDataset& d = *file.getDataset();
    d.loadAllDataIntoMemory();
    Walker w{*this, options_, counts, [this](const std::string& old) { return newUid(old); }};
    w.item(d);
    if (!options_.subject.empty()) {
        d.putAndInsertString(DCM_PatientName, options_.subject.c_str());
        d.putAndInsertString(DCM_PatientID, options_.subject.c_str());
    }
    d.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
    d.putAndInsertString(DCM_DeidentificationMethod, methodText().c_str());
    d.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
    const auto addMethodCode = [&d](const char* value, const char* meaning) {
        DcmItem* item = nullptr;
        d.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, item, -2);
        if (!item)
            return;
        item->putAndInsertString(DCM_CodeValue, value);
        item->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
        item->putAndInsertString(DCM_CodeMeaning, meaning);
    };
    addMethodCode("113100", "Basic Application Confidentiality Profile");
    if (options_.dateShiftDays != 0) {
        addMethodCode("113107", "Retain Longitudinal Temporal Information Modified Dates Option");
        d.putAndInsertString(DCM_LongitudinalTemporalInformationModified, "MODIFIED");
    } else {
        d.putAndInsertString(DCM_LongitudinalTemporalInformationModified, "REMOVED");
    }
    const OFCondition saved = file.saveFile(output.c_str(), EXS_Unknown, EET_UndefinedLength,
                                            EGL_recalcGL, EPD_noChange, 0, 0, EWM_createNewMeta);
    if (saved.bad())
        throw Error(std::string("cannot write the de-identified copy (") + saved.text() + ")",
                    output);
    return counts;
}

} // namespace spinelens::out
