#include "worklist/WorklistQuery.h"

#include "pacs/PacsSettings.h"
#include "worklist/WorklistService.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>

namespace spinelens::ui {

WorklistQuerySettings WorklistQuerySettings::load() {
    QSettings s;
    WorklistQuerySettings q;
    q.enabled = s.value("worklist/query/enabled", false).toBool();
    q.node = s.value("worklist/query/node").toString();
    q.modality = s.value("worklist/query/modality").toString();
    q.description = s.value("worklist/query/description").toString();
    q.lastHours = s.value("worklist/query/lastHours", 24).toInt();
    q.everyMinutes = std::max(1, s.value("worklist/query/everyMinutes", 5).toInt());
    return q;
}

void WorklistQuerySettings::save() const {
    QSettings s;
    s.setValue("worklist/query/enabled", enabled);
    s.setValue("worklist/query/node", node);
    s.setValue("worklist/query/modality", modality);
    s.setValue("worklist/query/description", description);
    s.setValue("worklist/query/lastHours", lastHours);
    s.setValue("worklist/query/everyMinutes", everyMinutes);
}

worklist::SavedQuery WorklistQuerySettings::query() const {
    worklist::SavedQuery q;
    q.keys.modality = modality.trimmed().toStdString();
    q.keys.studyDescription = description.trimmed().toStdString();
    q.lastHours = lastHours;
    return q;
}

QString WorklistQuerySettings::describe() const {
    if (!enabled || node.isEmpty())
        return QObject::tr("no PACS query");
    QStringList what;
    what << (modality.trimmed().isEmpty() ? QObject::tr("any modality") : modality.trimmed());
    if (!description.trimmed().isEmpty())
        what << QObject::tr("description %1").arg(description.trimmed());
    what << (lastHours > 0 ? QObject::tr("last %1 h").arg(lastHours) : QObject::tr("any date"));
    return QObject::tr("%1, from %2 every %3 min").arg(what.join(", "), node).arg(everyMinutes);
}

WorklistQueryDialog::WorklistQueryDialog(const WorklistQuerySettings& s, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Worklist: PACS Query"));
    auto* form = new QFormLayout(this);
    enabled_ = new QCheckBox(tr("Ask the PACS for new studies"));
    enabled_->setChecked(s.enabled);
    node_ = new QComboBox;
    for (const PacsNodeSettings& n : PacsSettings::load().nodes)
        node_->addItem(QString("%1 (%2)").arg(n.name, n.address), n.name);
    node_->setCurrentIndex(std::max(0, node_->findData(s.node)));
    modality_ = new QLineEdit(s.modality);
    modality_->setPlaceholderText(tr("e.g. MR (empty: any)"));
    description_ = new QLineEdit(s.description);
    description_->setPlaceholderText(tr("e.g. *LUMBAR* (wildcards * and ?)"));
    hours_ = new QSpinBox;
    hours_->setRange(0, 24 * 365);
    hours_->setSpecialValueText(tr("any date"));
    hours_->setSuffix(tr(" h"));
    hours_->setValue(s.lastHours);
    minutes_ = new QSpinBox;
    minutes_->setRange(1, 24 * 60);
    minutes_->setSuffix(tr(" min"));
    minutes_->setValue(s.everyMinutes);
    form->addRow(enabled_);
    form->addRow(tr("PACS node"), node_);
    form->addRow(tr("Modality"), modality_);
    form->addRow(tr("Study description"), description_);
    form->addRow(tr("Studies from the last"), hours_);
    form->addRow(tr("Ask every"), minutes_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (node_->count() == 0) {
        enabled_->setChecked(false);
        enabled_->setEnabled(false);
        enabled_->setText(tr("Add a PACS node first (File > Query/Retrieve)"));
    }
}

WorklistQuerySettings WorklistQueryDialog::settings() const {
    WorklistQuerySettings s;
    s.enabled = enabled_->isChecked();
    s.node = node_->currentData().toString();
    s.modality = modality_->text().trimmed();
    s.description = description_->text().trimmed();
    s.lastHours = hours_->value();
    s.everyMinutes = minutes_->value();
    return s;
}

WorklistQuerySource::WorklistQuerySource(WorklistService* service, QObject* parent)
    : QObject(parent), service_(service) {
    connect(&timer_, &QTimer::timeout, this, &WorklistQuerySource::pollNow);
}

void WorklistQuerySource::apply(const WorklistQuerySettings& settings) {
    settings_ = settings;
    timer_.stop();
    if (!settings_.enabled || settings_.node.isEmpty())
        return;
    timer_.start(settings_.everyMinutes * 60 * 1000);
    pollNow();
}

void WorklistQuerySource::pollNow() {
    if (!settings_.enabled || settings_.node.isEmpty() || !service_->isOpen())
        return;
    const PacsSettings pacs = PacsSettings::load();
    for (const PacsNodeSettings& n : pacs.nodes)
        if (n.name == settings_.node) {
            const QString store = !pacs.receiverFolder.isEmpty()
                                      ? pacs.receiverFolder
                                      : QDir(pacs.cacheFolder).filePath("worklist");
            service_->pollQuery(n, settings_.query(), store);
            return;
        }
    Q_EMIT problem(tr("Worklist query: the PACS node \"%1\" is no longer in the PACS settings")
                       .arg(settings_.node));
}

} // namespace spinelens::ui
