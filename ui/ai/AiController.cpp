#include "ai/AiController.h"

#include "Error.h"
#include "ai/TorchModel.h"
#include "util/ThreadPriority.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace spinelens::ui {

AiController::AiController(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
    reason_ = tr("no model package chosen (Model > Open Model Package…)");
}

AiController::~AiController() {
    pending_.reset();
    pool_.waitForDone();
}

void AiController::unloadModel(const QString& reason) {
    model_.reset();
    reason_ = reason;
    requestedFolder_.clear();
    models_.invalidate();
    pending_.reset();
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

void AiController::requestSlice(const SliceRequest& request) {
    if (!model_ || !request.volume)
        return;
    if (running_) {
        pending_ = request; // replaces any older waiting request
        return;
    }
    start(request);
}

void AiController::start(const SliceRequest& request) {
    running_ = true;
    ++sliceRuns_;
    const std::uint64_t gen = models_.generation();
    auto package = model_;
    auto* watcher = new QFutureWatcher<SliceResult>(this);
    connect(watcher, &QFutureWatcher<SliceResult>::finished, this, [this, watcher, gen] {
        watcher->deleteLater();
        running_ = false;
        if (pending_) {
            // The user has moved on: this result is stale, run the latest request instead.
            const SliceRequest next = *pending_;
            pending_.reset();
            start(next);
            return;
        }
        if (!models_.isCurrent(gen))
            return; // computed with a model no longer chosen
        const SliceResult r = watcher->result();
        if (!r.error.isEmpty())
            Q_EMIT failed(r.error);
        else
            Q_EMIT sliceResult(r);
    });
    watcher->setFuture(QtConcurrent::run(&pool_, [package, request] {
        lowerCurrentThreadPriority();
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
    }));
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
