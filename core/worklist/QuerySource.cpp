#include "worklist/QuerySource.h"

#include "Error.h"
#include "net/StoreFolder.h"

#include <algorithm>
#include <filesystem>

namespace spinelens::worklist {
namespace {

std::string dicomDate(std::time_t t) {
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y%m%d", &local);
    return text;
}

bool allDigits(const std::string& text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A real calendar day (mktime would move 31 February on into March).
bool isCalendarDay(int year, int month, int day) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return false;
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return day >= 1 && day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

// "HHMMSS.frac", "HHMM" or "HH" (or the retired "HH:MM:SS") as seconds into the day; -1 when
// not a time.
int secondsOfDay(std::string time) {
    time.erase(std::remove(time.begin(), time.end(), ':'), time.end());
    time = time.substr(0, time.find('.'));
    while (!time.empty() && time.back() == ' ')
        time.pop_back(); // DICOM pads to an even length
    if ((time.size() != 2 && time.size() != 4 && time.size() != 6) || !allDigits(time))
        return -1;
    const int h = std::stoi(time.substr(0, 2));
    const int m = time.size() >= 4 ? std::stoi(time.substr(2, 2)) : 0;
    const int s = time.size() >= 6 ? std::stoi(time.substr(4, 2)) : 0;
    if (h > 23 || m > 59 || s > 60)
        return -1;
    return h * 3600 + m * 60 + s;
}

} // namespace

net::QueryKeys keysAt(const SavedQuery& query, std::time_t now) {
    net::QueryKeys keys = query.keys;
    keys.level = net::QueryLevel::Study;
    if (query.lastHours > 0)
        keys.dateRange =
            dicomDate(now - std::time_t(query.lastHours) * 3600) + "-" + dicomDate(now);
    return keys;
}

bool withinLastHours(const net::QueryMatch& match, int hours, std::time_t now) {
    if (hours <= 0)
        return true;
    const std::time_t from = now - std::time_t(hours) * 3600;
    if (match.studyDate.size() != 8 || !allDigits(match.studyDate))
        return false;
    std::tm when{};
    when.tm_year = std::stoi(match.studyDate.substr(0, 4));
    when.tm_mon = std::stoi(match.studyDate.substr(4, 2));
    when.tm_mday = std::stoi(match.studyDate.substr(6, 2));
    if (!isCalendarDay(when.tm_year, when.tm_mon, when.tm_mday))
        return false;
    when.tm_year -= 1900;
    when.tm_mon -= 1;
    when.tm_isdst = -1;
    const int seconds = secondsOfDay(match.studyTime);
    if (seconds < 0) { // the date alone: any of its hours may be in the window
        when.tm_hour = 23;
        when.tm_min = 59;
        when.tm_sec = 59;
        return std::mktime(&when) >= from;
    }
    when.tm_sec = seconds;
    const std::time_t at = std::mktime(&when);
    return at >= from; // a time ahead of ours (another clock or time zone) still counts
}

namespace {

// DICOM files the store holds for a study (complete ones: temporary names start with a dot).
int filesHeld(const std::string& folder) {
    int n = 0;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec))
        if (it->is_regular_file() && it->path().filename().string().rfind(".", 0) != 0)
            ++n;
    return n;
}

} // namespace

PullResult pullQuery(WorklistDb& db, Triage& triage, const net::PacsNode& node,
                     const SavedQuery& query, const std::string& storeFolder,
                     const std::string& user, std::time_t now,
                     const std::function<void(const Arrival&)>& onStudy,
                     const std::function<bool()>& keepGoing) {
    PullResult result;
    const net::QueryKeys keys = keysAt(query, now);
    net::checkQueryKeys(keys);
    const std::vector<net::QueryMatch> matches = net::find(node, keys);
    const net::StoreFolder store(storeFolder);
    for (const net::QueryMatch& m : matches) {
        if (keepGoing && !keepGoing())
            break;
        if (m.studyUid.empty())
            continue;
        if (!withinLastHours(m, query.lastHours, now)) {
            ++result.outsideWindow;
            continue;
        }
        ++result.matched;
        const std::string folder =
            (std::filesystem::path(storeFolder) / net::uidFileName(m.studyUid)).string();
        // A listed study is retrieved again only while the PACS holds more of it than we do
        // (it was still arriving there, or our retrieve broke off): then it is triaged again.
        if (db.entry(m.studyUid) &&
            (m.numberOfInstances <= 0 || filesHeld(folder) >= m.numberOfInstances)) {
            ++result.alreadyListed;
            continue;
        }
        net::RetrieveResult r;
        const auto asked = ArrivalClock::now(); // the study arrives with its retrieve
        try {
            r = net::retrieve(node, {m.studyUid, {}}, store);
        } catch (const Error& e) { // this study; the others go on
            result.problems.push_back("study " + m.studyUid + ": " + e.what());
            continue;
        }
        if (!r.complete)
            result.problems.push_back("study " + m.studyUid + ": " +
                                      (r.objects.empty() ? "" : "retrieved in part: ") + r.problem);
        if (r.objects.empty())
            continue;
        ++result.retrieved;
        for (Arrival& a : addAndTriage(db, triage, {folder}, user, onStudy, asked))
            result.arrivals.push_back(std::move(a));
    }
    return result;
}

} // namespace spinelens::worklist
