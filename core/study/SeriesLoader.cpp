#include "study/SeriesLoader.h"

#include "Error.h"
#include "dicom/DicomDecoder.h"
#include "raster/RasterIO.h"
#include "util/Parallel.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

namespace spinelens {

std::shared_ptr<Volume> allocateVolume(const SeriesInfo& series) {
    if (series.rows <= 0 || series.columns <= 0 || series.slices.empty())
        throw Error("series has no image data", series.displayName());
    auto v = std::make_shared<Volume>();
    v->width = series.columns;
    v->height = series.rows;
    v->depth = int(series.slices.size());
    v->geometry = series.geometry;
    v->voxels.resize(v->sliceSize() * std::size_t(v->depth)); // written by loadInto
    return v;
}

namespace {

struct FileTask {
    std::string path;
    std::vector<std::pair<int, int>> frameToSlice; ///< (frame in file, slice in display order)
};

std::vector<FileTask> planTasks(const SeriesInfo& series, int prioritySlice) {
    std::map<std::string, std::size_t> index;
    std::vector<FileTask> tasks;
    for (int k = 0; k < int(series.slices.size()); ++k) {
        const SliceSource& s = series.slices[std::size_t(k)];
        auto [it, inserted] = index.emplace(s.path, tasks.size());
        if (inserted)
            tasks.push_back({s.path, {}});
        tasks[it->second].frameToSlice.emplace_back(s.frame, k);
    }
    // Display order, except that the file holding the slice on screen goes first.
    auto first = std::find_if(tasks.begin(), tasks.end(), [&](const FileTask& t) {
        return std::any_of(t.frameToSlice.begin(), t.frameToSlice.end(),
                           [&](const auto& fs) { return fs.second == prioritySlice; });
    });
    if (first != tasks.end())
        std::rotate(tasks.begin(), first, first + 1);
    return tasks;
}

} // namespace

LoadReport loadInto(const SeriesInfo& series, Volume& volume, const LoadCallbacks& callbacks,
                    int threads) {
    LoadReport report;
    const std::vector<FileTask> tasks = planTasks(series, callbacks.prioritySlice);
    std::mutex mutex;
    std::atomic<int> decoded{0};
    std::atomic<bool> stop{false};
    std::set<std::string> decoders;

    auto runTask = [&](std::size_t t) {
        if (stop || (callbacks.cancelled && callbacks.cancelled())) {
            stop = true;
            return;
        }
        const FileTask& task = tasks[t];
        try {
            dicom::DecodedFrames frames;
            if (series.kind == SourceKind::Raster) {
                raster::RasterImage img = raster::read(task.path);
                frames.rows = img.height;
                frames.columns = img.width;
                frames.frames = 1;
                frames.pixels = std::move(img.pixels);
                frames.decoder = "libpng/libjpeg";
            } else if (task.frameToSlice.size() == 1 && task.frameToSlice[0].first == 0) {
                // One frame for one slice: decode straight into the volume.
                frames = dicom::decodeFile(task.path, volume.slice(task.frameToSlice[0].second),
                                           volume.sliceSize());
            } else {
                frames = dicom::decodeFile(task.path);
            }
            if (frames.rows != volume.height || frames.columns != volume.width)
                throw Error("size differs from the rest of the series (" +
                                std::to_string(frames.columns) + " x " +
                                std::to_string(frames.rows) + ")",
                            task.path);
            for (auto [frame, slice] : task.frameToSlice) {
                if (frame >= frames.frames)
                    throw Error("frame " + std::to_string(frame) + " missing", task.path);
                if (frames.destination != volume.slice(slice))
                    std::memcpy(volume.slice(slice),
                                frames.data() + volume.sliceSize() * std::size_t(frame),
                                volume.sliceSize() * sizeof(float));
                ++decoded;
                if (callbacks.sliceReady)
                    callbacks.sliceReady(slice);
            }
            std::lock_guard<std::mutex> lock(mutex);
            decoders.insert(frames.decoder);
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mutex);
            report.failures.push_back({task.path, e.reason()});
            for (auto [frame, slice] : task.frameToSlice)
                std::fill(volume.slice(slice), volume.slice(slice) + volume.sliceSize(), 0.0f);
        } catch (const std::exception& e) {
            for (auto [frame, slice] : task.frameToSlice)
                std::fill(volume.slice(slice), volume.slice(slice) + volume.sliceSize(), 0.0f);
            std::lock_guard<std::mutex> lock(mutex);
            report.failures.push_back({task.path, std::string("unexpected error: ") + e.what()});
        }
    };
    // The slice on screen first, alone: sharing the cores with it would let other slices
    // overtake it whenever the scheduler favours the other thread.
    if (!tasks.empty())
        runTask(0);
    parallelFor(
        tasks.size() > 0 ? tasks.size() - 1 : 0, [&](std::size_t t) { runTask(t + 1); }, threads);

    report.cancelled = stop;
    for (const auto& d : decoders)
        report.decoder += (report.decoder.empty() ? "" : "+") + d;
    std::sort(report.failures.begin(), report.failures.end(),
              [](const FileFailure& a, const FileFailure& b) { return a.path < b.path; });
    if (decoded == 0 && !report.cancelled) {
        const std::string why =
            report.failures.empty() ? "no slices" : report.failures.front().reason;
        throw Error("no image in this series could be decoded (" + why + ")",
                    report.failures.empty() ? series.displayName() : report.failures.front().path);
    }
    return report;
}

std::shared_ptr<Volume> loadSeries(const SeriesInfo& series, LoadReport* report, int threads) {
    auto volume = allocateVolume(series);
    LoadReport r = loadInto(series, *volume, {}, threads);
    if (report)
        *report = std::move(r);
    return volume;
}

} // namespace spinelens
