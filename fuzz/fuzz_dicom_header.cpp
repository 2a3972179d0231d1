// Both header readers, series grouping and the tag browser's dump on arbitrary bytes: any
// spinelens::Error is a clean refusal; anything else (crash, abort, UB, leak-free hang) is a bug.
#include "Error.h"
#include "FuzzFile.h"
#include "dicom/DicomHeader.h"
#include "dicom/Scanner.h"
#include "dicom/TagDump.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzzFile(data, size, ".dcm");
    using namespace spinelens;
    try {
        dicom::readHeader(path);
    } catch (const Error&) {
    }
    try {
        dicom::readHeaderWithDcmtk(path);
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
