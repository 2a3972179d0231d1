// The review decision as a Key Object Selection document, written with DCMTK's dcmsr.
#include "out/ReviewKos.h"
#include "out/SourceDataset.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>

namespace spinelens::out {
namespace {

using T = DSRTypes;

void must(const OFCondition& c, const std::string& what, const std::string& path) {
    if (c.bad())
        throw Error("cannot write the review document (" + what + ": " + c.text() + ")", path);
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", v);
    return text;
}

// A login or "Last^First" as a DICOM person name (PN: no backslash, at most 64 per group).
std::string personName(const std::string& who) {
    std::string name;
    for (char c : who)
        if (c != '\\' && c != '\n' && c != '\r')
            name += c;
    return name.empty() ? "UNKNOWN" : name.substr(0, 64);
}

} // namespace

std::string reviewDescription(const ReviewDecision& d) {
    std::string verdict = d.verdict == "agree"      ? "AGREES with"
                          : d.verdict == "disagree" ? "DISAGREES with"
                                                    : "is UNCERTAIN about";
    std::string ai;
    if (!d.assessed)
        ai = "the AI could not assess this study (" + d.model + ")";
    else
        ai = std::string("the AI triage: ") + (d.flagged ? "flagged" : "not flagged") + ", score " +
             number(d.score) + (d.flagged ? " >= " : " < ") + "threshold " + number(d.threshold) +
             ", model " + d.model + ", weights " + d.modelHash;
    std::string text = "Review of AI triage: " + d.reviewer + " " + verdict + " " + ai + ".";
    if (!d.reason.empty())
        text += " Reason: " + d.reason + ".";
    if (!d.note.empty())
        text += " Note: " + d.note;
    text += " Decided " + d.decidedAt + ".";
    if (!d.aiNote.empty())
        text += " AI model: " + d.aiNote + ".";
    return text.substr(0, 1024); // UT would hold more; viewers show a line of it
}

WrittenObject writeReviewKos(const ReviewDecision& d, const SourceImages& images,
                             const std::string& path) {
    const std::vector<SourceDataset> sources = readSources(images);
    DSRDocument doc(T::DT_KeyObjectSelectionDocument);
    must(doc.readStudyData(*sources.front().dataset), "study of the source", path);
    doc.createNewSeries();
    must(sources.front().utf8
             ? doc.setSpecificCharacterSetType(T::CS_UTF8)
             : doc.setSpecificCharacterSet(sources.front().characterSet.c_str(), OFFalse),
         "character set", path);
    must(doc.setSeriesNumber("9002"), "series number", path);
    must(doc.setInstanceNumber("1"), "instance number", path);
    must(doc.setSeriesDescription("AI TRIAGE REVIEW", OFFalse), "series description", path);
    must(doc.setManufacturer("SpineLens"), "manufacturer", path);

    DSRDocumentTree& t = doc.getTree();
    // Title from CID 7010 ("Of Interest"): the decision itself is in the description.
    if (t.addContentItem(T::RT_isRoot, T::VT_Container) == 0)
        throw Error("cannot write the review document (root)", path);
    must(t.getCurrentContentItem().setConceptName(CODE_DCM_OfInterest), "title", path);
    must(t.getCurrentContentItem().setTemplateIdentification("2010", "DCMR",
                                                             UID_DICOMContentMappingResource),
         "template", path);
    // TID 1002: the person who decided.
    must(t.addChildContentItem(T::RT_hasObsContext, T::VT_Code, CODE_DCM_ObserverType), "observer",
         path);
    must(t.getCurrentContentItem().setCodeValue(CODE_DCM_Person), "observer", path);
    must(t.addContentItem(T::RT_hasObsContext, T::VT_PName, CODE_DCM_PersonObserverName),
         "observer name", path);
    must(t.getCurrentContentItem().setStringValue(personName(d.reviewer).c_str(), OFFalse),
         "observer name", path);
    must(t.addContentItem(T::RT_contains, T::VT_Text, CODE_DCM_KeyObjectDescription), "description",
         path);
    must(t.getCurrentContentItem().setStringValue(reviewDescription(d).c_str(), OFFalse),
         "description", path);
    for (const SourceDataset& s : sources) {
        if (t.addContentItem(T::RT_contains, T::VT_Image) == 0)
            throw Error("cannot write the review document (key image)", path);
        must(t.getCurrentContentItem().setImageReference(
                 DSRImageReferenceValue(s.sopClassUid.c_str(), s.sopInstanceUid.c_str())),
             "key image", path);
        must(doc.getCurrentRequestedProcedureEvidence().addItem(
                 s.studyUid.c_str(), s.seriesUid.c_str(), s.sopClassUid.c_str(),
                 s.sopInstanceUid.c_str()),
             "evidence", path);
    }

    DcmFileFormat file;
    must(doc.write(*file.getDataset()), "encoding", path);
    must(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), "saving", path);
    return identityOf(*file.getDataset(), path);
}

} // namespace spinelens::out
