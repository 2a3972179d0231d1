#include "pacs/QueryRetrieveDialog.h"

#include "util/DisplayText.h"

#include "Error.h"
#include "net/StoreFolder.h"

#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace spinelens::ui {
namespace {

// "20040119" -> "2004-01-19" for the table.
QString displayDate(const std::string& d) {
    return d.size() == 8 ? q(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2)) : q(d);
}

} // namespace

QueryRetrieveDialog::QueryRetrieveDialog(QWidget* parent)
    : QDialog(parent), settings_(PacsSettings::load()) {
    setWindowTitle(tr("Query/Retrieve"));
    auto* layout = new QVBoxLayout(this);
    buildNodeBox(layout);

    auto* searchBox = new QGroupBox(tr("Search"), this);
    auto* form = new QFormLayout(searchBox);
    patientName_ = new QLineEdit(searchBox);
    patientName_->setPlaceholderText(tr("DOE^J*  (wildcards * and ?)"));
    patientId_ = new QLineEdit(searchBox);
    date_ = new QLineEdit(searchBox);
    date_->setPlaceholderText(tr("YYYYMMDD or FROM-TO, e.g. 20240101-20241231"));
    modality_ = new QLineEdit(searchBox);
    accession_ = new QLineEdit(searchBox);
    description_ = new QLineEdit(searchBox);
    form->addRow(tr("Patient name"), patientName_);
    form->addRow(tr("Patient ID"), patientId_);
    form->addRow(tr("Study date"), date_);
    form->addRow(tr("Modality"), modality_);
    form->addRow(tr("Accession"), accession_);
    form->addRow(tr("Description"), description_);
    searchButton_ = new QPushButton(tr("&Search"), searchBox);
    form->addRow(searchButton_);
    layout->addWidget(searchBox);

    results_ = new QTableWidget(0, 7, this);
    results_->setHorizontalHeaderLabels({tr("Patient"), tr("Patient ID"), tr("Date"),
                                         tr("Modality"), tr("Description"), tr("Series"),
                                         tr("Images")});
    results_->setSelectionBehavior(QAbstractItemView::SelectRows);
    results_->setSelectionMode(QAbstractItemView::SingleSelection);
    results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    results_->horizontalHeader()->setStretchLastSection(true);
    results_->verticalHeader()->setVisible(false);
    layout->addWidget(results_, 1);

    auto* actions = new QHBoxLayout;
    retrieveButton_ = new QPushButton(tr("&Retrieve"), this);
    retrieveButton_->setEnabled(false);
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setVisible(false);
    actions->addWidget(retrieveButton_);
    actions->addWidget(cancelButton_);
    actions->addWidget(progress_, 1);
    layout->addLayout(actions);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    connect(searchButton_, &QPushButton::clicked, this, &QueryRetrieveDialog::search);
    connect(patientName_, &QLineEdit::returnPressed, this, &QueryRetrieveDialog::search);
    connect(retrieveButton_, &QPushButton::clicked, this, &QueryRetrieveDialog::retrieve);
    connect(results_, &QTableWidget::itemSelectionChanged, this, [this] {
        retrieveButton_->setEnabled(!retrieving_ && !results_->selectedItems().isEmpty());
    });
    connect(results_, &QTableWidget::cellDoubleClicked, this, [this] { retrieve(); });
    connect(cancelButton_, &QPushButton::clicked, this, [this] {
        if (cancel_)
            cancel_->cancel(); // closes the connection: no waiting for a silent server
        status_->setText(tr("Cancelling…"));
    });
    resize(820, 640);
}

QueryRetrieveDialog::~QueryRetrieveDialog() {
    if (cancel_)
        cancel_->cancel(); // the pool waits for the retrieve, which stops at once
}

