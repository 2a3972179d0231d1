#include "worklist/WorklistSetup.h"

#include "util/DisplayText.h"

#include "Error.h"
#include "ai/DefaultModels.h"
#include "worklist/ModelAssignment.h"
#include "worklist/WorklistService.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace spinelens::ui {
namespace {

// The wait cursor while a package is loaded to check it (a fraction of a second).
struct BusyCursor {
    BusyCursor() { QApplication::setOverrideCursor(Qt::WaitCursor); }
    ~BusyCursor() { QApplication::restoreOverrideCursor(); }
};

} // namespace

QString thresholdProvenanceText(const std::string& json) {
    try {
        const nlohmann::json p = nlohmann::json::parse(json);
        if (p.value("source", "") != "evaluation run")
            return html(p.value("source", std::string("not recorded")));
        const auto ci = [&](const char* key) {
            const auto& a = p.at(key);
            return QString("%1–%2")
                .arg(a[0].get<double>(), 0, 'f', 2)
                .arg(a[1].get<double>(), 0, 'f', 2);
        };
        return QObject::tr("chosen for %1 from the evaluation run %2 (SHA-256 %3…): expected "
                           "sensitivity %4 (95% %5), specificity %6 (95% %7) on %8 positive and "
                           "%9 negative cases%10")
            .arg(html(p.value("target", std::string())), html(p.value("runFile", std::string())),
                 html(p.value("runSha256", std::string()).substr(0, 12)))
            .arg(p.value("expectedSensitivity", 0.0), 0, 'f', 2)
            .arg(ci("sensitivity95"))
            .arg(p.value("expectedSpecificity", 0.0), 0, 'f', 2)
            .arg(ci("specificity95"))
            .arg(p.value("positives", 0))
            .arg(p.value("negatives", 0))
            .arg(p.value("syntheticData", false)
                     ? QObject::tr(" — the run's data are synthetic: on patients the figures are "
                                   "unknown")
                     : QString());
    } catch (const std::exception&) {
        return QObject::tr("provenance unreadable");
    }
}

QString flagThresholdText(const worklist::WorklistDb& db, const worklist::Entry& entry) {
    const worklist::TriageOutcome& t = entry.triage;
    // The provenance as triage recorded it with this study's score (the audit log keeps it,
    // so a default used for a reason, or an operating point since replaced, is told as it was).
    QString text;
    const std::vector<worklist::AuditRecord> records = db.history(entry.studyUid);
    for (auto r = records.rbegin(); r != records.rend() && text.isEmpty(); ++r) {
        if (r->event != "triage")
            continue;
        const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
        if (body.is_object() && body.contains("thresholdProvenance"))
            text = thresholdProvenanceText(body["thresholdProvenance"].is_string()
                                               ? body["thresholdProvenance"].get<std::string>()
                                               : body["thresholdProvenance"].dump());
    }
    if (text.isEmpty()) {
        const std::optional<worklist::Threshold> used =
            t.threshold.id != 0 ? db.thresholdById(t.threshold.id) : std::nullopt;
        text = used ? thresholdProvenanceText(used->provenance)
                    : QObject::tr("not recorded (threshold #%1)").arg(t.threshold.id);
    }
    if (db.threshold(t.model).id != t.threshold.id)
        text += QObject::tr(" (the model's operating point has changed since: this study keeps "
                            "the flag it was triaged with)");
    return text;
}

// --- models per modality ---

ModelAssignmentDialog::ModelAssignmentDialog(WorklistService* service, QWidget* parent)
    : QDialog(parent), service_(service) {
    setWindowTitle(tr("Worklist: Models per Modality"));
    resize(860, 320);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Each study is triaged with the model for its modality: the "
                                "shipped one unless you assign another package. A change applies "
                                "to studies triaged from now on and is recorded in the audit "
                                "log."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    table_ = new QTableWidget(0, 3);
    table_->setHorizontalHeaderLabels({tr("Modality"), tr("Model"), tr("From")});
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setVisible(false);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(table_, 1);
    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(message_);
    auto* buttons = new QHBoxLayout;
    auto* assign = new QPushButton(tr("Assign Package…"));
    auto* useDefault = new QPushButton(tr("Use Default"));
    auto* close = new QPushButton(tr("Close"));
    buttons->addWidget(assign);
    buttons->addWidget(useDefault);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(useDefault, &QPushButton::clicked, this, [this] { useDefaultForSelected(); });
    connect(assign, &QPushButton::clicked, this, [this] {
        if (selectedModality().isEmpty())
            return;
        const QString folder = QFileDialog::getExistingDirectory(
            this, tr("Model package for %1 (a folder with model.pt and model.json)")
                      .arg(selectedModality()));
        if (!folder.isEmpty())
            assignSelected(folder);
    });
    reload();
    table_->selectRow(0);
}

