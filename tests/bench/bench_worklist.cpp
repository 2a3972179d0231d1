// The worklist at scale, in the real window (issue 13's targets):
//  1. a worklist of 2,000 studies opens and sorts: the open time next to a bare SQLite read of
//     the same rows (the floor any reader pays), and the slowest re-sort by a column (< 1 s);
//  2. a clinician reviews (opens the next entry every 250 ms) while 15-slice MR studies are
//     triaged: the longest event-loop gap, next to the same review with no triage (target
//     50 ms);
//  3. DCMTK's storescu pushes 300 images into the viewer's DICOM receiver while triage runs,
//     next to the same push into DCMTK's own storescp: the ratio (target: keeps up, ~1); and
//     into our receiver's code alone, nothing else running (its own cost, apart from sharing
//     two cores with triage and the review).
// Arrival to "in the list with a score" runs from each study's last object to its score, so
// the receiver's quiet period and the wait behind studies triaged before it count.
// usage: bench_worklist SPINELENS_CLI WORKDIR
#include "MainWindow.h"
#include "pacs/DicomReceiver.h"
#include "pacs/PacsSettings.h"
#include "util/Allocator.h"
#include "worklist/WorklistModel.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistWindow.h"

#include "net/StorageReceiver.h"
#include "net/StoreFolder.h"
#include "worklist/Worklist.h"

#include "../FreePort.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QProcess>
#include <QSettings>
#include <QTableView>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

using namespace spinelens;
using namespace spinelens::ui;
namespace fs = std::filesystem;

namespace {

int freePort() {
    return freeLocalPort();
}

// DCMTK's tools leave Nagle's algorithm on unless TCP_NODELAY is set (our receiver sets it):
// the peer gets it too, or it would lose by 40 ms a message.
QProcessEnvironment noDelay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("TCP_NODELAY", "1");
    return env;
}

bool run(const QString& program, const QStringList& args) {
    QProcess p;
    p.setProcessEnvironment(noDelay());
    p.start(program, args);
    if (!p.waitForFinished(600000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        std::fprintf(stderr, "bench_worklist: %s failed: %s\n", qPrintable(program),
                     (p.readAllStandardOutput() + p.readAllStandardError()).constData());
        return false;
    }
    return true;
}

// 2,000 entries as triage leaves them: lanes, scores, models, decisions on some.
void fillWorklist(const std::string& path, int count) {
    auto db = worklist::WorklistDb::open(path);
    std::mt19937 random(5);
    std::uniform_real_distribution<double> unit(0, 1);
    const char* modalities[] = {"MR", "DX", "CR", "CT"};
    for (int i = 0; i < count; ++i) {
        worklist::Entry e;
        e.studyUid = "2.25.9000" + std::to_string(i);
        e.patientName = "SYNTHETIC^BENCH" + std::to_string(i % 97);
        e.patientId = "SB" + std::to_string(i);
        e.studyDate =
            "2026" + std::string(i % 12 < 9 ? "0" : "") + std::to_string(1 + i % 12) + "15";
        e.modalities = modalities[i % 4];
        e.description = "synthetic bench study";
        e.source = "/nonexistent/bench/" + std::to_string(i);
        db->addArrival(e, "bench");
        worklist::TriageOutcome t;
        const double u = unit(random);
        t.lane = u < 0.1   ? worklist::Lane::NotAssessed
                 : u < 0.4 ? worklist::Lane::Flagged
                           : worklist::Lane::NotFlagged;
        t.score = t.lane == worklist::Lane::NotAssessed ? 0 : unit(random);
        t.flagged = t.lane == worklist::Lane::Flagged;
        t.model = "lumbar-mri-binary";
        t.modelVersion = "1.0.0";
        t.modelHash = "sha256:bench";
        t.probabilities = R"({"degenerative": 0.7, "healthy": 0.3})";
        t.domain = "within the training data";
        t.problem = t.lane == worklist::Lane::NotAssessed ? "outside the training data" : "";
        db->setTriage(e.studyUid, t, "bench");
        if (i % 5 == 0)
            db->decide(e.studyUid, {"agree", "typical", "", "bench", ""});
    }
}

// Every row of the studies table read with the SQLite C API: the floor for opening.
double bareReadMs(const std::string& path, int* rows) {
    QElapsedTimer t;
    t.start();
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT * FROM studies", -1, &s, nullptr);
    *rows = 0;
    std::size_t bytes = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ++*rows;
        for (int c = 0; c < sqlite3_column_count(s); ++c)
            bytes += std::size_t(sqlite3_column_bytes(s, c));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (bytes == 0)
        *rows = 0; // nothing was read
    return double(t.nsecsElapsed()) / 1e6;
}

// Opens the next of `studies` every 250 ms for `ms` (as a clinician stepping through real
// studies: each opens in the viewer with its heatmap); returns the longest event-loop gap.
double reviewFor(WorklistWindow* list, int ms, const std::vector<std::string>& studies) {
    static std::size_t next = 0; // on from where the last call stopped
    if (studies.empty())
        return -1; // nothing to review: no gap measured
    QTimer step;
    QObject::connect(&step, &QTimer::timeout, list, [&] {
        const int source = list->model()->rowOf(studies[next++ % studies.size()]);
        if (source >= 0)
            list->selectRow(list->filter()->mapFromSource(list->model()->index(source, 0)).row());
    });
    list->resetEventLoopGap();
    step.start(250);
    QTest::qWait(ms);
    step.stop();
    return list->maxEventLoopGapMs();
}

} // namespace

