#include "pacs/PacsSettingsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace spinelens::ui {
namespace {

// A folder field with a Browse button beside it.
QWidget* folderRow(QLineEdit* edit, QWidget* parent, const QString& title) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QPushButton(QObject::tr("Browse…"), row);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, row, [edit, row, title] {
        const QString dir = QFileDialog::getExistingDirectory(row, title, edit->text());
        if (!dir.isEmpty())
            edit->setText(dir);
    });
    return row;
}

QString folderProblem(const QString& folder, const QString& what) {
    if (folder.trimmed().isEmpty())
        return QObject::tr("The %1 needs a folder.").arg(what);
    if (!QDir().mkpath(folder))
        return QObject::tr("%1: cannot create the %2 there.").arg(folder, what);
    return {};
}

} // namespace

QString aeTitleProblem(const QString& aet) {
    if (aet.trimmed().isEmpty())
        return QObject::tr("An AE title cannot be empty.");
    if (aet.size() > 16)
        return QObject::tr("\"%1\" is %2 characters long; an AE title has at most 16.")
            .arg(aet)
            .arg(aet.size());
    for (const QChar c : aet)
        if (c == '\\' || c.unicode() < 0x20 || c.unicode() > 0x7e)
            return QObject::tr("\"%1\" has a character an AE title cannot hold (only printable "
                               "ASCII, no backslash).")
                .arg(aet);
    return {};
}

PacsSettingsDialog::PacsSettingsDialog(QWidget* parent)
    : QDialog(parent), loaded_(PacsSettings::load()) {
    setWindowTitle(tr("PACS Settings"));
    auto* layout = new QVBoxLayout(this);

    auto* ours = new QGroupBox(tr("This computer"), this);
    auto* oursForm = new QFormLayout(ours);
    callingAet_ = new QLineEdit(loaded_.callingAet, ours);
    callingAet_->setToolTip(tr("The AE title SpineLens calls PACS nodes with"));
    oursForm->addRow(tr("Our AE title"), callingAet_);
    layout->addWidget(ours);

    // The nodes are added, edited and tested where they are used (File > Query/Retrieve);
    // here they are listed, and can be removed.
    auto* nodesBox = new QGroupBox(tr("PACS nodes"), this);
    auto* nodesLayout = new QVBoxLayout(nodesBox);
    nodes_ = new QListWidget(nodesBox);
    nodes_->setMaximumHeight(110);
    nodesLayout->addWidget(nodes_);
    auto* nodeRow = new QHBoxLayout;
    auto* removeNode = new QPushButton(tr("Remove"), nodesBox);
    auto* nodesHint =
        new QLabel(tr("Add, edit and test nodes in File > Query/Retrieve."), nodesBox);
    nodeRow->addWidget(nodesHint, 1);
    nodeRow->addWidget(removeNode);
    nodesLayout->addLayout(nodeRow);
    layout->addWidget(nodesBox);
    listNodes();
    connect(removeNode, &QPushButton::clicked, this, [this] {
        const int row = nodes_->currentRow();
        if (row >= 0 && row < loaded_.nodes.size()) {
            loaded_.nodes.removeAt(row);
            listNodes();
        }
    });

    auto* cache = new QGroupBox(tr("Retrieved studies"), this);
    auto* cacheForm = new QFormLayout(cache);
    cacheFolder_ = new QLineEdit(loaded_.cacheFolder, cache);
    cacheLimit_ = new QSpinBox(cache);
    cacheLimit_->setRange(64, 4 * 1024 * 1024);
    cacheLimit_->setSuffix(tr(" MB"));
    cacheLimit_->setValue(int(std::min<qint64>(loaded_.cacheLimitMb, 4 * 1024 * 1024)));
    cacheUse_ =
        new QLabel(tr("%1 MB in use now; beyond the limit the least recently used studies are "
                      "removed.")
                       .arg(double(cacheBytes(loaded_)) / (1024.0 * 1024.0), 0, 'f', 1),
                   cache);
    cacheForm->addRow(tr("Cache folder"), folderRow(cacheFolder_, cache, tr("Cache folder")));
    cacheForm->addRow(tr("Size limit"), cacheLimit_);
    cacheForm->addRow(cacheUse_);
    layout->addWidget(cache);

    auto* receiverBox = new QGroupBox(tr("DICOM receiver (studies pushed to SpineLens)"), this);
    auto* receiverForm = new QFormLayout(receiverBox);
    receiver_ = new QCheckBox(tr("Receive while SpineLens runs"), receiverBox);
    receiver_->setChecked(loaded_.receiverEnabled);
    receiverAet_ = new QLineEdit(loaded_.receiverAet, receiverBox);
    receiverPort_ = new QSpinBox(receiverBox);
    receiverPort_->setRange(1, 65535);
    receiverPort_->setValue(loaded_.receiverPort);
    receiverFolder_ = new QLineEdit(loaded_.receiverFolder, receiverBox);
    receiverForm->addRow(receiver_);
    receiverForm->addRow(tr("AE title"), receiverAet_);
    receiverForm->addRow(tr("Port"), receiverPort_);
    receiverForm->addRow(tr("Store folder"),
                         folderRow(receiverFolder_, receiverBox, tr("Store folder")));
    layout->addWidget(receiverBox);

    problem_ = new QLabel(this);
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b00020");
    layout->addWidget(problem_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        const QString problem = apply();
        problem_->setText(problem);
        if (problem.isEmpty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void PacsSettingsDialog::listNodes() {
    nodes_->clear();
    for (const PacsNodeSettings& n : loaded_.nodes)
        nodes_->addItem(
            tr("%1 — %2%3")
                .arg(n.name, n.address)
                .arg(n.movePort > 0 ? tr(" (C-MOVE to port %1)").arg(n.movePort) : QString()));
    if (loaded_.nodes.isEmpty())
        nodes_->addItem(tr("(none yet)"));
}

PacsSettings PacsSettingsDialog::settings() const {
    PacsSettings s = loaded_;
    s.callingAet = callingAet_->text().trimmed();
    s.cacheFolder = cacheFolder_->text().trimmed();
    s.cacheLimitMb = cacheLimit_->value();
    s.receiverEnabled = receiver_->isChecked();
    s.receiverAet = receiverAet_->text().trimmed();
    s.receiverPort = receiverPort_->value();
    s.receiverFolder = receiverFolder_->text().trimmed();
    return s;
}

QString PacsSettingsDialog::apply() {
    const PacsSettings s = settings();
    QString problem = aeTitleProblem(s.callingAet);
    if (problem.isEmpty())
        problem = folderProblem(s.cacheFolder, tr("cache"));
    if (problem.isEmpty() && s.receiverEnabled) {
        problem = aeTitleProblem(s.receiverAet);
        if (problem.isEmpty())
            problem = folderProblem(s.receiverFolder, tr("receiver's store"));
        if (problem.isEmpty() &&
            QDir(s.receiverFolder).absolutePath() == QDir(s.cacheFolder).absolutePath())
            problem = tr("The receiver's store and the cache must be different folders: the "
                         "cache removes old studies.");
    }
    if (!problem.isEmpty())
        return problem;
    s.save();
    // A smaller limit takes effect now (never on the study open in the viewer).
    trimCache(s, openStudy_);
    loaded_ = s;
    return {};
}

} // namespace spinelens::ui