QString ModelAssignmentDialog::selectedModality() const {
    const int row = table_->currentRow();
    return row < 0 ? QString() : table_->item(row, 0)->data(Qt::UserRole).toString();
}

void ModelAssignmentDialog::selectModality(const QString& modality) {
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, 0)->data(Qt::UserRole).toString() == modality)
            table_->selectRow(r);
}

void ModelAssignmentDialog::reload() {
    if (!service_->db())
        return;
    const QString keep = selectedModality();
    const std::string models =
        ai::findModelsDirectory(QCoreApplication::applicationDirPath().toStdString());
    std::vector<worklist::ModelAssignment> assigned;
    try {
        assigned = service_->db()->assignments();
    } catch (const Error& e) {
        message_->setText(q(e.what()));
    }
    std::vector<std::string> modalities = worklist::assignableModalities();
    for (const auto& a : assigned)
        if (std::find(modalities.begin(), modalities.end(), a.modality) == modalities.end())
            modalities.push_back(a.modality);
    table_->setRowCount(int(modalities.size()));
    for (int r = 0; r < int(modalities.size()); ++r) {
        const std::string& m = modalities[std::size_t(r)];
        auto* modality =
            new QTableWidgetItem(m == "PNG" ? tr("PNG/JPEG files") : QString::fromStdString(m));
        modality->setData(Qt::UserRole, QString::fromStdString(m));
        QString model, from;
        const auto a = std::find_if(assigned.begin(), assigned.end(),
                                    [&](const auto& x) { return x.modality == m; });
        if (a != assigned.end()) {
            model = q(a->model + " " + a->version);
            from = tr("assigned by %1 at %2: %3").arg(q(a->setBy), q(a->setAt), q(a->folder));
        } else {
            const ai::DefaultModel d = ai::defaultModelFor(m == "PNG" ? "" : m, m == "PNG", models);
            model = d.folder.empty() ? tr("none") : QFileInfo(q(d.folder)).fileName();
            from = d.folder.empty() ? tr("no model: its studies go to \"AI could not assess\"")
                                    : tr("shipped default: %1").arg(q(d.folder));
        }
        table_->setItem(r, 0, modality);
        table_->setItem(r, 1, new QTableWidgetItem(model));
        table_->setItem(r, 2, new QTableWidgetItem(from));
    }
    table_->resizeColumnsToContents();
    if (!keep.isEmpty())
        selectModality(keep);
}

bool ModelAssignmentDialog::assignSelected(const QString& folder) {
    const QString modality = selectedModality();
    if (modality.isEmpty() || !service_->db())
        return false;
    try {
        worklist::ModelAssignment a;
        {
            const BusyCursor busy;
            a = worklist::describeAssignment(modality.toStdString(),
                                             QFileInfo(folder).absoluteFilePath().toStdString());
        }
        a.setBy = service_->user().toStdString();
        service_->db()->assignModel(a);
        message_->setText(
            tr("%1 studies are now triaged with %2 %3.").arg(modality, q(a.model), q(a.version)));
    } catch (const Error& e) {
        message_->setText(QString("<span style='color:#b00000'>%1</span>").arg(html(e.what())));
        return false;
    }
    reload();
    return true;
}

bool ModelAssignmentDialog::useDefaultForSelected() {
    const QString modality = selectedModality();
    if (modality.isEmpty() || !service_->db())
        return false;
    try {
        worklist::ModelAssignment a;
        a.modality = modality.toStdString();
        a.setBy = service_->user().toStdString();
        service_->db()->assignModel(a);
        message_->setText(
            tr("%1 studies are triaged with the shipped default again.").arg(modality));
    } catch (const Error& e) {
        message_->setText(q(e.what()));
        return false;
    }
    reload();
    return true;
}

// --- the flag threshold ---

