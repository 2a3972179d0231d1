#include "cli/Commands.h"

#include "Error.h"
#include "cli/SeriesJson.h"
#include "data/PhantomSets.h"
#include "data/SpinePhantom.h"
#include "dicom/DicomWriter.h"
#include "image/VolumeExport.h"
#include "image/WindowLevel.h"
#include "raster/RasterIO.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <filesystem>
#include <ostream>

namespace fs = std::filesystem;

namespace spinelens::cli {
namespace {

void printFailures(const std::vector<FileFailure>& failures, std::ostream& err) {
    for (const auto& f : failures)
        err << "spinelens-cli: " << f.path << ": " << f.reason << '\n';
}

bool endsWithPng(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".png";
}

} // namespace

int runInfo(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
    const ScanResult scan = spinelens::scan(paths);
    out << jsonText(toJson(scan), 2) << '\n';
    printFailures(scan.failures, err);
    if (scan.series.empty() && !scan.failures.empty())
        return InputsFailed;
    return scan.failures.empty() ? Ok : InputsFailed;
}

int runConvert(const ConvertOptions& o, std::ostream& out, std::ostream& err) {
    try {
        const ScanResult scan = spinelens::scan({o.input});
        printFailures(scan.failures, err);
        if (scan.series.empty())
            throw Error("no image series found", o.input);
        if (o.seriesIndex < 0 || o.seriesIndex >= int(scan.series.size()))
            throw Error("no series number " + std::to_string(o.seriesIndex) + " (found " +
                            std::to_string(scan.series.size()) + ")",
                        o.input);
        const SeriesInfo& series = scan.series[std::size_t(o.seriesIndex)];
        LoadReport report;
        auto volume = loadSeries(series, &report);
        printFailures(report.failures, err);

        if (endsWithPng(o.output)) {
            const int k = o.slice < 0 ? volume->depth / 2 : o.slice;
            if (k >= volume->depth)
                throw Error("slice " + std::to_string(k) + " out of range (series has " +
                                std::to_string(volume->depth) + ")",
                            o.input);
            std::vector<std::uint8_t> grey(volume->sliceSize());
            applyDefaultVoi(volume->slice(k), grey.size(), series.sliceDisplay(k), grey.data());
            raster::writePng8(o.output, volume->width, volume->height, 1, grey.data());
        } else {
            exportVolume(*volume, o.output);
        }
        out << "wrote " << o.output << " (" << volume->width << " x " << volume->height << " x "
            << volume->depth << ")\n";
        return report.failures.empty() && scan.failures.empty() ? Ok : InputsFailed;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

int runPhantom(const PhantomOptions& o, std::ostream& out, std::ostream& err) {
    try {
        phantom::PhantomSetReport r;
        if (o.kind == "xray")
            r = phantom::writeXrayPhantomSet(o.outputFolder, o.count, o.seed);
        else if (o.kind == "mri")
            r = phantom::writeMriPhantomSet(o.outputFolder, o.count, o.seed);
        else
            throw Error("--kind must be xray or mri", o.kind);
        out << "wrote " << r.images << " synthetic " << o.kind << " images to " << r.root << " (";
        for (std::size_t c = 0; c < r.classes.size(); ++c)
            out << (c ? ", " : "") << r.classes[c] << ": " << r.perClass[c];
        out << (o.kind == "mri" ? " studies)\n" : ")\n");
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

int runSample(const SampleOptions& o, std::ostream& out, std::ostream& err) {
    try {
        const fs::path root(o.outputFolder);
        phantom::MriSpec mri;
        mri.seed = o.seed;
        dicom::SeriesSpec mrSpec;
        mrSpec.seed = o.seed;
        mrSpec.seriesDescription = "SYNTHETIC Sag T2 lumbar phantom";
        mrSpec.window = {700.0, 1400.0};
        dicom::writeSeries(phantom::makeSagittalMri(mri), mrSpec,
                           (root / "mr-sagittal-t2").string());

        phantom::CtSpec ct;
        ct.rows = ct.columns = 256;
        ct.slices = 60;
        ct.pixelSpacing = 1.2;
        ct.sliceSpacing = 2.0;
        ct.seed = o.seed;
        dicom::SeriesSpec ctSpec = mrSpec;
        ctSpec.modality = "CT";
        ctSpec.seriesNumber = 2;
        ctSpec.seriesDescription = "SYNTHETIC Axial CT lumbar phantom";
        ctSpec.rescaleIntercept = -1024.0;
        ctSpec.window = {400.0, 1800.0};
        dicom::writeSeries(phantom::makeAxialCt(ct), ctSpec, (root / "ct-axial").string());

        const Volume xray = phantom::makeLateralXray(300, 300, o.seed);
        std::vector<std::uint8_t> grey(xray.voxels.begin(), xray.voxels.end());
        raster::writePng8((root / "xray-lateral-phantom.png").string(), xray.width, xray.height, 1,
                          grey.data());
        out << "wrote synthetic sample study to " << root.string() << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

} // namespace spinelens::cli