void QueryRetrieveDialog::buildNodeBox(QLayout* layout) {
    auto* box = new QGroupBox(tr("PACS node"), this);
    auto* form = new QFormLayout(box);
    nodeBox_ = new QComboBox(box);
    for (const PacsNodeSettings& n : settings_.nodes)
        nodeBox_->addItem(n.name);
    nodeBox_->addItem(tr("New node…"));
    nodeName_ = new QLineEdit(box);
    address_ = new QLineEdit(box);
    address_->setPlaceholderText("dicom://AET@host:port  or  https://host:port/dicom-web");
    user_ = new QLineEdit(box);
    user_->setPlaceholderText(tr("DICOMweb: NAME:PASSWORD (optional)"));
    user_->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    token_ = new QLineEdit(box);
    token_->setPlaceholderText(tr("DICOMweb: bearer token (optional)"));
    token_->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    // Said where it is typed: SpineLens has no keyring, so a saved secret is in the settings
    // file (which it makes readable by its owner only).
    const QString secretNote = tr("Saved with the node in SpineLens's settings file, readable "
                                  "only by you (no system keyring is used).");
    user_->setToolTip(secretNote);
    token_->setToolTip(secretNote);
    movePort_ = new QSpinBox(box);
    movePort_->setRange(0, 65535);
    movePort_->setSpecialValueText(tr("C-GET (no port needed)"));
    caFile_ = new QLineEdit(box);
    caFile_->setPlaceholderText(tr("https: the server's CA certificate file (optional)"));
    timeout_ = new QSpinBox(box);
    timeout_->setRange(1, 3600);
    timeout_->setSuffix(tr(" s without an answer"));
    timeout_->setToolTip(tr("A server silent this long is given up: what arrived is kept and "
                            "the retrieve marked partial."));
    auto* buttons = new QHBoxLayout;
    testButton_ = new QPushButton(tr("&Test connection"), box);
    auto* save = new QPushButton(tr("Save node"), box);
    auto* remove = new QPushButton(tr("Remove node"), box);
    buttons->addWidget(testButton_);
    buttons->addWidget(save);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    form->addRow(tr("Node"), nodeBox_);
    form->addRow(tr("Name"), nodeName_);
    form->addRow(tr("Address"), address_);
    form->addRow(tr("User"), user_);
    form->addRow(tr("Token"), token_);
    form->addRow(tr("C-MOVE to port"), movePort_);
    form->addRow(tr("CA file"), caFile_);
    form->addRow(tr("Timeout"), timeout_);
    form->addRow(buttons);
    layout->addWidget(box);
    // Only the fields that apply to the address's kind of server can be edited: no C-MOVE
    // port for DICOMweb, no HTTP credentials or CA file for DIMSE.
    connect(address_, &QLineEdit::textChanged, this, [this](const QString& text) {
        const QString a = text.trimmed().toLower();
        const bool web = a.startsWith("http://") || a.startsWith("https://");
        const bool dimse = a.startsWith("dicom://");
        movePort_->setEnabled(!web);
        for (QWidget* w : {static_cast<QWidget*>(user_), static_cast<QWidget*>(token_),
                           static_cast<QWidget*>(caFile_)})
            w->setEnabled(!dimse);
    });
    connect(nodeBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &QueryRetrieveDialog::showNode);
    connect(testButton_, &QPushButton::clicked, this, &QueryRetrieveDialog::testConnection);
    connect(save, &QPushButton::clicked, this, &QueryRetrieveDialog::saveNode);
    connect(remove, &QPushButton::clicked, this, &QueryRetrieveDialog::removeNode);
    showNode(0);
}

void QueryRetrieveDialog::showNode(int index) {
    const bool known = index >= 0 && index < settings_.nodes.size();
    const PacsNodeSettings n = known ? settings_.nodes[index] : PacsNodeSettings{};
    nodeName_->setText(n.name);
    address_->setText(n.address);
    user_->setText(n.user);
    token_->setText(n.token);
    movePort_->setValue(n.movePort);
    caFile_->setText(n.caFile);
    timeout_->setValue(n.timeoutSeconds);
}

