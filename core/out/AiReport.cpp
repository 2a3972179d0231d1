// The Comprehensive SR (TID 1500) of an AI result, written and read back with DCMTK's dcmsr.
#include "out/AiReport.h"

#include "out/SourceDataset.h"
#include "util/Sha256.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/codes/sct.h>
#include <dcmtk/dcmsr/codes/umls.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace spinelens::out {
namespace {

using T = DSRTypes;

// Our own coding scheme for what no standard code names (the classes of a research model,
// "predicted class"): declared in the Coding Scheme Identification Sequence as PS3.3 asks.
constexpr const char* kScheme = "99SPINELENS";
const DSRCodedEntryValue kPredictedClass("PREDICTED", kScheme, "Predicted class");
const DSRCodedEntryValue kInDomain("INDOMAIN", kScheme, "Input within training domain");
const DSRCodedEntryValue kDomainCheck("DOMAINCHECK", kScheme, "Domain check");
const DSRCodedEntryValue kIntendedUse("INTENDEDUSE", kScheme, "Intended use");
const DSRCodedEntryValue kTrainingData("TRAININGDATA", kScheme, "Training data");
const DSRCodedEntryValue kSyntheticTraining("SYNTHETIC", kScheme, "Trained on synthetic data");
const DSRCodedEntryValue kValidated("VALIDATED", kScheme, "Clinically validated");
const DSRCodedEntryValue kYes("373066001", "SCT", "Yes");
const DSRCodedEntryValue kNo("373067005", "SCT", "No");
const DSRCodedEntryValue kNoUnits("1", "UCUM", "no units");

// A class name as a code value: at most 16 characters of SH, upper case.
DSRCodedEntryValue classCode(const std::string& name) {
    std::string value;
    for (char c : name) {
        if (value.size() == 16)
            break;
        value += std::isalnum(static_cast<unsigned char>(c))
                     ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                     : '_';
    }
    return DSRCodedEntryValue(value.empty() ? "UNNAMED" : value.c_str(), kScheme,
                              name.substr(0, 64).c_str());
}

void must(const OFCondition& c, const std::string& what, const std::string& path) {
    if (c.bad())
        throw Error("cannot write the report (" + what + ": " + c.text() + ")", path);
}

void mustAdd(bool added, const std::string& what, const std::string& path) {
    if (!added)
        throw Error("cannot write the report (" + what + ")", path);
}

// "2.25.<decimal>" of a UUID named by the model build (PS3.5 B.2): the same model build is the
// same device observer in every report. The UUID is the first 128 bits of the SHA-256 of
// name|version|weights hash with RFC 9562's version 8 and variant bits set.
std::string deviceUid(const AlgorithmIdentity& a) {
    const std::string hex = sha256Hex(a.name + "|" + a.version + "|" + a.fileHash);
    unsigned __int128 uuid = 0;
    for (int i = 0; i < 32; ++i)
        uuid = (uuid << 4) | static_cast<unsigned>(std::stoi(hex.substr(i, 1), nullptr, 16));
    const unsigned __int128 one = 1;
    uuid &= ~(static_cast<unsigned __int128>(0xF) << 76); // version: bits 76-79 = 8
    uuid |= static_cast<unsigned __int128>(0x8) << 76;
    uuid &= ~(static_cast<unsigned __int128>(0x3) << 62); // variant: bits 62-63 = 10
    uuid |= one << 63;
    std::string digits;
    do {
        digits.insert(digits.begin(), char('0' + int(uuid % 10)));
        uuid /= 10;
    } while (uuid != 0);
    return "2.25." + digits;
}

std::string algorithmParameters(const AlgorithmIdentity& a) {
    std::string p = "weights " + a.fileHash;
    if (!a.parameters.empty())
        p += "; " + a.parameters;
    return p;
}

std::string disclaimer(const AlgorithmIdentity& a) {
    std::string d;
    if (a.synthetic)
        d = "Trained on synthetic data. ";
    if (!a.clinicallyValidated)
        d += "Not clinically validated; not for diagnostic use.";
    return d.empty() ? "Research result." : d;
}

void text(DSRDocumentTree& t, T::E_RelationshipType rel, const DSRCodedEntryValue& concept,
          const std::string& value, const std::string& path, bool child = false) {
    const OFCondition c = child ? t.addChildContentItem(rel, T::VT_Text, concept)
                                : t.addContentItem(rel, T::VT_Text, concept);
    must(c, concept.getCodeMeaning().c_str(), path);
    must(t.getCurrentContentItem().setStringValue(value.empty() ? "-" : value.c_str(), OFFalse),
         concept.getCodeMeaning().c_str(), path);
}

void observerContext(DSRDocumentTree& t, const AiResult& r, const std::string& path) {
    must(t.addChildContentItem(T::RT_hasConceptMod, T::VT_Code,
                               CODE_DCM_LanguageOfContentItemAndDescendants),
         "language", path);
    must(t.getCurrentContentItem().setCodeValue(
             DSRCodedEntryValue("en-US", "RFC5646", "English (United States)")),
         "language", path);
    must(t.addContentItem(T::RT_hasObsContext, T::VT_Code, CODE_DCM_ObserverType), "observer",
         path);
    must(t.getCurrentContentItem().setCodeValue(CODE_DCM_Device), "observer", path);
    must(t.addContentItem(T::RT_hasObsContext, T::VT_UIDRef, CODE_DCM_DeviceObserverUID),
         "observer UID", path);
    must(t.getCurrentContentItem().setStringValue(deviceUid(r.algorithm).c_str()), "observer UID",
         path);
    text(t, T::RT_hasObsContext, CODE_DCM_DeviceObserverName, r.algorithm.name, path);
    text(t, T::RT_hasObsContext, CODE_DCM_DeviceObserverManufacturer, "SpineLens", path);
    text(t, T::RT_hasObsContext, CODE_DCM_DeviceObserverModelName,
         r.algorithm.name + " " + r.algorithm.version, path);
    must(t.addContentItem(T::RT_hasConceptMod, T::VT_Code, CODE_DCM_ProcedureReported), "procedure",
         path);
    must(t.getCurrentContentItem().setCodeValue(CODE_SCT_ImagingProcedure), "procedure", path);
}

void imageLibrary(DSRDocumentTree& t, const std::vector<SourceDataset>& sources,
                  const std::string& path) {
    must(t.addContentItem(T::RT_contains, T::VT_Container, CODE_DCM_ImageLibrary), "library", path);
    must(t.addChildContentItem(T::RT_contains, T::VT_Container, CODE_DCM_ImageLibraryGroup),
         "library", path);
    bool first = true;
    for (const SourceDataset& s : sources) {
        mustAdd(t.addContentItem(T::RT_contains, T::VT_Image,
                                 first ? T::AM_belowCurrent : T::AM_afterCurrent) > 0,
                "image library entry", path);
        must(t.getCurrentContentItem().setImageReference(
                 DSRImageReferenceValue(s.sopClassUid.c_str(), s.sopInstanceUid.c_str())),
             "image reference", path);
        first = false;
    }
    t.gotoParent();
    t.gotoParent();
}

// One TID 1501 group per class. The heatmap, an output of the model, is referenced as "Best
// illustration of finding" (DCM 121080, CID 7003) in the predicted class's group, beside the
// finding it illustrates: TID 1501 is extensible, and TID 1500's evaluations container takes
// only CODE and TEXT items.
void measurements(DSRDocumentTree& t, const AiResult& r, const std::vector<SourceDataset>& sources,
                  const WrittenObject* heatmap, const std::string& path) {
    must(t.addContentItem(T::RT_contains, T::VT_Container, CODE_DCM_ImagingMeasurements),
         "measurements", path);
    for (std::size_t i = 0; i < r.classes.size(); ++i) {
        const ClassProbability& c = r.classes[i];
        must(i == 0
                 ? t.addChildContentItem(T::RT_contains, T::VT_Container, CODE_DCM_MeasurementGroup)
                 : t.addContentItem(T::RT_contains, T::VT_Container, CODE_DCM_MeasurementGroup),
             "measurement group", path);
        const size_t group = t.getNodeID();
        text(t, T::RT_hasObsContext, CODE_DCM_TrackingIdentifier, "class " + c.name, path, true);
        must(t.addContentItem(T::RT_hasObsContext, T::VT_UIDRef, CODE_DCM_TrackingUniqueIdentifier),
             "tracking UID", path);
        char uid[100];
        must(t.getCurrentContentItem().setStringValue(
                 dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT)),
             "tracking UID", path);
        must(t.addContentItem(T::RT_contains, T::VT_Code, CODE_DCM_Finding), "finding", path);
        must(t.getCurrentContentItem().setCodeValue(classCode(c.name), OFFalse), "finding", path);
        must(t.addContentItem(T::RT_contains, T::VT_Num, CODE_DCM_Probability), "probability",
             path);
        char value[32];
        std::snprintf(value, sizeof value, "%.6g", c.probability); // DS: 16 characters
        must(t.getCurrentContentItem().setNumericValue(DSRNumericMeasurementValue(value, kNoUnits)),
             "probability", path);
        text(t, T::RT_hasConceptMod, CODE_DCM_AlgorithmName, r.algorithm.name, path, true);
        text(t, T::RT_hasConceptMod, CODE_DCM_AlgorithmVersion, r.algorithm.version, path);
        text(t, T::RT_hasConceptMod, CODE_DCM_AlgorithmParameters, algorithmParameters(r.algorithm),
             path);
        for (const SourceDataset& s : sources) {
            must(t.addContentItem(T::RT_inferredFrom, T::VT_Image, CODE_DCM_SourceOfMeasurement),
                 "source", path);
            must(t.getCurrentContentItem().setImageReference(
                     DSRImageReferenceValue(s.sopClassUid.c_str(), s.sopInstanceUid.c_str())),
                 "source", path);
        }
        if (heatmap && r.assessed && int(i) == r.predicted) {
            t.gotoParent(); // from the NUM's children to the group's
            must(t.addContentItem(T::RT_contains, T::VT_Image, CODE_DCM_BestIllustrationOfFinding),
                 "heatmap", path);
            must(t.getCurrentContentItem().setImageReference(DSRImageReferenceValue(
                     heatmap->sopClassUid.c_str(), heatmap->sopInstanceUid.c_str())),
                 "heatmap", path);
        }
        t.gotoNode(group);
    }
    if (!r.classes.empty())
        t.gotoParent();
}

