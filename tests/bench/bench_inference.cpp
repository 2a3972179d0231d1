// Benchmark (not a timed test): for the MRI study's CNN and ResNet-18 at 224 x 224 on this CPU,
// in one run: the bare TorchScript forward, our end-to-end classify (decode + preprocess +
// forward) and forward + Grad-CAM, as medians of repeated runs, with their ratios.
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "ai/TorchModel.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"
#include "util/Allocator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace spinelens;
using Clock = std::chrono::steady_clock;

static double medianMs(int runs, const std::function<void()>& fn) {
    fn(); // warm-up: first call allocates and picks kernels
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto a = Clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

static int bench(const std::string& modelDir, const std::string& imagePath, int runs) {
    auto package = ai::ModelPackage::load(modelDir);
    const ai::ModelCard& card = package->card();
    const ScanResult scan = spinelens::scan({imagePath});
    if (scan.series.empty())
        return std::printf("no image at %s\n", imagePath.c_str()), 1;
    const SeriesInfo series = scan.series[0];
    const SliceSource source = series.slices[series.slices.size() / 2];
    SeriesInfo one = series;
    one.slices = {source};
    auto volume = loadSeries(one);
    const ai::GreyImage image{volume->slice(0), volume->width, volume->height};
    const std::vector<float> input =
        package->preprocessor()(image.pixels, image.width, image.height, image.display);
    const ai::Classifier classifier(package);

    int outputs = 0;
    const double forward = medianMs(runs, [&] {
        package->model().forward(input.data(), 1, card.channels, card.height, card.width, &outputs);
    });
    const double endToEnd = medianMs(runs, [&] {
        auto v = loadSeries(one); // decode from disk
        classifier.predict({v->slice(0), v->width, v->height});
    });
    const double gradcam =
        medianMs(runs, [&] { ai::explain(*package, ai::ExplainMethod::GradCam, image, 0); });
    std::printf(
        "%-28s forward %7.1f ms | decode+preprocess+forward %7.1f ms (%.2fx, target <= 1.2x) | "
        "forward+Grad-CAM %7.1f ms (%.2fx, target <= 2.5x)\n",
        card.name.c_str(), forward, endToEnd, endToEnd / forward, gradcam, gradcam / forward);
    return 0;
}

int main(int argc, char** argv) {
    spinelens::keepFreedMemoryForReuse(); // before any thread starts
    if (argc < 3)
        return std::printf("usage: bench_inference AI_TEST_DATA RUNS\n"), 2;
    const std::string data = argv[1];
    const int runs = std::max(3, std::atoi(argv[2]));
    ai::setTorchThreads(0);
    std::printf("median of %d runs, %u CPU threads, 224 x 224 input\n", runs,
                std::thread::hardware_concurrency());
    int rc = bench(data + "/models/mri-cnn-untrained", data + "/inputs/mr-sagittal-t2", runs);
    rc |= bench(data + "/models/resnet18-xray-untrained", data + "/inputs/xray-lateral-phantom.png",
                runs);
    return rc;
}
