// Both header readers, series grouping and the tag browser's dump on arbitrary bytes: any
// spinelens::Error is a clean refusal; anything else (crash, abort, UB, leak-free hang) is a bug.
#include "Error.h"
#include "FuzzFile.h"
#include "dicom/DicomHeader.h"
#include "dicom/TagDump.h"
#include "image/WindowLevel.h"
#include "study/Scanner.h"

#include <cstdint>
#include <vector>

namespace {
// Whatever VOI a header gives (NaN or huge windows, odd LUTs) must map values to grey safely.
void presentWith(const spinelens::DisplayDefaults& d) {
    const float values[] = {-1e30f, -1.0f, 0.0f, 0.5f, 1000.0f, 1e30f};
    std::uint8_t out[6];
    spinelens::applyDefaultVoi(values, 6, d, out);
    spinelens::modelGrey8(values, 6, d, out);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzzFile(data, size, ".dcm");
    using namespace spinelens;
    try {
        presentWith(dicom::readHeader(path).series.display);
    } catch (const Error&) {
    }
    try {
        presentWith(dicom::readHeaderWithDcmtk(path).series.display);
    } catch (const Error&) {
    }
    try {
        dicom::dumpTags(path);
    } catch (const Error&) {
    }
    ScanOptions options;
    options.threads = 1;
    (void)scan({path}, options);
    return 0;
}