ThresholdDialog::ThresholdDialog(WorklistService* service, QWidget* parent)
    : QDialog(parent), service_(service) {
    setWindowTitle(tr("Worklist: Flag Threshold"));
    resize(720, 360);
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    run_ = new QLineEdit;
    run_->setPlaceholderText(tr("an evaluation run (spinelens-cli evaluate … --run RUN.sqlite)"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(run_, 1);
    runRow->addWidget(browse);
    form->addRow(tr("Evaluation run"), runRow);
    target_ = new QComboBox;
    target_->addItem(tr("Sensitivity at least"), int(worklist::OperatingTarget::Kind::Sensitivity));
    target_->addItem(tr("Specificity at least"), int(worklist::OperatingTarget::Kind::Specificity));
    target_->addItem(tr("Fixed threshold"), int(worklist::OperatingTarget::Kind::Value));
    value_ = new QDoubleSpinBox;
    value_->setRange(0.0, 1.0);
    value_->setDecimals(3);
    value_->setSingleStep(0.01);
    value_->setValue(0.9);
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(target_);
    targetRow->addWidget(value_);
    targetRow->addStretch(1);
    form->addRow(tr("Target"), targetRow);
    layout->addLayout(form);
    result_ = new QLabel(tr("Choose a run and a target, then Compute."));
    result_->setWordWrap(true);
    result_->setTextFormat(Qt::RichText);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    result_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(result_, 1);
    auto* buttons = new QHBoxLayout;
    compute_ = new QPushButton(tr("Compute"));
    store_ = new QPushButton(tr("Store Threshold"));
    store_->setEnabled(false);
    auto* close = new QPushButton(tr("Close"));
    buttons->addWidget(compute_);
    buttons->addWidget(store_);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Evaluation run"), run_->text(),
                                                       tr("Runs (*.sqlite);;All files (*)"));
        if (!f.isEmpty())
            run_->setText(f);
    });
    // What Store would keep must be what is shown: any change asks for Compute again.
    const auto stale = [this] {
        computed_.reset();
        store_->setEnabled(false);
    };
    connect(run_, &QLineEdit::textChanged, this, stale);
    connect(target_, &QComboBox::currentIndexChanged, this, stale);
    connect(value_, &QDoubleSpinBox::valueChanged, this, stale);
    connect(compute_, &QPushButton::clicked, this, &ThresholdDialog::compute);
    connect(store_, &QPushButton::clicked, this, [this] { storeComputed(); });
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(&watcher_, &QFutureWatcherBase::finished, this, [this] {
        const auto [point, problem] = watcher_.result();
        compute_->setEnabled(true);
        if (!point) {
            result_->setText(
                QString("<span style='color:#b00000'>%1</span>").arg(problem.toHtmlEscaped()));
            Q_EMIT computeFinished(false);
            return;
        }
        computed_ = point;
        store_->setEnabled(true);
        QString shown = tr("<b>Threshold %1</b> for %2 %3 (weights %4)<br>")
                            .arg(point->threshold, 0, 'g', 6)
                            .arg(html(point->model), html(point->modelVersion),
                                 html(point->modelHash.substr(0, 19)));
        shown += thresholdProvenanceText(point->provenanceJson());
        if (point->outOfDomain > 0)
            shown += tr("<br>%1 case(s) outside the model's domain left out (never flagged).")
                         .arg(point->outOfDomain);
        if (service_->db()) {
            const worklist::Threshold now = service_->db()->threshold(point->model);
            shown += tr("<hr>In use now: %1 — %2")
                         .arg(now.value, 0, 'g', 6)
                         .arg(thresholdProvenanceText(now.provenance));
        }
        result_->setText(shown);
        Q_EMIT computeFinished(true);
    });
}

void ThresholdDialog::compute() {
    const std::string run = run_->text().trimmed().toStdString();
    worklist::OperatingTarget target;
    target.kind = worklist::OperatingTarget::Kind(target_->currentData().toInt());
    target.value = value_->value();
    computed_.reset();
    store_->setEnabled(false);
    compute_->setEnabled(false);
    result_->setText(tr("Computing (bootstrap intervals, 1,000 resamples)…"));
    // The bootstrap takes a moment on a large run: off the GUI thread.
    watcher_.setFuture(QtConcurrent::run(
        [run, target]() -> std::pair<std::optional<worklist::OperatingPoint>, QString> {
            if (run.empty())
                return {std::nullopt, QObject::tr("Choose an evaluation run file first.")};
            try {
                return {worklist::chooseOperatingPoint(run, target), QString()};
            } catch (const Error& e) {
                return {std::nullopt, q(e.what())};
            } catch (const std::exception& e) {
                return {std::nullopt, QObject::tr("%1: %2").arg(q(run), e.what())};
            }
        }));
}

bool ThresholdDialog::storeComputed() {
    if (!computed_ || !service_->db())
        return false;
    try {
        const worklist::Threshold t =
            service_->db()->storeThreshold(computed_->asThreshold(service_->user().toStdString()));
        result_->setText(result_->text() +
                         tr("<hr><b>Stored</b> as threshold #%1 for %2: studies triaged from now "
                            "on are flagged at %3 or above.")
                             .arg(t.id)
                             .arg(html(t.model))
                             .arg(t.value, 0, 'g', 6));
        store_->setEnabled(false);
        Q_EMIT service_->changed();
    } catch (const Error& e) {
        result_->setText(QString("<span style='color:#b00000'>%1</span>").arg(html(e.what())));
        return false;
    }
    return true;
}

} // namespace spinelens::ui