void evaluations(DSRDocumentTree& t, const AiResult& r, const std::string& path) {
    must(t.addContentItem(T::RT_contains, T::VT_Container, CODE_UMLS_QualitativeEvaluations),
         "evaluations", path);
    must(t.addChildContentItem(T::RT_contains, T::VT_Code, kInDomain), "domain", path);
    must(t.getCurrentContentItem().setCodeValue(r.assessed ? kYes : kNo), "domain", path);
    text(t, T::RT_contains, kDomainCheck, r.domainStatement, path);
    if (r.assessed && r.predicted >= 0 && r.predicted < int(r.classes.size())) {
        must(t.addContentItem(T::RT_contains, T::VT_Code, kPredictedClass), "prediction", path);
        must(t.getCurrentContentItem().setCodeValue(
                 classCode(r.classes[std::size_t(r.predicted)].name), OFFalse),
             "prediction", path);
    }
    text(t, T::RT_contains, kIntendedUse, r.algorithm.intendedUse, path);
    text(t, T::RT_contains, kTrainingData, r.algorithm.trainingData, path);
    must(t.addContentItem(T::RT_contains, T::VT_Code, kSyntheticTraining), "training", path);
    must(t.getCurrentContentItem().setCodeValue(r.algorithm.synthetic ? kYes : kNo), "training",
         path);
    must(t.addContentItem(T::RT_contains, T::VT_Code, kValidated), "validation", path);
    must(t.getCurrentContentItem().setCodeValue(r.algorithm.clinicallyValidated ? kYes : kNo),
         "validation", path);
    text(t, T::RT_contains, CODE_DCM_Comment,
         (r.assessed ? "" : "Outside this model's training data: no finding. ") +
             disclaimer(r.algorithm),
         path);
}

} // namespace

