// Pixel decoding (DCMTK's codecs; JPEG 2000 through GDCM in its child process).
#include "Error.h"
#include "FuzzFile.h"
#include "dicom/DicomDecoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzzFile(data, size, ".dcm");
    try {
        spinelens::dicom::decodeFile(path, nullptr, 0);
    } catch (const spinelens::Error&) {
    }
    return 0;
}
