// One C-GET or WADO-RS retrieve through core/net as the viewer makes it (in process, no program
// start-up), for bench_pacs.py: prints {"seconds", "firstObjectSeconds", "objects"} as JSON. usage:
// bench_pacs_retrieve SERVER STUDY_UID SERIES_UID OUT_DIR
//   SERVER: dicom://AET@host:port (C-GET) or http://host:port/dicom-web (WADO-RS)
#include "Error.h"
#include "net/Pacs.h"

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s SERVER STUDY SERIES OUT\n", argv[0]);
        return 2;
    }
    using Clock = std::chrono::steady_clock;
    try {
        spinelens::net::PacsNode node;
        node.server = spinelens::net::parseServerAddress(argv[1]);
        const spinelens::net::StoreFolder store(argv[4]);
        const auto start = Clock::now();
        double first = -1;
        const auto result = spinelens::net::retrieve(
            node, {argv[2], argv[3]}, store, [&](const spinelens::net::RetrieveProgress& p) {
                if (first < 0 && p.last)
                    first = std::chrono::duration<double>(Clock::now() - start).count();
                return true;
            });
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("{\"seconds\": %.4f, \"firstObjectSeconds\": %.4f, \"objects\": %zu}\n",
                    seconds, first, result.objects.size());
        return result.complete ? 0 : 1;
    } catch (const spinelens::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
