// Evaluation run files: whatever SQLite file (or other bytes) is opened as a run.
#include "Error.h"
#include "FuzzFile.h"
#include "eval/RunFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzzFile(data, size, ".sqlite");
    try {
        auto run = spinelens::eval::RunFile::open(path, false);
        (void)run->info();
        for (const auto& c : run->cases())
            (void)run->heatmap(c.id, c.predicted);
        (void)run->skipped();
        (void)run->reviews();
        (void)run->metricsJson();
    } catch (const spinelens::Error&) {
    }
    return 0;
}
