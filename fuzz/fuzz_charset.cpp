// Specific Character Set decoding: the first byte picks a set (or a random one), the rest is
// the value. The output must always be valid UTF-8.
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
    const std::string set = data[0] < 240 ? kSets[data[0] % 12]
                                          : std::string(reinterpret_cast<const char*>(data + 1),
                                                        std::min<std::size_t>(size - 1, 16));
    const std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
    using namespace spinelens::text;
    for (TextKind kind : {TextKind::PersonName, TextKind::Other}) {
        const std::string out = decodeDicomText(value, set, kind);
        if (sanitizeUtf8(out) != out)
            std::abort(); // invalid UTF-8 reaching Qt, VTK or JSON is the bug this guards
    }
    return 0;
}
