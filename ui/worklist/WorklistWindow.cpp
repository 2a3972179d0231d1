#include "worklist/WorklistWindow.h"

#include "Error.h"

#include "util/DisplayText.h"

#include "pacs/PacsSettings.h"
#include "worklist/WorklistModel.h"
#include "worklist/WorklistQuery.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistSetup.h"

#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

#include <map>
#include <optional>
#include <set>

namespace spinelens::ui {
WorklistWindow::WorklistWindow(WorklistService* service, QWidget* parent)
    : QMainWindow(parent), service_(service), model_(new WorklistModel(this)),
      filter_(new WorklistFilter(this)) {
    setWindowTitle(tr("SpineLens Worklist — %1").arg(service->path()));
    resize(1300, 720);
    filter_->setSourceModel(model_);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    counts_ = new QLabel;
    counts_->setTextFormat(Qt::RichText);
    layout->addWidget(counts_);
    auto* filters = new QHBoxLayout;
    stateFilter_ = new QComboBox;
    stateFilter_->addItem(tr("Any state"), QString());
    stateFilter_->addItem(tr("New"), "new");
    stateFilter_->addItem(tr("In review"), "in-review");
    stateFilter_->addItem(tr("Decided"), "decided");
    laneFilter_ = new QComboBox;
    laneFilter_->addItem(tr("Any lane"), QString());
    for (const auto lane : {worklist::Lane::Flagged, worklist::Lane::NotFlagged,
                            worklist::Lane::NotAssessed, worklist::Lane::Pending})
        laneFilter_->addItem(laneTitle(lane), q(worklist::laneName(lane)));
    modalityFilter_ = new QComboBox;
    modalityFilter_->addItem(tr("Any modality"), QString());
    dateFilter_ = new QLineEdit;
    dateFilter_->setPlaceholderText(tr("studies from YYYYMMDD"));
    dateFilter_->setMaximumWidth(170);
    filters->addWidget(new QLabel(tr("Show:")));
    filters->addWidget(stateFilter_);
    filters->addWidget(laneFilter_);
    filters->addWidget(modalityFilter_);
    filters->addWidget(dateFilter_);
    filters->addStretch(1);
    // Who decides, recorded with every decision: a name typed here, else the login. Not kept
    // between sessions: the next person at a shared workstation must not sign as the last.
    reviewer_ = new QLineEdit;
    reviewer_->setPlaceholderText(QString::fromStdString(worklist::currentUser()));
    reviewer_->setMaximumWidth(160);
    reviewer_->setToolTip(tr("Your name as the audit trail records it"));
    filters->addWidget(new QLabel(tr("Reviewer:")));
    filters->addWidget(reviewer_);
    service_->setUser({});
    connect(reviewer_, &QLineEdit::textChanged, this,
            [this](const QString& name) { service_->setUser(name.trimmed()); });
    watched_ = new QLabel;
    auto* watch = new QPushButton(tr("Watch a Folder…"));
    watch->setToolTip(tr("Studies copied into this folder enter the worklist once they stop "
                         "changing"));
    filters->addWidget(watched_);
    filters->addWidget(watch);
    // A saved PACS query, asked again every few minutes while the worklist is open.
    query_ = new WorklistQuerySource(service_, this);
    queryLabel_ = new QLabel;
    auto* queryButton = new QPushButton(tr("PACS Query…"));
    queryButton->setToolTip(tr("Ask a PACS for new studies (e.g. lumbar MR of the last 24 "
                               "hours): they are retrieved and triaged"));
    filters->addWidget(queryLabel_);
    filters->addWidget(queryButton);
    auto* modelsButton = new QPushButton(tr("Models…"));
    modelsButton->setToolTip(tr("Which model triages each modality"));
    auto* thresholdButton = new QPushButton(tr("Threshold…"));
    thresholdButton->setToolTip(tr("Choose the flag threshold from an evaluation run"));
    filters->addWidget(modelsButton);
    filters->addWidget(thresholdButton);
    layout->addLayout(filters);
    connect(modelsButton, &QPushButton::clicked, this, [this] {
        ModelAssignmentDialog dialog(service_, this);
        dialog.exec();
    });
    connect(thresholdButton, &QPushButton::clicked, this, [this] {
        ThresholdDialog dialog(service_, this);
        dialog.exec();
    });
    connect(queryButton, &QPushButton::clicked, this, [this] {
        WorklistQueryDialog dialog(query_->settings(), this);
        if (dialog.exec() == QDialog::Accepted)
            setQuery(dialog.settings());
    });
    connect(watch, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Folder to watch for studies (cancel to stop watching)"));
        setWatchedFolder(dir);
    });

