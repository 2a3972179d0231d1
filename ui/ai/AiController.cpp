#include "ai/AiController.h"

#include "Error.h"
#include "ai/TorchModel.h"

namespace spinelens::ui {
namespace {

SliceResult classifySlice(const std::shared_ptr<const ai::ModelPackage>& package,
                          const SliceRequest& request) {
    SliceResult r;
    r.slice = request.slice;
    const Volume& v = *request.volume;
    const ai::GreyImage image{v.slice(request.slice), v.width, v.height, &request.display};
    try {
        r.prediction = ai::Classifier(package).predict(image);
    } catch (const Error& e) {
        r.error = QString::fromStdString(e.what());
        return r;
    }
    if (request.explain) {
        const int cls = request.classIndex >= 0 ? request.classIndex : r.prediction.predicted;
        try {
            r.heatmap = ai::explain(*package, request.method, image, cls);
        } catch (const Error& e) {
            r.explainError = QString::fromStdString(e.what());
        }
    }
    return r;
}

} // namespace

AiController::AiController(QObject* parent) : QObject(parent) {
    reason_ = tr("no model package chosen (Model > Open Model Package…)");
}

AiController::~AiController() {
    slices_.cancel();
    pool_.waitForDone();
}

void AiController::unloadModel(const QString& reason) {
    model_.reset();
    reason_ = reason;
    requestedFolder_.clear();
    models_.invalidate();
    slices_.cancel();
    Q_EMIT modelChanged();
}

void AiController::loadModel(const QString& folder) {
    requestedFolder_ = folder;
    struct Loaded {
        std::shared_ptr<const ai::ModelPackage> package;
        QString error;
    };
    // A newer load (or unload) wins; slice and series results of the old model are dropped too.
    models_.run(
        [folder] {
            ai::setTorchThreads(0);
            Loaded r;
            try {
                r.package = ai::ModelPackage::load(folder.toStdString());
            } catch (const Error& e) {
                r.error = QString::fromStdString(e.what());
            } catch (const std::exception& e) {
                r.error = folder + ": " + e.what();
            }
            return r;
        },
        [this](const Loaded& r) {
            if (!r.error.isEmpty()) {
                model_.reset();
                reason_ = r.error;
                Q_EMIT modelFailed(r.error);
                Q_EMIT modelChanged();
                return;
            }
            model_ = r.package;
            reason_.clear();
            Q_EMIT modelChanged();
        });
}

void AiController::dropPendingResults() {
    slices_.cancel();
    series_.cancel();
}

void AiController::requestSlice(const SliceRequest& request) {
    if (!model_ || !request.volume)
        return;
    const std::uint64_t modelGen = models_.generation();
    auto package = model_;
    // One at a time: while the user scrolls, the newest request waits and replaces older ones.
    slices_.runOneAtATime(
        [this, package, request] {
            ai::leaveOneCoreFree(); // the window draws on the other while the user reads
            ++sliceRuns_;
            return classifySlice(package, request);
        },
        [this, modelGen](const SliceResult& r) {
            if (!models_.isCurrent(modelGen))
                return; // computed with a model no longer chosen
            if (!r.error.isEmpty())
                Q_EMIT failed(r.error);
            else
                Q_EMIT sliceResult(r);
        });
}

void AiController::requestSeries(std::shared_ptr<const Volume> volume, const SeriesInfo& series) {
    if (!model_ || !volume)
        return;
    const std::uint64_t modelGen = models_.generation();
    auto package = model_;
    struct Outcome {
        ai::SeriesPrediction prediction;
        QString error;
    };
    series_.run(
        [package, volume, series] {
            ai::leaveOneCoreFree();
            Outcome o;
            try {
                o.prediction = ai::Classifier(package).predictSeries(*volume, &series);
            } catch (const Error& e) {
                o.error = QString::fromStdString(e.what());
            }
            return o;
        },
        [this, modelGen](const Outcome& o) {
            if (!models_.isCurrent(modelGen))
                return; // computed with a model no longer chosen
            if (!o.error.isEmpty())
                Q_EMIT failed(o.error);
            else
                Q_EMIT seriesResult(o.prediction);
        });
}

} // namespace spinelens::ui