PacsNodeSettings QueryRetrieveDialog::nodeFromForm() const {
    PacsNodeSettings n;
    n.name = nodeName_->text().trimmed();
    n.address = address_->text().trimmed();
    n.user = user_->text();
    n.token = token_->text();
    n.movePort = movePort_->value();
    n.caFile = caFile_->text().trimmed();
    n.timeoutSeconds = timeout_->value();
    if (n.name.isEmpty())
        n.name = n.address;
    return n;
}

void QueryRetrieveDialog::saveNode() {
    refreshSettings(); // what File > PACS Settings changed is saved back, not overwritten
    const PacsNodeSettings n = nodeFromForm();
    try {
        n.node(settings_.callingAet); // checks the address
    } catch (const Error& e) {
        status_->setText(q(e.what()));
        return;
    }
    const int index = nodeBox_->currentIndex();
    if (index >= 0 && index < settings_.nodes.size()) {
        settings_.nodes[index] = n;
        nodeBox_->setItemText(index, n.name);
    } else {
        settings_.nodes.push_back(n);
        nodeBox_->insertItem(int(settings_.nodes.size()) - 1, n.name);
        nodeBox_->setCurrentIndex(int(settings_.nodes.size()) - 1);
    }
    settings_.save();
    status_->setText(tr("Saved %1.").arg(n.name));
}

void QueryRetrieveDialog::removeNode() {
    refreshSettings();
    const int index = nodeBox_->currentIndex();
    if (index < 0 || index >= settings_.nodes.size())
        return;
    settings_.nodes.remove(index);
    settings_.save();
    nodeBox_->removeItem(index);
}

void QueryRetrieveDialog::refreshSettings() {
    // Our AE title and the cache may have changed in File > PACS Settings since the dialog
    // opened; the node list is this dialog's own (saved as it changes).
    PacsSettings fresh = PacsSettings::load();
    fresh.nodes = settings_.nodes;
    settings_ = fresh;
}

void QueryRetrieveDialog::testConnection() {
    refreshSettings();
    net::PacsNode node;
    try {
        node = nodeFromForm().node(settings_.callingAet);
    } catch (const Error& e) {
        status_->setText(q(e.what()));
        return;
    }
    status_->setText(tr("Testing %1…").arg(q(node.server.text())));
    // For C-MOVE, one image of the selected (or first) study found is moved to us: only a
    // move shows whether the PACS knows our AE title, host and port.
    const bool move = net::retrieveMethod(node) == "C-MOVE";
    const int row = results_->currentRow() >= 0 ? results_->currentRow() : 0;
    const std::string study =
        move && row < int(matches_.size()) ? matches_[std::size_t(row)].studyUid : std::string();
    struct Answer {
        QString text;
        bool ok = false;
    };
    tests_.run(
        [node, move, study]() -> Answer {
            Answer a;
            try {
                const double ms = net::echo(node);
                a.text = QObject::tr("%1 answers (%2 ms).")
                             .arg(q(node.server.text()))
                             .arg(ms, 0, 'f', 0);
            } catch (const Error& e) {
                a.text = q(e.what());
                return a;
            }
            a.ok = true;
            if (!move)
                return a;
            if (study.empty()) {
                a.text += " " + QObject::tr("Retrieves use C-MOVE to port %1: search, select a "
                                            "study and test again to check that the PACS can "
                                            "send to us (an echo cannot tell).")
                                    .arg(node.movePort);
                return a;
            }
            try {
                const std::string problem =
                    net::checkMoveDestination(node.server, node.dimse, node.movePort, study);
                if (problem.empty()) {
                    a.text += " " + QObject::tr("C-MOVE to us works: one image of the selected "
                                                "study arrived on port %1.")
                                        .arg(node.movePort);
                } else {
                    a.ok = false;
                    a.text += " " + QObject::tr("C-MOVE to us does not work: %1").arg(q(problem));
                }
            } catch (const Error& e) {
                a.ok = false;
                a.text += " " + QObject::tr("C-MOVE to us does not work: %1").arg(q(e.what()));
            }
            return a;
        },
        [this](const Answer& a) { status_->setText(a.text); });
}