    auto* split = new QSplitter;
    table_ = new QTableView;
    table_->setModel(filter_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(WorklistModel::Lane, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setVisible(false);
    split->addWidget(table_);

    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    details_ = new QLabel;
    details_->setWordWrap(true);
    details_->setTextFormat(Qt::RichText);
    details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sideLayout->addWidget(details_, 1);
    auto* form = new QFormLayout;
    reason_ = new QComboBox;
    reason_->setEditable(true);
    reason_->addItems({QString(), tr("finding confirmed"), tr("no finding"), tr("artefact"),
                       tr("image quality"), tr("outside intended use"), tr("other")});
    note_ = new QLineEdit;
    note_->setPlaceholderText(tr("note (optional)"));
    form->addRow(tr("Reason"), reason_);
    form->addRow(tr("Note"), note_);
    // Each decision can leave for the PACS as a Key Object Selection document, so other
    // viewers show what was reviewed with the study.
    sendTo_ = new QComboBox;
    sendTo_->addItem(tr("Nowhere (kept in the worklist)"), QString());
    for (const PacsNodeSettings& n : PacsSettings::load().nodes)
        sendTo_->addItem(n.name, n.name);
    sendTo_->setCurrentIndex(
        std::max(0, sendTo_->findData(QSettings().value("worklist/sendDecisionsTo").toString())));
    form->addRow(tr("Send decisions to"), sendTo_);
    connect(sendTo_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &WorklistWindow::applyDecisionNode);
    sideLayout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    auto* agree = new QPushButton(tr("&Agree (A)"));
    auto* disagree = new QPushButton(tr("&Disagree (D)"));
    auto* uncertain = new QPushButton(tr("&Uncertain (U)"));
    auto* next = new QPushButton(tr("Next (N)"));
    for (QPushButton* b : {agree, disagree, uncertain, next}) {
        b->setFocusPolicy(Qt::NoFocus);
        buttons->addWidget(b);
    }
    sideLayout->addLayout(buttons);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({920, 380}); // every column of the list in view at the default size
    layout->addWidget(split, 1);
    setCentralWidget(central);

    connect(agree, &QPushButton::clicked, this, [this] { decide("agree"); });
    connect(disagree, &QPushButton::clicked, this, [this] { decide("disagree"); });
    connect(uncertain, &QPushButton::clicked, this, [this] { decide("uncertain"); });
    const auto nextRow = [this] {
        const int row = table_->currentIndex().isValid() ? table_->currentIndex().row() + 1 : 0;
        if (row < filter_->rowCount())
            selectRow(row);
    };
    connect(next, &QPushButton::clicked, this, nextRow);
    // Single keys, as a reader's hands expect; typing a note is not taken for them (the line
    // edit claims printable keys first).
    const auto key = [this](const char* k, auto f) {
        auto* s = new QShortcut(QKeySequence(k), this);
        connect(s, &QShortcut::activated, this, f);
    };
    key("A", [this] { decide("agree"); });
    key("D", [this] { decide("disagree"); });
    key("U", [this] { decide("uncertain"); });
    key("N", nextRow);
    nextRow_ = nextRow;
    // The table takes letters for its type-ahead search before any shortcut sees them: in
    // the list, A/D/U/N are decisions too.
    table_->installEventFilter(this);

    connect(stateFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setState(stateFilter_->currentData().toString()); });
    connect(laneFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setLane(laneFilter_->currentData().toString()); });
    connect(modalityFilter_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setModality(modalityFilter_->currentData().toString()); });
    connect(dateFilter_, &QLineEdit::textChanged, this,
            [this](const QString& t) { filter_->setDateFrom(t.trimmed()); });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showDetails();
        const std::string study = currentStudy();
        if (study.empty())
            return;
        service_->markInReview(study);
        const int row = model_->rowOf(study);
        if (row >= 0)
            Q_EMIT openStudy(model_->entries()[std::size_t(row)]);
    });
    connect(service_, &WorklistService::changed, this, &WorklistWindow::refresh);
    connect(service_, &WorklistService::triaged, this,
            [this](const QString& study) { refreshEntry(study); });
    connect(service_, &WorklistService::pendingChanged, this, &WorklistWindow::updateCounts);
    connect(service_, &WorklistService::entryChanged, this, &WorklistWindow::refreshEntry);
    connect(service_, &WorklistService::problem, this,
            [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    connect(query_, &WorklistQuerySource::problem, this,
            [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    // The last poll stays in view beside the query; the status bar speaks up only when new
    // studies came or something failed, so an idle PACS does not keep covering other news.
    connect(service_, &WorklistService::queryPolled, this,
            [this](bool ok, int retrieved, const QString& report) {
                const QString when = QDateTime::currentDateTime().toString("HH:mm");
                queryLabel_->setText(
                    tr("Query: %1 · asked %2: %3")
                        .arg(query_->settings().describe(), when,
                             ok ? tr("%n new", "", retrieved)
                                : tr("<span style='color:#b00000'>failed</span>")));
                queryLabel_->setToolTip(report);
                if (!ok || retrieved > 0)
                    statusBar()->showMessage(tr("Worklist query: %1").arg(report), 15000);
            });
    connect(service_, &WorklistService::decisionSent, this,
            [this](const QString& study, bool ok, const QString& m) {
                // A decision that did not leave is still saved: said, not hidden.
                statusBar()->showMessage(QString("%1: %2").arg(study, m), ok ? 8000 : 0);
            });
    applyDecisionNode();

    // Responsiveness probe: the longest the event loop went without running this timer.
    heartbeat_.setInterval(10);
    connect(&heartbeat_, &QTimer::timeout, this, [this] {
        if (sinceBeat_.isValid())
            maxGapMs_ = std::max(maxGapMs_, double(sinceBeat_.nsecsElapsed()) / 1e6 - 10.0);
        sinceBeat_.restart();
    });
    heartbeat_.start();
    const QString watchedBefore = QSettings().value("worklist/watchedFolder").toString();
    if (!watchedBefore.isEmpty())
        setWatchedFolder(watchedBefore);
    setQuery(WorklistQuerySettings::load());
    refresh();
}

bool WorklistWindow::eventFilter(QObject* watched, QEvent* event) {
    if (watched == table_ && event->type() == QEvent::KeyPress) {
        const auto* k = static_cast<QKeyEvent*>(event);
        if (k->modifiers() == Qt::NoModifier || k->modifiers() == Qt::KeypadModifier) {
            switch (k->key()) {
            case Qt::Key_A:
                decide("agree");
                return true;
            case Qt::Key_D:
                decide("disagree");
                return true;
            case Qt::Key_U:
                decide("uncertain");
                return true;
            case Qt::Key_N:
                nextRow_();
                return true;
            default:
                break;
            }
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void WorklistWindow::setWatchedFolder(const QString& folder) {
    QSettings().setValue("worklist/watchedFolder", folder);
    service_->watchFolder(folder);
    watched_->setText(folder.isEmpty() ? QString() : tr("Watching %1").arg(folder));
}

std::string WorklistWindow::currentStudy() const {
    const QModelIndex i = table_->currentIndex();
    return i.isValid() ? filter_->data(i, WorklistModel::StudyRole).toString().toStdString()
                       : std::string();
}

void WorklistWindow::selectRow(int row) {
    if (row < 0 || row >= filter_->rowCount())
        return;
    table_->setCurrentIndex(filter_->index(row, 0));
    table_->scrollTo(filter_->index(row, 0));
}

void WorklistWindow::setQuery(const WorklistQuerySettings& settings) {
    settings.save();
    queryLabel_->setText(tr("Query: %1").arg(settings.describe()));
    query_->apply(settings);
}

void WorklistWindow::refresh() {
    if (!service_->db())
        return;
    const std::string keep = currentStudy();
    std::vector<worklist::Entry> entries;
    try {
        entries = service_->db()->entries();
    } catch (const Error& e) { // a damaged or locked file: said, and the list shown stays
        statusBar()->showMessage(tr("Worklist: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    const bool first = model_->entries().empty();
    {
        const QSignalBlocker block(table_->selectionModel());
        model_->setEntries(std::move(entries));
        filter_->invalidate();
        rebuildModalityFilter();
        if (!keep.empty()) {
            const int source = model_->rowOf(keep);
            if (source >= 0) {
                const QModelIndex i = filter_->mapFromSource(model_->index(source, 0));
                table_->setCurrentIndex(i);
            }
        }
    }
    fitColumns(first);
    updateCounts();
    showDetails();
}

// Columns fit their contents while the list is short (it starts empty and fills as studies
// are triaged); a long list is measured only when first shown: measuring every cell on each
// change would cost it its responsiveness.
void WorklistWindow::fitColumns(bool firstShown) {
    if (firstShown || model_->rowCount() <= 100)
        table_->resizeColumnsToContents();
}

void WorklistWindow::updateCounts() {
    std::map<worklist::Lane, int> lanes;
    int decided = 0;
    for (const auto& e : model_->entries()) {
        ++lanes[e.triage.lane];
        decided += e.state == worklist::ReviewState::Decided;
    }
    counts_->setText(tr("<b>%1 flagged</b> · %2 not flagged · <span style='color:#966e00'>%3 AI "
                        "could not assess</span> · %4 waiting for triage · %5 of %6 decided")
                         .arg(lanes[worklist::Lane::Flagged])
                         .arg(lanes[worklist::Lane::NotFlagged])
                         .arg(lanes[worklist::Lane::NotAssessed])
                         .arg(lanes[worklist::Lane::Pending] + service_->pending())
                         .arg(decided)
                         .arg(model_->entries().size()));
}

void WorklistWindow::refreshEntry(const QString& studyKey) {
    if (!service_->db())
        return;
    std::optional<worklist::Entry> e;
    try {
        e = service_->db()->entry(studyKey.toStdString());
    } catch (const Error& error) {
        statusBar()->showMessage(tr("Worklist: %1").arg(QString::fromStdString(error.what())));
        return;
    }
    if (!e)
        return;
    const bool newRow = model_->rowOf(e->studyUid) < 0;
    model_->upsert(*e);
    if (newRow) {
        rebuildModalityFilter();
        fitColumns(false);
    }
    updateCounts();
    if (currentStudy() == e->studyUid)
        showDetails();
}

void WorklistWindow::rebuildModalityFilter() {
    std::set<QString> modalities;
    for (const auto& e : model_->entries())
        for (const QString& m : q(e.modalities).split('\\', Qt::SkipEmptyParts))
            modalities.insert(m);
    const QString current = modalityFilter_->currentData().toString();
    const QSignalBlocker block(modalityFilter_);
    modalityFilter_->clear();
    modalityFilter_->addItem(tr("Any modality"), QString());
    for (const QString& m : modalities)
        modalityFilter_->addItem(m, m);
    modalityFilter_->setCurrentIndex(std::max(0, modalityFilter_->findData(current)));
}

void WorklistWindow::showDetails() {
    const std::string study = currentStudy();
    const int row = study.empty() ? -1 : model_->rowOf(study);
    if (row < 0) {
        details_->setText(tr("Select a study. A agree, D disagree, U uncertain, N next."));
        return;
    }
    const worklist::Entry& e = model_->entries()[std::size_t(row)];
    const worklist::TriageOutcome& t = e.triage;
    QString shown = QString("<b>%1</b> (%2)<br>%3 %4<br><small>%5</small><hr>")
                        .arg(displayPersonName(e.patientName).toHtmlEscaped(), html(e.patientId),
                             html(e.studyDate), html(e.description), html(e.studyUid));
    shown += tr("<b>%1</b>").arg(laneTitle(t.lane));
    if (t.lane == worklist::Lane::Flagged || t.lane == worklist::Lane::NotFlagged) {
        shown += tr(": score %1, threshold %2<br>")
                     .arg(t.score, 0, 'f', 3)
                     .arg(t.threshold.value, 0, 'f', 3);
        shown += tr("Model: %1 %2 (weights %3)<br>")
                     .arg(html(t.model), html(t.modelVersion), html(t.modelHash));
        if (!t.syntheticNote.empty())
            shown +=
                QString("<span style='color:#c06000'>%1</span><br>").arg(html(t.syntheticNote));
        if (service_->db()) {
            try {
                shown += tr("Threshold: %1<br>").arg(flagThresholdText(*service_->db(), e));
            } catch (const Error& e) {
                shown += tr("Threshold: %1 (its provenance could not be read: %2)<br>")
                             .arg(t.threshold.value, 0, 'f', 3)
                             .arg(html(e.what()));
            }
        }
        shown += tr("Domain: %1<br>").arg(html(t.domain));
        try {
            const nlohmann::json p = nlohmann::json::parse(t.probabilities);
            QStringList parts;
            for (auto it = p.begin(); it != p.end(); ++it)
                parts << QString("%1 %2")
                             .arg(html(it.key()))
                             .arg(it.value().get<double>(), 0, 'f', 3);
            shown += tr("Calibrated probabilities at the most suspicious image: %1<br>")
                         .arg(parts.join(", "));
        } catch (const std::exception&) {
        }
        if (!t.problem.empty())
            shown += QString("<small>%1</small><br>").arg(html(t.problem));
    } else if (t.lane == worklist::Lane::NotAssessed) {
        shown += tr(": no AI result, the AI could not assess this study.<br>%1<br>")
                     .arg(html(t.problem));
    } else {
        shown += tr(": waiting for triage.<br>");
    }
    if (e.decision)
        shown += tr("<hr>Decided <b>%1</b> by %2 at %3%4%5")
                     .arg(html(e.decision->verdict), html(e.decision->user), html(e.decision->at))
                     .arg(e.decision->reason.empty() ? QString() : ": " + html(e.decision->reason))
                     .arg(e.decision->note.empty() ? QString() : " — " + html(e.decision->note));
    details_->setText(shown);
}

void WorklistWindow::applyDecisionNode() {
    const QString name = sendTo_->currentData().toString();
    QSettings().setValue("worklist/sendDecisionsTo", name);
    std::optional<PacsNodeSettings> node;
    for (const PacsNodeSettings& n : PacsSettings::load().nodes)
        if (!name.isEmpty() && n.name == name)
            node = n;
    service_->setDecisionNode(node);
}

void WorklistWindow::decide(const QString& verdict) {
    const std::string study = currentStudy();
    if (study.empty())
        return;
    const int viewRow = table_->currentIndex().row();
    worklist::Decision d;
    d.verdict = verdict.toStdString();
    d.reason = reason_->currentText().trimmed().toStdString();
    d.note = note_->text().trimmed().toStdString();
    const QString problem = service_->decide(study, d);
    if (!problem.isEmpty()) {
        statusBar()->showMessage(problem, 15000);
        return;
    }
    statusBar()->showMessage(tr("%1: %2, saved.").arg(q(study), verdict), 5000);
    reason_->setCurrentIndex(0);
    note_->clear();
    // On to the next entry in the list as it is shown now. The list was re-read: a filter on
    // the state may have hidden the entry just decided, and then the next one is in its row.
    const bool stillShown = currentStudy() == study;
    const int next = stillShown ? viewRow + 1 : viewRow;
    if (next < filter_->rowCount())
        selectRow(next);
}

} // namespace spinelens::ui
