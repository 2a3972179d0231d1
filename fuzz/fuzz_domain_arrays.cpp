// The domain model's .npy arrays (NumPy's format, as another program may write them).
#include "Error.h"
#include "FuzzFile.h"
#include "util/Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzzFile(data, size, ".npy");
    try {
        const spinelens::NpyMatrix m = spinelens::readNpy(path);
        if (m.values.size() != std::size_t(m.rows * m.cols))
            __builtin_trap();
    } catch (const spinelens::Error&) {
    }
    return 0;
}