WrittenObject writeAiReport(const AiResult& r, const SourceImages& images,
                            const WrittenObject* heatmap, const std::string& path) {
    const std::vector<SourceDataset> sources = readSources(images);
    DSRDocument doc(T::DT_ComprehensiveSR);
    must(doc.readStudyData(*sources.front().dataset), "study of the source", path);
    doc.createNewSeries();
    must(sources.front().utf8
             ? doc.setSpecificCharacterSetType(T::CS_UTF8)
             : doc.setSpecificCharacterSet(sources.front().characterSet.c_str(), OFFalse),
         "character set", path);
    must(doc.setSeriesNumber("9001"), "series number", path);
    must(doc.setInstanceNumber("1"), "instance number", path);
    // What other viewers list: say what it is before anyone opens it.
    const std::string label = r.algorithm.clinicallyValidated
                                  ? "AI RESULT: "
                                  : "AI RESULT (RESEARCH, NOT FOR DIAGNOSIS): ";
    must(doc.setSeriesDescription((label + r.algorithm.name).substr(0, 64).c_str(), OFFalse),
         "series description", path);
    must(doc.setManufacturer("SpineLens"), "manufacturer", path);
    must(doc.setManufacturerModelName(r.algorithm.name.substr(0, 64).c_str(), OFFalse),
         "model name", path);
    if (!r.software.empty())
        must(doc.setSoftwareVersions(r.software.substr(0, 64).c_str(), OFFalse), "software", path);

    DSRDocumentTree& t = doc.getTree();
    mustAdd(t.addContentItem(T::RT_isRoot, T::VT_Container) > 0, "root", path);
    must(t.getCurrentContentItem().setConceptName(CODE_DCM_ImagingMeasurementReport), "root", path);
    must(t.getCurrentContentItem().setTemplateIdentification("1500", "DCMR",
                                                             UID_DICOMContentMappingResource),
         "template", path);
    observerContext(t, r, path);
    imageLibrary(t, sources, path);
    if (r.assessed && !r.classes.empty())
        measurements(t, r, sources, heatmap, path);
    // The cursor is on the root's last child (the library or the measurements): the
    // evaluations follow it as a sibling.
    evaluations(t, r, path);

    for (const SourceDataset& s : sources)
        must(doc.getCurrentRequestedProcedureEvidence().addItem(
                 s.studyUid.c_str(), s.seriesUid.c_str(), s.sopClassUid.c_str(),
                 s.sopInstanceUid.c_str()),
             "evidence", path);
    if (heatmap)
        must(doc.getPertinentOtherEvidence().addItem(
                 heatmap->studyUid.c_str(), heatmap->seriesUid.c_str(),
                 heatmap->sopClassUid.c_str(), heatmap->sopInstanceUid.c_str()),
             "evidence", path);
    must(doc.getCodingSchemeIdentification().addItem(kScheme, "", "SpineLens research model codes",
                                                     "SpineLens"),
         "coding scheme", path);
    must(doc.completeDocument(), "completion", path);

    DcmFileFormat file;
    must(doc.write(*file.getDataset()), "encoding", path);
    must(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), "saving", path);

    return identityOf(*file.getDataset(), path);
}

