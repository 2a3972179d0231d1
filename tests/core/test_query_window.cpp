// A saved worklist query ("lumbar MR of the last 24 hours"): the date range it sends and which
// of the PACS's matches fall within the hours asked for. DICOM dates and times are local, so
// each case runs in two time zones, one with a daylight-saving change inside the window.
#include "worklist/QuerySource.h"

#include <QtTest>

#include <cstdlib>
#include <ctime>

using namespace spinelens;

namespace {

// Seconds since the epoch of a local date and time in the current TZ.
std::time_t localTime(int year, int month, int day, int hour, int minute = 0) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_isdst = -1;
    return std::mktime(&t);
}

net::QueryMatch study(const std::string& date, const std::string& time) {
    net::QueryMatch m;
    m.studyUid = "2.25.1";
    m.studyDate = date;
    m.studyTime = time;
    return m;
}

} // namespace

class QueryWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { zoneBefore_ = qgetenv("TZ"); }
    void init() {
        QFETCH_GLOBAL(QString, zone);
        qputenv("TZ", zone.toUtf8());
        tzset();
    }
    void cleanupTestCase() {
        if (zoneBefore_.isNull())
            qunsetenv("TZ");
        else
            qputenv("TZ", zoneBefore_);
        tzset();
    }
    void initTestCase_data() {
        QTest::addColumn<QString>("zone");
        QTest::newRow("UTC") << "UTC0";
        // Central Europe: summer time ends on 25 October 2026 at 03:00 local.
        QTest::newRow("CET") << "CET-1CEST,M3.5.0,M10.5.0/3";
    }

    void keysAskForTheDatesOfTheWindow() {
        worklist::SavedQuery q;
        q.keys.modality = "MR";
        q.keys.level = net::QueryLevel::Series; // a saved query always asks for studies
        q.lastHours = 24;
        net::QueryKeys k = worklist::keysAt(q, localTime(2026, 12, 5, 10));
        QCOMPARE(QString::fromStdString(k.dateRange), QString("20261204-20261205"));
        QCOMPARE(int(k.level), int(net::QueryLevel::Study));
        QCOMPARE(QString::fromStdString(k.modality), QString("MR"));
        // A window of 72 hours over the end of summer time, and one inside a single day.
        q.lastHours = 72;
        k = worklist::keysAt(q, localTime(2026, 10, 26, 1));
        QCOMPARE(QString::fromStdString(k.dateRange), QString("20261023-20261026"));
        q.lastHours = 1;
        k = worklist::keysAt(q, localTime(2027, 1, 1, 0, 30));
        QCOMPARE(QString::fromStdString(k.dateRange), QString("20261231-20270101"));
        // No window: the query's own date range is sent as saved.
        q.lastHours = 0;
        q.keys.dateRange = "20260101-20260131";
        k = worklist::keysAt(q, localTime(2026, 12, 5, 10));
        QCOMPARE(QString::fromStdString(k.dateRange), QString("20260101-20260131"));
    }

    void matchesAreJudgedByDateAndTime() {
        const std::time_t now = localTime(2026, 12, 5, 10);
        using worklist::withinLastHours;
        QVERIFY(withinLastHours(study("20261204", "110000"), 24, now));        // 23 h ago
        QVERIFY(!withinLastHours(study("20261204", "090000"), 24, now));       // 25 h ago
        QVERIFY(withinLastHours(study("20261204", "103000.123456"), 24, now)); // fractions
        QVERIFY(withinLastHours(study("20261204", "1030"), 24, now));          // HHMM
        QVERIFY(!withinLastHours(study("20261204", "09"), 24, now));           // HH
        QVERIFY(withinLastHours(study("20261204", "10:30:00"), 24, now));      // retired form
        QVERIFY(withinLastHours(study("20261204", "103000 "), 24, now));       // padded
        QVERIFY(withinLastHours(study("20261205", "120000"), 24, now));        // ahead of our clock
        // The date alone: any hour of it may be in the window.
        QVERIFY(withinLastHours(study("20261204", ""), 24, now));
        QVERIFY(!withinLastHours(study("20261203", ""), 24, now));
        // An unreadable time falls back to the date; an unreadable date is outside.
        QVERIFY(withinLastHours(study("20261204", "99xx"), 24, now));
        QVERIFY(!withinLastHours(study("20261203", "99"), 24, now));     // not 99 h past the 3rd
        QVERIFY(!withinLastHours(study("2026125X", "110000"), 24, now)); // not the 5th
        QVERIFY(!withinLastHours(study("20270229", ""), 24, now));       // no such day
        QVERIFY(withinLastHours(study("20280229", ""), 24, now));        // a leap day (ahead)
        QVERIFY(!withinLastHours(study("2026-12-04", "110000"), 24, now));
        QVERIFY(!withinLastHours(study("20261304", "110000"), 24, now));
        QVERIFY(!withinLastHours(study("", ""), 24, now));
        // No window: everything the PACS listed counts.
        QVERIFY(withinLastHours(study("", ""), 0, now));
    }

    void theWindowCountsRealHoursOverADaylightSavingChange() {
        QFETCH_GLOBAL(QString, zone);
        // 01:00 on 26 October: in CET, 24 real hours back is 02:00 on the 25th (the clock went
        // back an hour in between); in UTC it is 01:00.
        const std::time_t now = localTime(2026, 10, 26, 1);
        const bool cet = zone.startsWith("CET");
        QCOMPARE(worklist::withinLastHours(study("20261025", "013000"), 24, now), !cet);
        QVERIFY(worklist::withinLastHours(study("20261025", "023000"), 24, now));
        QVERIFY(!worklist::withinLastHours(study("20261025", "003000"), 24, now));
    }

private:
    QByteArray zoneBefore_;
};

QTEST_GUILESS_MAIN(QueryWindow)
#include "test_query_window.moc"
