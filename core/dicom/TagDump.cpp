#include "dicom/TagDump.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "dicom/DicomHeader.h"
#include "text/CharacterSet.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <cstdio>

namespace spinelens::dicom {
namespace {

constexpr std::size_t kMaxValueChars = 200;

std::string valueText(DcmElement& e, const std::string& charset) {
    const DcmEVR vr = e.ident();
    if (vr == EVR_OB || vr == EVR_OW || vr == EVR_OF || vr == EVR_OD || vr == EVR_OL ||
        vr == EVR_UN || vr == EVR_pixelSQ || vr == EVR_ox || vr == EVR_px)
        return "<" + std::to_string(e.getLength()) + " bytes>";
    if (e.getLength() > 4096)
        return "<" + std::to_string(e.getLength()) + " bytes>";
    OFString v;
    if (e.getOFStringArray(v).bad())
        return {};
    std::string s(v.c_str(), v.length());
    if (vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_ST || vr == EVR_LT ||
        vr == EVR_UT || vr == EVR_UC)
        s = text::decodeDicomText(s, charset,
                                  vr == EVR_PN ? text::TextKind::PersonName
                                  : vr == EVR_ST || vr == EVR_LT || vr == EVR_UT
                                      ? text::TextKind::FreeText
                                      : text::TextKind::Other);
    else
        s = text::sanitizeUtf8(s); // other VRs are ASCII by the standard; a broken file is not
    if (s.size() > kMaxValueChars)
        s = text::truncateUtf8(s, kMaxValueChars) + "…";
    return s;
}

void walk(DcmItem& item, int depth, bool meta, std::string charset, std::vector<TagRow>& rows) {
    // An item may declare its own character set (PS3.5 6.1.2.5.4); else it inherits.
    if (item.tagExists(DCM_SpecificCharacterSet))
        charset = getString(item, DCM_SpecificCharacterSet);
    for (unsigned long i = 0; i < item.card(); ++i) {
        DcmElement* e = item.getElement(i);
        if (!e)
            continue;
        DcmTag tag = e->getTag();
        char tagText[16];
        std::snprintf(tagText, sizeof tagText, "(%04X,%04X)", tag.getGTag(), tag.getETag());
        TagRow row;
        row.depth = depth;
        row.tag = tagText;
        row.vr = DcmVR(e->ident()).getVRName();
        row.name = tag.getTagName();
        row.meta = meta;
        if (e->ident() == EVR_SQ) {
            auto* seq = static_cast<DcmSequenceOfItems*>(e);
            row.value = std::to_string(seq->card()) + (seq->card() == 1 ? " item" : " items");
            rows.push_back(row);
            for (unsigned long k = 0; k < seq->card(); ++k)
                walk(*seq->getItem(k), depth + 1, meta, charset, rows);
            continue;
        }
        row.value = valueText(*e, charset);
        rows.push_back(std::move(row));
    }
}

} // namespace

std::vector<TagRow> dumpTags(const std::string& path) {
    registerCodecs();
    DcmFileFormat ff;
    OFCondition st = ff.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096);
    if (st.bad())
        throw Error(std::string("not a readable DICOM file (") + st.text() + ")", path);
    std::vector<TagRow> rows;
    walk(*ff.getMetaInfo(), 0, true, {}, rows);
    walk(*ff.getDataset(), 0, false, {}, rows);
    return rows;
}

} // namespace spinelens::dicom