namespace {

bool loadReport(const std::string& path, DcmFileFormat& file, DSRDocument& doc) {
    quietDcmtkLog();
    if (file.loadFile(path.c_str()).bad())
        return false;
    if (dicom::getString(*file.getDataset(), DCM_SOPClassUID) != UID_ComprehensiveSRStorage)
        return false;
    if (doc.read(*file.getDataset()).bad())
        return false;
    DSRDocumentTree& t = doc.getTree();
    if (t.gotoRoot() == 0)
        return false;
    return t.getCurrentContentItem().getConceptName() ==
           DSRCodedEntryValue(CODE_DCM_ImagingMeasurementReport);
}

} // namespace

bool isAiReport(const std::string& path) {
    DcmFileFormat file;
    DSRDocument doc;
    if (!loadReport(path, file, doc))
        return false;
    OFString manufacturer;
    doc.getManufacturer(manufacturer);
    return manufacturer == "SpineLens";
}

AiResult readAiReport(const std::string& path, WrittenObject* identity) {
    DcmFileFormat file;
    DSRDocument doc;
    if (!loadReport(path, file, doc))
        throw Error("not an AI result report (a Comprehensive SR with an Imaging Measurement "
                    "Report)",
                    path);
    AiResult r;
    DSRDocumentTree& t = doc.getTree();
    t.gotoRoot();
    std::string predictedCode;
    std::vector<std::string> classCodes;
    do {
        const DSRContentItem& item = t.getCurrentContentItem();
        const DSRCodedEntryValue& concept = item.getConceptName();
        const std::string code = concept.getCodeValue().c_str();
        const std::string scheme = concept.getCodingSchemeDesignator().c_str();
        const std::string value = item.getStringValue().c_str();
        if (concept == DSRCodedEntryValue(CODE_DCM_Finding)) {
            r.classes.push_back({item.getCodeValue().getCodeMeaning().c_str(), 0});
            classCodes.push_back(item.getCodeValue().getCodeValue().c_str());
        } else if (concept == DSRCodedEntryValue(CODE_DCM_Probability) && !r.classes.empty()) {
            r.classes.back().probability =
                std::atof(item.getNumericValue().getNumericValue().c_str());
        } else if (concept == DSRCodedEntryValue(CODE_DCM_AlgorithmName)) {
            r.algorithm.name = value;
        } else if (concept == DSRCodedEntryValue(CODE_DCM_AlgorithmVersion)) {
            r.algorithm.version = value;
        } else if (concept == DSRCodedEntryValue(CODE_DCM_AlgorithmParameters)) {
            r.algorithm.parameters = value;
        } else if (concept == DSRCodedEntryValue(CODE_DCM_DeviceObserverName) &&
                   r.algorithm.name.empty()) {
            r.algorithm.name = value;
        } else if (scheme == kScheme && code == kInDomain.getCodeValue().c_str()) {
            r.assessed = item.getCodeValue() == kYes;
        } else if (scheme == kScheme && code == kDomainCheck.getCodeValue().c_str()) {
            r.domainStatement = value;
        } else if (scheme == kScheme && code == kPredictedClass.getCodeValue().c_str()) {
            predictedCode = item.getCodeValue().getCodeValue().c_str();
        } else if (scheme == kScheme && code == kIntendedUse.getCodeValue().c_str()) {
            r.algorithm.intendedUse = value;
        } else if (scheme == kScheme && code == kTrainingData.getCodeValue().c_str()) {
            r.algorithm.trainingData = value;
        } else if (scheme == kScheme && code == kSyntheticTraining.getCodeValue().c_str()) {
            r.algorithm.synthetic = item.getCodeValue() == kYes;
        } else if (scheme == kScheme && code == kValidated.getCodeValue().c_str()) {
            r.algorithm.clinicallyValidated = item.getCodeValue() == kYes;
        }
    } while (t.iterate() > 0);
    for (std::size_t i = 0; i < classCodes.size(); ++i)
        if (classCodes[i] == predictedCode)
            r.predicted = int(i);
    OFString date, time, software;
    doc.getContentDate(date);
    doc.getContentTime(time);
    doc.getSoftwareVersions(software);
    r.software = software.c_str();
    if (date.length() == 8 && time.length() >= 6)
        r.createdAt =
            std::string(date.c_str()).substr(0, 4) + "-" + std::string(date.c_str()).substr(4, 2) +
            "-" + std::string(date.c_str()).substr(6, 2) + " " +
            std::string(time.c_str()).substr(0, 2) + ":" + std::string(time.c_str()).substr(2, 2) +
            ":" + std::string(time.c_str()).substr(4, 2);
    if (identity) {
        DcmDataset& d = *file.getDataset();
        identity->path = path;
        identity->studyUid = dicom::getString(d, DCM_StudyInstanceUID);
        identity->seriesUid = dicom::getString(d, DCM_SeriesInstanceUID);
        identity->sopClassUid = dicom::getString(d, DCM_SOPClassUID);
        identity->sopInstanceUid = dicom::getString(d, DCM_SOPInstanceUID);
    }
    return r;
}

} // namespace spinelens::out