void QueryRetrieveDialog::search() {
    refreshSettings();
    net::PacsNode node;
    net::QueryKeys keys;
    keys.patientName = patientName_->text().trimmed().toStdString();
    keys.patientId = patientId_->text().trimmed().toStdString();
    keys.dateRange = date_->text().trimmed().toStdString();
    keys.modality = modality_->text().trimmed().toStdString();
    keys.accession = accession_->text().trimmed().toStdString();
    keys.studyDescription = description_->text().trimmed().toStdString();
    try {
        node = nodeFromForm().node(settings_.callingAet);
        net::checkQueryKeys(keys);
    } catch (const Error& e) {
        status_->setText(q(e.what()));
        return;
    }
    status_->setText(tr("Searching %1…").arg(q(node.server.text())));
    searchButton_->setEnabled(false);
    struct Answer {
        std::vector<net::QueryMatch> matches;
        QString error;
    };
    queries_.run(
        [node, keys] {
            Answer a;
            try {
                a.matches = net::find(node, keys);
            } catch (const Error& e) {
                a.error = q(e.what());
            }
            return a;
        },
        [this](const Answer& a) {
            searchButton_->setEnabled(true);
            if (!a.error.isEmpty()) {
                status_->setText(a.error);
                return;
            }
            matches_ = a.matches;
            results_->setRowCount(int(matches_.size()));
            for (int r = 0; r < int(matches_.size()); ++r) {
                const net::QueryMatch& m = matches_[std::size_t(r)];
                const QStringList cells = {
                    displayPersonName(m.patientName),
                    q(m.patientId),
                    displayDate(m.studyDate),
                    q(m.modalities).replace('\\', ", "),
                    q(m.studyDescription),
                    m.numberOfSeries >= 0 ? QString::number(m.numberOfSeries) : QString(),
                    m.numberOfInstances >= 0 ? QString::number(m.numberOfInstances) : QString()};
                for (int c = 0; c < cells.size(); ++c)
                    results_->setItem(r, c, new QTableWidgetItem(cells[c]));
            }
            results_->resizeColumnsToContents();
            status_->setText(tr("%n stud(ies) found.", "", int(matches_.size())));
        });
}

void QueryRetrieveDialog::setRetrieving(bool on) {
    retrieving_ = on;
    retrieveButton_->setEnabled(!on && !results_->selectedItems().isEmpty());
    cancelButton_->setEnabled(on);
    progress_->setVisible(on);
}