// SPINELENS_GAP_TRACE=1: a diagnostic for the event-loop gaps this benchmark reports. A
// watchdog thread signals the GUI thread when it has not run its 5 ms timer for 35 ms, and
// the GUI thread prints its own stack to stderr (glibc's backtrace; resolve our frames with
// addr2line). It showed most gaps during triage inside Mesa's software rasterizer.
#include <atomic>
#include <csignal>
#include <execinfo.h>
#include <pthread.h>
#include <thread>
static std::atomic<long long> g_beat{0};
static long long nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
static void dumpStack(int) {
    void* frames[64];
    const int n = backtrace(frames, 64);
    const char line[] = "---- GUI thread stack during a gap ----\n";
    write(2, line, sizeof line - 1);
    backtrace_symbols_fd(frames, n, 2);
}
static void startGapTrace() {
    if (!qEnvironmentVariableIsSet("SPINELENS_GAP_TRACE"))
        return;
    std::signal(SIGUSR2, dumpStack);
    auto* beat = new QTimer;
    QObject::connect(beat, &QTimer::timeout, [] {
        const long long now = nowMs();
        if (g_beat > 0 && now - g_beat > 40)
            std::fprintf(stderr, "GAP %lld ms ending at %lld\n", now - g_beat, now % 1000000);
        g_beat = now;
    });
    beat->start(5);
    const pthread_t gui = pthread_self();
    std::thread([gui] {
        long long dumpedFor = -1;
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
            const long long b = g_beat.load();
            if (b > 0 && nowMs() - b > 35 && dumpedFor != b) {
                dumpedFor = b;
                pthread_kill(gui, SIGUSR2);
            }
        }
    }).detach();
}

// With SPINELENS_GAP_TRACE, every event that took over 15 ms is named (type, receiver's
// class and name, nesting depth): the gaps' causes, event by event.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool notify(QObject* receiver, QEvent* event) override {
        if (!timing_ || QThread::currentThread() != thread()) // the GUI thread's events only
            return QApplication::notify(receiver, event);
        const int type = event->type();
        const QString what = receiver ? QString("%1 '%2'").arg(receiver->metaObject()->className(),
                                                               receiver->objectName())
                                      : QString();
        QElapsedTimer t;
        t.start();
        ++depth_;
        const bool done = QApplication::notify(receiver, event);
        --depth_;
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > 15)
            std::fprintf(stderr, "EVENT %.1f ms type %d depth %d %s at %lld\n", ms, type, depth_,
                         qPrintable(what), nowMs() % 1000000);
        return done;
    }
    bool timing_ = qEnvironmentVariableIsSet("SPINELENS_GAP_TRACE");

private:
    int depth_ = 0;
};

