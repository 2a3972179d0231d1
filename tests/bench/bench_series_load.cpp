// Benchmark (not a timed test): load the same generated 300-slice 512 x 512 16-bit CT series
// with SpineLens and with ITK's GDCMSeriesFileNames + ImageSeriesReader in one run, and print
// the ratio and the time to the first slice. Each reader runs 3 times; best time counts (warm
// page cache for both).
#include "data/SpinePhantom.h"
#include "dicom/DicomWriter.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

using Clock = std::chrono::steady_clock;
using namespace spinelens;

static double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

int main(int argc, char** argv) {
    const int slices = argc > 1 ? std::atoi(argv[1]) : 300;
    const std::string dir =
        (std::filesystem::temp_directory_path() / "spinelens-bench-series").string();
    std::filesystem::remove_all(dir);
    phantom::CtSpec spec;
    spec.slices = slices;
    dicom::SeriesSpec s;
    s.modality = "CT";
    s.rescaleIntercept = -1024;
    dicom::writeSeries(phantom::makeAxialCt(spec), s, dir);
    std::printf("series: %d slices of 512 x 512 int16 in %s\n", slices, dir.c_str());

    double bestItk = 1e9, bestOurs = 1e9, bestFirst = 1e9;
    for (int run = 0; run < 3; ++run) {
        {
            const auto t0 = Clock::now();
            auto names = itk::GDCMSeriesFileNames::New();
            names->SetUseSeriesDetails(true);
            names->SetDirectory(dir);
            const auto uids = names->GetSeriesUIDs();
            using Reader = itk::ImageSeriesReader<itk::Image<short, 3>>;
            auto reader = Reader::New();
            reader->SetImageIO(itk::GDCMImageIO::New());
            reader->SetFileNames(names->GetFileNames(uids.front()));
            reader->Update();
            const auto t1 = Clock::now();
            bestItk = std::min(bestItk, seconds(t0, t1));
            if (reader->GetOutput()->GetLargestPossibleRegion().GetSize()[2] != std::size_t(slices))
                return std::printf("ITK read the wrong number of slices\n"), 1;
        }
        {
            const auto t0 = Clock::now();
            std::atomic<bool> first{false};
            Clock::time_point tFirst;
            const ScanResult scan = spinelens::scan({dir});
            auto volume = allocateVolume(scan.series.at(0));
            LoadCallbacks cb;
            cb.prioritySlice = 0;
            cb.sliceReady = [&](int k) {
                if (k == 0 && !first.exchange(true))
                    tFirst = Clock::now();
            };
            loadInto(scan.series[0], *volume, cb);
            const auto t1 = Clock::now();
            bestOurs = std::min(bestOurs, seconds(t0, t1));
            bestFirst = std::min(bestFirst, seconds(t0, tFirst));
            if (volume->depth != slices)
                return std::printf("SpineLens read the wrong number of slices\n"), 1;
        }
    }
    std::printf("ITK ImageSeriesReader + GDCMSeriesFileNames: %.3f s\n", bestItk);
    std::printf("SpineLens scan + parallel decode:            %.3f s (first slice after %.3f s)\n",
                bestOurs, bestFirst);
    std::printf("speed-up vs ITK: %.2fx (target >= 2x)\n", bestItk / bestOurs);
    std::printf("first slice / full load: %.1f%% (target < 10%%)\n", 100.0 * bestFirst / bestOurs);
    if (!std::getenv("SPINELENS_BENCH_KEEP"))
        std::filesystem::remove_all(dir);
    return 0;
}