void QueryRetrieveDialog::retrieve() {
    refreshSettings();
    const int row = results_->currentRow();
    if (retrieving_ || row < 0 || row >= int(matches_.size()))
        return;
    net::PacsNode node;
    try {
        node = nodeFromForm().node(settings_.callingAet);
    } catch (const Error& e) {
        status_->setText(q(e.what()));
        return;
    }
    if (node.movePort > 0 && settings_.receiverEnabled && node.movePort == settings_.receiverPort) {
        // Our own receiver holds that port: a C-MOVE listener could not open it.
        status_->setText(tr("C-MOVE to port %1 cannot work while SpineLens's DICOM receiver "
                            "listens on it (File > PACS Settings): retrieve with C-GET (move "
                            "port 0), or give C-MOVE another port registered on the PACS.")
                             .arg(node.movePort));
        return;
    }
    const std::string study = matches_[std::size_t(row)].studyUid;
    const QString cache = settings_.cacheFolder;
    const int expected = matches_[std::size_t(row)].numberOfInstances;
    cancel_ = std::make_shared<net::Cancellation>();
    node.dimse.cancellation = cancel_;
    node.web.cancellation = cancel_;
    setRetrieving(true);
    progress_->setRange(0, expected > 0 ? expected : 0);
    progress_->setValue(0);
    status_->setText(tr("Retrieving from %1…").arg(q(node.server.text())));

    // Series by series, so each can be shown as soon as it is complete.
    QPointer<QueryRetrieveDialog> self(this);
    auto cancel = cancel_;
    const auto post = [self](auto f) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, f] {
                if (self)
                    f(*self);
            },
            Qt::QueuedConnection);
    };
    (void)QtConcurrent::run(static_cast<QThreadPool*>(&retrievePool_), [node, study, cache, cancel,
                                                                        post,
                                                                        settings = settings_] {
        int received = 0;
        QStringList problems;
        bool anySeries = false, anyShown = false;
        bool previewSent = false;  ///< an image was announced before its series was complete
        int triedPreview = 0;      ///< objects scanned for one (a study may start with an SR)
        bool stoppedEarly = false; ///< a series was cut short or left out by Cancel
        const QString folder =
            QDir(cache).filePath(QString::fromStdString(net::uidFileName(study)));
        try {
            const net::StoreFolder store(cache.toStdString());
            net::QueryKeys keys;
            keys.level = net::QueryLevel::Series;
            keys.studyUid = study;
            std::vector<net::QueryMatch> series = net::find(node, keys);
            if (series.empty())
                series.push_back({}); // retrieve the study as a whole
            for (const net::QueryMatch& s : series) {
                if (cancel->cancelled()) {
                    stoppedEarly = true;
                    break;
                }
                const net::RetrieveResult r = net::retrieve(
                    node, {study, s.seriesUid}, store, [&](const net::RetrieveProgress& p) {
                        const int n = received + p.received;
                        post([n](QueryRetrieveDialog& d) { d.progress_->setValue(n); });
                        if (p.last && !previewSent && !anyShown && triedPreview < 3) {
                            ++triedPreview;
                            auto one =
                                std::make_shared<const ScanResult>(spinelens::scan({p.last->path}));
                            if (!one->series.empty()) {
                                previewSent = true;
                                post([one](QueryRetrieveDialog& d) {
                                    Q_EMIT d.firstImageArrived(one);
                                });
                            }
                        }
                        return !cancel->cancelled();
                    });
                received += int(r.objects.size());
                stoppedEarly = stoppedEarly || r.cancelled;
                if (!r.complete && !r.cancelled)
                    problems << q(r.problem);
                if (!r.objects.empty()) {
                    anySeries = true;
                    auto scan =
                        std::make_shared<const ScanResult>(spinelens::scan({folder.toStdString()}));
                    // A series without images (our stored AI report) is announced too, but the
                    // study's "first" is its first series that can be shown.
                    const bool first = !anyShown && !scan->series.empty();
                    anyShown = anyShown || first;
                    post([folder, scan, first](QueryRetrieveDialog& d) {
                        Q_EMIT d.seriesArrived(folder, scan, first);
                    });
                }
            }
        } catch (const Error& e) {
            // The server failed between series (a search or an association): what arrived
            // before is kept and marked below like any other partial retrieve.
            if (cancel->cancelled())
                stoppedEarly = true; // the search or association was shut down by Cancel
            else
                problems << q(e.what());
        }
        // The cache remembers a study that is not all there, until a retrieve completes, and
        // which study was retrieved last (the limit removes the least recently used first).
        if (anySeries) {
            setPartialRetrieveNote(folder, stoppedEarly ? QObject::tr("partial retrieve: cancelled")
                                           : problems.isEmpty() ? QString()
                                                                : QObject::tr("partial retrieve") +
                                                                      "\n" + problems.join("\n"));
            markStudyUsed(folder);
        }
        trimCache(settings, folder);
        // A Cancel pressed after the last series was in changes nothing: the study is whole.
        const bool cancelled = stoppedEarly;
        post([received, problems, cancelled](QueryRetrieveDialog& d) {
            d.setRetrieving(false);
            QString summary;
            if (cancelled)
                summary = d.tr("Cancelled after %n object(s); what arrived is kept.", "", received);
            else if (problems.isEmpty())
                summary = d.tr("Retrieved %n object(s).", "", received);
            else
                summary = d.tr("Partial retrieve: %n object(s) arrived.", "", received) + "\n" +
                          problems.join("\n");
            d.status_->setText(summary);
            Q_EMIT d.retrieveFinished(!cancelled && problems.isEmpty(), summary);
        });
    });
}

} // namespace spinelens::ui
