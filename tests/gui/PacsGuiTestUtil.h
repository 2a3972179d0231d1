#pragma once
// What the PACS tests in a real window share (tests/pacs/with_orthanc.py starts Orthanc with
// the synthetic sample study and names it in the environment).
#include "MainWindow.h"
#include "ViewerSession.h"
#include "panels/SeriesBrowser.h"
#include "study/Scanner.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QVariant>

#include "../FreePort.h"

#include <csignal>

namespace pacs_gui {

// A retrieve cache for one test, put back to the previous one also when a check fails.
struct CacheOfItsOwn {
    QTemporaryDir folder;
    QVariant previous = QSettings().value("pacs/cacheFolder");
    CacheOfItsOwn() { QSettings().setValue("pacs/cacheFolder", folder.path()); }
    ~CacheOfItsOwn() { QSettings().setValue("pacs/cacheFolder", previous); }
};

// Lets a frozen (SIGSTOP) PACS run again, also when a check fails.
struct Thaw {
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
};

inline QString work() {
    return qEnvironmentVariable("SPINELENS_TEST_WORK");
}
inline QString sample() {
    return work() + "/sample";
}

inline int seriesOfModality(spinelens::ui::MainWindow& w, const std::string& modality) {
    const auto scan = w.session()->scanResult();
    for (int i = 0; scan && i < int(scan->series.size()); ++i)
        if (scan->series[std::size_t(i)].modality == modality)
            return i;
    return -1;
}

inline QString firstSampleFile(const std::string& modality) {
    const spinelens::ScanResult scan = spinelens::scan({sample().toStdString()});
    for (const spinelens::SeriesInfo& s : scan.series)
        if (s.modality == modality)
            return QString::fromStdString(s.slices.front().path);
    return {};
}

/// A localhost port nothing listens on (bound, then released).
inline int closedPort() {
    return freeLocalPort();
}

/// The study's row in the series browser (with any note such as "partial retrieve").
inline QString studyRowText(spinelens::ui::MainWindow& w) {
    QTreeWidgetItemIterator it(w.seriesBrowser());
    for (; *it; ++it)
        if ((*it)->parent() && !(*it)->parent()->parent() && (*it)->childCount() > 0)
            return (*it)->text(0);
    return {};
}

/// Each test program's own settings, with a retrieve cache of its own.
inline void startClean(const char* program, const QTemporaryDir& cache) {
    QCoreApplication::setOrganizationName("SpineLensTests");
    QCoreApplication::setApplicationName(program);
    QSettings().clear();
    QSettings().setValue("pacs/cacheFolder", cache.path());
}

} // namespace pacs_gui
