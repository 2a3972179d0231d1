// Specific Character Set decoding: a first byte below 224 picks one of the sets below and the
// rest is the value; 224 + L is followed by L bytes of (0008,0005) text, then the value. The
// output must always be valid UTF-8.
#include "text/CharacterSet.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const char* const kSets[] = {"",
                                        "ISO_IR 100",
                                        "ISO_IR 192",
                                        "GB18030",
                                        "GBK",
                                        "ISO_IR 13",
                                        "\\ISO 2022 IR 87",
                                        "ISO 2022 IR 13\\ISO 2022 IR 87",
                                        "\\ISO 2022 IR 149",
                                        "ISO 2022 IR 6\\ISO 2022 IR 159",
                                        "ISO_IR 166",
                                        "\\ISO 2022 IR 58"};
    if (size == 0)
        return 0;
    std::size_t start = 1;
    std::string set;
    if (data[0] < 224) {
        set = kSets[data[0] % 12];
    } else {
        start = std::min(size, std::size_t(1) + (data[0] - 224));
        set.assign(reinterpret_cast<const char*>(data + 1), start - 1);
    }
    const std::string value(reinterpret_cast<const char*>(data + start), size - start);
    using namespace spinelens::text;
    for (TextKind kind : {TextKind::PersonName, TextKind::Other}) {
        const std::string out = decodeDicomText(value, set, kind);
        if (sanitizeUtf8(out) != out)
            std::abort(); // invalid UTF-8 reaching Qt, VTK or JSON is the bug this guards
    }
    return 0;
}
