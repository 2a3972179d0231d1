// One C-GET through core/net as the viewer makes it (in process, no program start-up), for
// bench_pacs.py: prints {"seconds", "firstObjectSeconds", "objects"} as JSON.
// usage: bench_pacs_retrieve dicom://AET@host:port STUDY_UID SERIES_UID OUT_DIR
#include "Error.h"
#include "net/Dimse.h"

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s SERVER STUDY SERIES OUT\n", argv[0]);
        return 2;
    }
    using Clock = std::chrono::steady_clock;
    try {
        const auto server = spinelens::net::parseServerAddress(argv[1]);
        const spinelens::net::StoreFolder store(argv[4]);
        const auto start = Clock::now();
        double first = -1;
        const auto result = spinelens::net::retrieveGet(
            server, {}, {argv[2], argv[3]}, store, [&](const spinelens::net::RetrieveProgress& p) {
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