int main(int argc, char** argv) {
    spinelens::keepFreedMemoryForReuse(); // before any thread starts
    TimedApplication app(argc, argv);
    startGapTrace();
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SPINELENS_CLI WORKDIR\n", argv[0]);
        return 2;
    }
    const QString cli = argv[1];
    QDir work(argv[2]);
    work.removeRecursively();
    QDir().mkpath(work.path());
    QCoreApplication::setOrganizationName("SpineLensBench");
    QCoreApplication::setApplicationName("bench_worklist");
    QSettings().clear();

    // --- 1. 2,000 studies: open and sort ---
    const int count = 2000;
    const std::string big = work.filePath("big.sqlite").toStdString();
    QElapsedTimer clock;
    clock.start();
    fillWorklist(big, count);
    const double fillSeconds = double(clock.elapsed()) / 1000;
    int rows = 0;
    const double bare = bareReadMs(big, &rows);
    MainWindow w;
    w.resize(1300, 850);
    w.show();
    QTest::qWait(200);
    clock.restart();
    WorklistWindow* list = w.openWorklist(QString::fromStdString(big));
    if (!list || list->model()->rowCount() != count) {
        std::fprintf(stderr, "bench_worklist: the worklist did not open with %d entries\n", count);
        return 1;
    }
    QCoreApplication::processEvents();
    const double openMs = double(clock.nsecsElapsed()) / 1e6;
    double slowestSort = 0;
    for (int c = 0; c < WorklistModel::ColumnCount; ++c)
        for (const Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
            clock.restart();
            list->table()->sortByColumn(c, order);
            QCoreApplication::processEvents();
            slowestSort = std::max(slowestSort, double(clock.nsecsElapsed()) / 1e6);
        }
    std::printf("A worklist of %d studies (filled in %.1f s):\n", count, fillSeconds);
    std::printf("  opened in the window        %7.1f ms (target < 1000)\n", openMs);
    std::printf("  bare SQLite read of its %d rows %7.1f ms; ratio window/bare %.1f\n", rows, bare,
                openMs / std::max(bare, 0.001));
    std::printf("  slowest re-sort (%d columns, both orders) %7.1f ms (target < 1000)\n",
                int(WorklistModel::ColumnCount), slowestSort);
    list->close();

    // --- 2 and 3: review during triage; the receiver under a 300-image push ---
    if (!run(cli, {"phantom", "--kind", "mri", "--count", "20", "--seed", "31", "--out",
                   work.filePath("phantoms")}))
        return 1;
    const QString images = work.filePath("phantoms/train_images");
    // What the clinician reviews meanwhile: the 2,000 entries and 10 real (synthetic) studies
    // triaged beforehand, opened one after another.
    const QString review = work.filePath("review.sqlite");
    QFile::copy(QString::fromStdString(big), review);
    if (!run(cli, {"phantom", "--kind", "mri", "--count", "10", "--seed", "41", "--out",
                   work.filePath("reviewed")}))
        return 1;
    QStringList reviewedFolders;
    for (const QString& d :
         QDir(work.filePath("reviewed/train_images")).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        reviewedFolders << work.filePath("reviewed/train_images/" + d);
    if (!run(cli, QStringList{"worklist", "--db", review, "add"} + reviewedFolders))
        return 1;
    std::vector<std::string> reviewed;
    for (const worklist::Entry& e : worklist::WorklistDb::open(review.toStdString())->entries())
        if (e.source.rfind(work.filePath("reviewed").toStdString(), 0) == 0)
            reviewed.push_back(e.studyUid);
    int pushed = 0;
    for (const auto& f : fs::recursive_directory_iterator(images.toStdString()))
        pushed += f.is_regular_file() && f.path().extension() == ".dcm";

    // The peer: DCMTK's storescp taking the same push, nothing else running.
    const int peerPort = freePort();
    QProcess storescp;
    storescp.setProcessEnvironment(noDelay());
    QDir().mkpath(work.filePath("storescp"));
    storescp.start("storescp",
                   {"-aet", "PEER", "-od", work.filePath("storescp"), QString::number(peerPort)});
    storescp.waitForStarted();
    QElapsedTimer waitUp;
    waitUp.start();
    while (!run("echoscu", {"-aec", "PEER", "127.0.0.1", QString::number(peerPort)}) &&
           waitUp.elapsed() < 20000)
        QTest::qWait(200);
    clock.restart();
    const bool peerOk = run(
        "storescu", {"-aec", "PEER", "+sd", "+r", "127.0.0.1", QString::number(peerPort), images});
    const double peerPush = double(clock.nsecsElapsed()) / 1e9;
    storescp.kill();
    storescp.waitForFinished();
    if (!peerOk)
        return 1;

    // Our receiver's code taking the same push, nothing else running.
    double alonePush = 0;
    {
        const net::StoreFolder store(work.filePath("alone").toStdString());
        net::ReceiverSettings rs;
        rs.aeTitle = "ALONE";
        rs.port = freePort();
        std::atomic<int> stored{0};
        net::StorageReceiver receiver(rs, store, [&](const net::StoredObject&) { ++stored; }, {});
        receiver.start();
        clock.restart();
        const bool ok = run("storescu", {"-aec", "ALONE", "+sd", "+r", "127.0.0.1",
                                         QString::number(rs.port), images});
        alonePush = double(clock.nsecsElapsed()) / 1e9;
        if (!ok || stored.load() != pushed) {
            std::fprintf(stderr, "bench_worklist: our receiver alone kept %d of %d images\n",
                         stored.load(), pushed);
            return 1;
        }
    }

    PacsSettings s = PacsSettings::load();
    s.receiverEnabled = true;
    s.receiverAet = "SLBENCH";
    s.receiverPort = freePort();
    s.receiverFolder = work.filePath("received");
    s.save();
    MainWindow viewer;
    viewer.resize(1300, 850);
    viewer.show();
    if (!viewer.receiver()->isRunning()) {
        std::fprintf(stderr, "bench_worklist: receiver: %s\n",
                     qPrintable(viewer.receiver()->statusText()));
        return 1;
    }
    WorklistWindow* reviewing = viewer.openWorklist(review);
    const int quietMs = 700;
    viewer.worklist()->setQuietMs(quietMs);
    QTest::qWait(500);
    reviewFor(reviewing, 3000, reviewed); // each study opened once: files cached, models loaded
    const double gapIdle = reviewFor(reviewing, 6000, reviewed);

    // 300 images pushed (20 studies): received while earlier arrivals are triaged.
    QVector<double> latencies; // of the pushed studies
    QObject::connect(
        viewer.worklist(), &WorklistService::triaged, [&](const QString& key, double seconds) {
            if (std::find(reviewed.begin(), reviewed.end(), key.toStdString()) == reviewed.end())
                latencies << seconds;
        });
    reviewing->resetEventLoopGap();
    // Triage is busy when the push begins: four listed studies go back for triage (as earlier
    // arrivals would be), so the receiver shares the two cores with it and with the review.
    const int busyStudies = 4;
    viewer.worklist()->add(reviewedFolders.mid(0, busyStudies));
    clock.restart();
    QProcess push;
    push.setProcessEnvironment(noDelay());
    push.start("storescu", {"-aec", "SLBENCH", "+sd", "+r", "127.0.0.1",
                            QString::number(s.receiverPort), images});
    // The clinician keeps reviewing meanwhile.
    double gapTriage = 0;
    while (push.state() != QProcess::NotRunning)
        gapTriage = std::max(gapTriage, reviewFor(reviewing, 500, reviewed));
    const double ourPush = double(clock.nsecsElapsed()) / 1e9;
    if (push.exitCode() != 0) {
        std::fprintf(stderr, "bench_worklist: storescu into the receiver failed: %s\n",
                     push.readAllStandardError().constData());
        return 1;
    }
    QElapsedTimer triageClock;
    triageClock.start();
    while ((latencies.size() < 20 || viewer.worklist()->pending() > 0) &&
           triageClock.elapsed() < 600000)
        gapTriage = std::max(gapTriage, reviewFor(reviewing, 1000, reviewed));
    const double allTriaged = double(clock.nsecsElapsed()) / 1e9;
    std::sort(latencies.begin(), latencies.end());
    const double median = latencies.isEmpty() ? -1 : latencies[latencies.size() / 2];

    std::printf("The DICOM receiver while triage runs (%d images, %d studies, storescu; %d listed "
                "studies in triage as the push began, the review going on):\n",
                pushed, 20, busyStudies);
    std::printf("  into the viewer's receiver  %6.2f s\n", ourPush);
    std::printf("  into DCMTK's storescp       %6.2f s (nothing else running; TCP_NODELAY=1 "
                "for both DCMTK tools)\n",
                peerPush);
    std::printf("  ratio receiver/storescp     %6.2f (target: keeps up, ~1)\n", ourPush / peerPush);
    std::printf("  our receiver alone          %6.2f s; ratio alone/storescp %.2f (its own cost)\n",
                alonePush, alonePush / peerPush);
    std::printf("Triage while the clinician reviews (%d real studies, the next every 250 ms):\n",
                int(reviewed.size()));
    std::printf("  %d studies triaged; arrival (last object) to 'in the list with a score' median "
                "%.2f s, longest %.2f s (quiet period %d ms and the wait behind earlier studies "
                "included); all %.1f s after the push began\n",
                int(latencies.size()), median, latencies.isEmpty() ? -1 : latencies.last(), quietMs,
                allTriaged);
    std::printf("  longest event-loop gap: %.1f ms during triage, %.1f ms reviewing alone; "
                "ratio %.2f (target 50 ms)\n",
                gapTriage, gapIdle, gapTriage / std::max(gapIdle, 0.001));
    return latencies.size() >= 20 ? 0 : 1;
}
