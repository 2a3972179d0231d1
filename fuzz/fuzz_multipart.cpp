// The multipart/related reader WADO-RS answers go through: the first byte sets the boundary
// length (1-16), the next bytes are the boundary, the rest is the body, fed in chunks whose
// sizes come from the body itself. Every part handed over must lie inside what was fed; a
// malformed body may throw spinelens::Error, nothing else.
#include "Error.h"
#include "net/Multipart.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const std::size_t length = 1 + data[0] % 16;
    if (size < 1 + length)
        return 0;
    const std::string boundary(reinterpret_cast<const char*>(data + 1), length);
    const char* body = reinterpret_cast<const char*>(data + 1 + length);
    const std::size_t bodySize = size - 1 - length;
    std::size_t handed = 0;
    try {
        spinelens::net::MultipartReader reader(boundary,
                                               [&](const std::string& headers, std::string& part) {
                                                   handed += headers.size() + part.size();
                                                   if (handed > bodySize)
                                                       __builtin_trap(); // more bytes out than in
                                                   return true;
                                               });
        std::size_t at = 0;
        while (at < bodySize) {
            const std::size_t n = std::min<std::size_t>(bodySize - at, 1 + (body[at] & 63));
            if (!reader.feed(body + at, n))
                break;
            at += n;
        }
    } catch (const spinelens::Error&) {
    }
    return 0;
}
