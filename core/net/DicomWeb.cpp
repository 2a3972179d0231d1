#include "net/DicomWeb.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "net/DimseAssociation.h"
#include "net/Multipart.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <utility>

namespace fs = std::filesystem;
using nlohmann::json;

namespace spinelens::net {
namespace {

// The object being received: its temporary file, written piece by piece; removed unless it
// was committed (a transfer that breaks off leaves nothing behind).
class IncomingFile {
public:
    explicit IncomingFile(const StoreFolder& store) : store_(store) {}
    ~IncomingFile() { discard(); }

    void write(const char* data, std::size_t size) {
        if (!file_) {
            path_ = store_.temporaryPath("wado");
            file_ = std::fopen(path_.c_str(), "wb");
            if (!file_)
                fail();
            std::setvbuf(file_, nullptr, _IONBF, 0); // pieces are large: straight to the kernel
        }
        if (std::fwrite(data, 1, size, file_) != size)
            fail();
    }
    StoredObject commit() {
        if (!file_) // an empty part
            write("", 0);
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        if (!closed)
            fail();
        return store_.commit(std::exchange(path_, {})); // removes the file if unreadable
    }

private:
    [[noreturn]] void fail() {
        const std::string where = path_;
        discard();
        throw Error("could not store here: cannot write the received object (disk full or not "
                    "writable?)",
                    where);
    }
    void discard() {
        if (file_)
            std::fclose(file_);
        file_ = nullptr;
        if (!path_.empty())
            std::remove(path_.c_str());
        path_.clear();
    }

    const StoreFolder& store_;
    std::string path_;
    std::FILE* file_ = nullptr;
};

void checkWeb(const ServerAddress& server) {
    if (server.protocol != ServerAddress::Protocol::DicomWeb)
        throw Error("not a DICOMweb address (http(s)://host:port/dicom-web)", server.text());
}

std::string personName(const json& pn) {
    std::string groups[3];
    const char* names[3] = {"Alphabetic", "Ideographic", "Phonetic"};
    int last = -1;
    for (int i = 0; i < 3; ++i)
        if (pn.contains(names[i]) && pn[names[i]].is_string() &&
            !pn[names[i]].get<std::string>().empty()) {
            groups[i] = pn[names[i]].get<std::string>();
            last = i;
        }
    std::string joined;
    for (int i = 0; i <= last; ++i)
        joined += (i ? "=" : "") + groups[i];
    return joined;
}

// First value of a DICOM JSON attribute as text (PN: the alphabetic group).
std::string value(const json& object, const char* tag) {
    const auto a = object.find(tag);
    if (a == object.end() || !a->contains("Value") || (*a)["Value"].empty())
        return {};
    std::string joined;
    for (const json& v : (*a)["Value"]) {
        std::string s;
        if (v.is_string())
            s = v.get<std::string>();
        else if (v.is_number_integer())
            s = std::to_string(v.get<long long>());
        else if (v.is_number())
            s = std::to_string(v.get<double>());
        else if (v.is_object()) // PN: Alphabetic=Ideographic=Phonetic, as in DICOM text
            s = personName(v);
        joined += (joined.empty() ? "" : "\\") + s;
    }
    return joined;
}

int number(const json& object, const char* tag) {
    const std::string s = value(object, tag);
    try {
        return s.empty() ? -1 : std::stoi(s);
    } catch (...) {
        return -1;
    }
}

QueryMatch readMatch(const json& o, const char* level) {
    QueryMatch m;
    m.level = level;
    m.patientName = value(o, "00100010");
    m.patientId = value(o, "00100020");
    m.patientBirthDate = value(o, "00100030");
    m.studyUid = value(o, "0020000D");
    m.studyDate = value(o, "00080020");
    m.studyTime = value(o, "00080030");
    m.accession = value(o, "00080050");
    m.studyDescription = value(o, "00081030");
    m.modalities = value(o, "00080061");
    m.sopClassesInStudy = value(o, "00080062");
    m.seriesUid = value(o, "0020000E");
    m.seriesNumber = value(o, "00200011");
    m.seriesDescription = value(o, "0008103E");
    m.modality = value(o, "00080060");
    m.sopInstanceUid = value(o, "00080018");
    m.instanceNumber = value(o, "00200013");
    m.numberOfSeries = number(o, "00201206");
    m.numberOfInstances = number(o, std::string(level) == "series" ? "00201209" : "00201208");
    return m;
}

json getJson(const std::string& url, const WebSettings& settings) {
    HttpRequest r;
    r.url = url;
    r.headers["Accept"] = "application/dicom+json, application/json";
    const HttpResponse response = httpRequest(r, settings);
    if (response.status == 204 || response.body.empty())
        return json::array();
    try {
        json j = json::parse(response.body);
        if (!j.is_array())
            throw Error("the answer is not a DICOM JSON array", url);
        return j;
    } catch (const json::exception& e) {
        throw Error(std::string("the answer is not valid DICOM JSON (") + e.what() + ")", url);
    }
}

std::string studiesQuery(const QueryKeys& k) {
    std::string q = "?includefield=00081030&includefield=00080061&includefield=00080062"
                    "&includefield=00201206&includefield=00201208&includefield=00100030";
    auto add = [&q](const char* name, const std::string& v) {
        if (!v.empty())
            q += std::string("&") + name + "=" + urlEncode(v);
    };
    add("PatientName", k.patientName);
    add("PatientID", k.patientId);
    add("StudyDate", k.dateRange);
    add("ModalitiesInStudy", k.modality);
    add("AccessionNumber", k.accession);
    add("StudyDescription", k.studyDescription);
    add("StudyInstanceUID", k.studyUid);
    if (!k.patientName.empty() || !k.studyDescription.empty())
        q += "&fuzzymatching=false";
    return q;
}

std::string randomBoundary() {
    std::random_device rd;
    std::mt19937_64 g(rd());
    return "spinelens-" + std::to_string(g()) + std::to_string(g());
}

} // namespace

double webEcho(const ServerAddress& server, const WebSettings& settings) {
    checkWeb(server);
    const auto start = std::chrono::steady_clock::now();
    getJson(server.url + "/studies?limit=1", settings);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

std::vector<QueryMatch> qidoFind(const ServerAddress& server, const WebSettings& settings,
                                 const QueryKeys& keys) {
    checkWeb(server);
    checkQueryKeys(keys);
    std::vector<QueryMatch> matches;
    if (keys.level == QueryLevel::Image) {
        for (const json& o :
             getJson(server.url + "/studies/" + urlEncode(keys.studyUid) + "/series/" +
                         urlEncode(keys.seriesUid) + "/instances?includefield=00200013",
                     settings))
            matches.push_back(readMatch(o, "image"));
        return matches;
    }
    if (keys.level == QueryLevel::Series) {
        std::string url = server.url + "/studies/" + urlEncode(keys.studyUid) +
                          "/series?includefield=0008103E&includefield=00201209";
        if (!keys.modality.empty())
            url += "&Modality=" + urlEncode(keys.modality);
        if (!keys.dateRange.empty())
            url += "&SeriesDate=" + urlEncode(keys.dateRange);
        for (const json& o : getJson(url, settings))
            matches.push_back(readMatch(o, "series"));
        for (QueryMatch& m : matches)
            if (m.studyUid.empty())
                m.studyUid = keys.studyUid;
        return matches;
    }
    const json studies = getJson(server.url + "/studies" + studiesQuery(keys), settings);
    if (keys.level == QueryLevel::Study) {
        for (const json& o : studies)
            matches.push_back(readMatch(o, "study"));
        return matches;
    }
    // Patient level: one match per patient ID among the matching studies.
    std::map<std::string, QueryMatch> patients;
    for (const json& o : studies) {
        const QueryMatch s = readMatch(o, "patient");
        QueryMatch& p = patients[s.patientId + "\x1f" + s.patientName];
        if (p.numberOfStudies < 0) {
            p.level = "patient";
            p.patientName = s.patientName;
            p.patientId = s.patientId;
            p.patientBirthDate = s.patientBirthDate;
            p.numberOfStudies = 0;
        }
        ++p.numberOfStudies;
    }
    for (auto& [key, p] : patients)
        matches.push_back(p);
    return matches;
}

RetrieveResult wadoRetrieve(const ServerAddress& server, const WebSettings& settings,
                            const RetrieveRequest& request, const StoreFolder& store,
                            const RetrieveCallback& progress) {
    checkWeb(server);
    if (request.studyUid.empty())
        throw Error("a retrieve needs the study's UID", "--study");
    RetrieveResult result;
    RetrieveProgress p;
    std::unique_ptr<MultipartReader> reader;
    // Each part is written to its temporary file as it arrives (as a plain download would),
    // then renamed into place once whole.
    IncomingFile incoming(store);
    const auto onChunk = [&](const std::string&, const char* data, std::size_t size) {
        incoming.write(data, size);
        return true;
    };
    const auto onPartEnd = [&] {
        try {
            result.objects.push_back(incoming.commit());
            p.received = static_cast<int>(result.objects.size());
            p.last = &result.objects.back();
        } catch (const Error& e) {
            ++result.failed;
            p.failed = result.failed;
            p.last = nullptr;
            if (result.problem.empty())
                result.problem = e.reason();
        }
        if (progress && !progress(p)) {
            result.cancelled = true;
            return false;
        }
        return true;
    };
    HttpRequest r;
    r.url = server.url + "/studies/" + urlEncode(request.studyUid);
    if (!request.seriesUid.empty())
        r.url += "/series/" + urlEncode(request.seriesUid);
    if (!request.sopInstanceUid.empty())
        r.url += "/instances/" + urlEncode(request.sopInstanceUid);
    r.headers["Accept"] = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    r.acceptCompressed = false;
    try {
        httpRequest(
            r, settings,
            [&](const char* data, std::size_t size) { return reader && reader->feed(data, size); },
            [&](const HttpResponse& head) {
                const std::string boundary = headerParameter(head.contentType, "boundary");
                if (head.contentType.find("multipart/related") == std::string::npos ||
                    boundary.empty())
                    throw Error("the server did not answer with multipart/related DICOM (" +
                                    head.contentType + ")",
                                r.url);
                reader = std::make_unique<MultipartReader>(boundary, onChunk, onPartEnd);
            });
    } catch (const Error& e) {
        result.cancelled = result.cancelled || isCancelled(settings.cancellation);
        if (result.cancelled) {
            result.problem = server.text() + ": cancelled after " +
                             std::to_string(result.objects.size()) + " objects";
            return result;
        }
        if (e.reason().find("HTTP 404") != std::string::npos && result.objects.empty()) {
            result.problem = server.text() + ": the server has no " +
                             (request.seriesUid.empty() ? "study " + request.studyUid
                                                        : "series " + request.seriesUid);
            return result;
        }
        result.problem = server.text() + ": " + e.reason();
        return result;
    }
    if (!reader || !reader->finished())
        result.problem = server.text() + ": the response ended before its closing boundary";
    else if (result.objects.empty() && result.problem.empty())
        result.problem = server.text() + ": the server sent no objects";
    else if (!result.problem.empty())
        result.problem = server.text() + ": " + result.problem;
    result.complete = result.problem.empty();
    return result;
}

namespace {

/// A STOW-RS Failure Reason (0008,1197), a Storage service status (PS3.4 Table B.2-1 and
/// PS3.18's STOW-RS codes), in words with its hex code.
std::string stowFailureWords(const std::string& reason) {
    char* end = nullptr;
    const long code = std::strtol(reason.c_str(), &end, 10);
    if (reason.empty() || *end != '\0')
        return "no failure reason given";
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04lX", code);
    const std::string tail = std::string(" (status ") + hex + "H)";
    if (code == 0x0110)
        return "processing failure" + tail;
    if (code == 0x0111)
        return "an object with this SOP Instance UID is there already" + tail;
    if (code == 0x0122)
        return "the server does not store this kind of object (SOP class)" + tail;
    if (code == 0x0124)
        return "not authorised to store" + tail;
    if (code == 0xC122)
        return "the server does not accept this transfer syntax" + tail;
    if ((code & 0xFF00) == 0xA700)
        return "the server is out of resources" + tail;
    if ((code & 0xFF00) == 0xA900)
        return "the object does not match its SOP class" + tail;
    if ((code & 0xF000) == 0xC000)
        return "the server cannot understand the object" + tail;
    return "failure" + tail;
}

} // namespace

SendResult stowSend(const ServerAddress& server, const WebSettings& settings,
                    const std::vector<std::string>& paths,
                    const std::function<void(int, int)>& progress) {
    checkWeb(server);
    detail::prepareDcmtkNetwork(); // DCMTK's own log lines stay off stderr
    SendResult result;
    // Which files are DICOM objects, and their SOP instance UIDs (to read the answer by).
    std::vector<std::pair<std::string, std::string>> objects; // path, SOP instance UID
    std::vector<std::string> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (fs::recursive_directory_iterator
                     it(p, fs::directory_options::skip_permission_denied, ec),
                 end;
                 !ec && it != end; it.increment(ec)) {
                if (it->path().filename().string().rfind(".", 0) == 0) {
                    if (it->is_directory())
                        it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file())
                    files.push_back(it->path().string());
            }
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            result.failures.push_back({p, "no such file or folder"});
        }
    }
    for (const std::string& f : files) {
        DcmFileFormat file;
        if (fs::path(f).filename() == "DICOMDIR") {
            result.failures.push_back({f, "a DICOMDIR is an index, not an image: not sent"});
            continue;
        }
        const OFCondition c = file.loadFileUntilTag(f.c_str(), EXS_Unknown, EGL_noChange,
                                                    DCM_MaxReadLength, ERM_fileOnly, DCM_PixelData);
        const std::string uid =
            c.good() ? dicom::getString(*file.getDataset(), DCM_SOPInstanceUID) : "";
        if (c.bad() || uid.empty())
            result.failures.push_back({f, std::string("not sent: not a DICOM file we can send (") +
                                              (c.bad() ? c.text() : "no SOP Instance UID") + ")"});
        else
            objects.push_back({f, uid});
    }
    // Batches of about 64 MB, one POST each.
    const std::size_t batchBytes = 64u << 20;
    std::size_t next = 0;
    int done = 0;
    while (next < objects.size()) {
        const std::string boundary = randomBoundary();
        HttpRequest r;
        r.method = "POST";
        r.url = server.url + "/studies";
        r.headers["Content-Type"] =
            "multipart/related; type=\"application/dicom\"; boundary=" + boundary;
        r.headers["Accept"] = "application/dicom+json, application/json";
        std::vector<std::size_t> batch;
        while (next < objects.size() && (batch.empty() || r.body.size() < batchBytes)) {
            std::ifstream in(objects[next].first, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), {});
            r.body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n";
            r.body += bytes;
            r.body += "\r\n";
            batch.push_back(next++);
        }
        r.body += "--" + boundary + "--\r\n";
        std::map<std::string, std::string> failedByUid;
        std::map<std::string, bool> storedByUid;
        std::string batchProblem;
        bool unconfirmed = false; ///< sent, but the answer cannot tell what was stored
        long status = 0;
        r.answeredStatuses = {409}; // none stored: the body says which and why
        try {
            const HttpResponse response = httpRequest(r, settings);
            status = response.status;
            json answer = response.body.empty() ? json::object() : json::parse(response.body);
            if (answer.is_array() && !answer.empty())
                answer = answer[0];
            for (const json& item :
                 answer.value("00081199", json::object()).value("Value", json::array()))
                storedByUid[value(item, "00081155")] = true;
            for (const json& item :
                 answer.value("00081198", json::object()).value("Value", json::array()))
                failedByUid[value(item, "00081155")] = "refused by " + server.text() + ": " +
                                                       stowFailureWords(value(item, "00081197"));
            // Only a plain success may leave the lists out (HTTP 204, or 200 with no body);
            // a 202 or 409 that lists nothing cannot say what was kept.
            if (response.status != 200 && response.status != 204 && storedByUid.empty() &&
                failedByUid.empty()) {
                batchProblem = "the server answered HTTP " + std::to_string(response.status) +
                               " without saying which objects it stored";
                unconfirmed = response.status != 409;
            }
        } catch (const json::exception&) {
            batchProblem = "the server's answer is not valid JSON, so whether it stored the "
                           "object is not known";
            unconfirmed = true;
        } catch (const Error& e) {
            batchProblem = e.reason();
        }
        for (std::size_t i : batch) {
            const auto& [path, uid] = objects[i];
            if (!batchProblem.empty())
                result.failures.push_back(
                    {path, std::string(unconfirmed ? "not confirmed: " : "not sent: ") +
                               server.text() + ": " + batchProblem});
            else if (failedByUid.count(uid))
                result.failures.push_back({path, failedByUid[uid]});
            else if (storedByUid.count(uid) || (storedByUid.empty() && status < 202))
                ++result.sent; // a plain success without a list (HTTP 200/204): all stored
            else if (status == 409)
                result.failures.push_back(
                    {path, "not stored: " + server.text() + " refused the batch (HTTP 409)"});
            else
                result.failures.push_back(
                    {path, "not confirmed: " + server.text() + " did not list it as stored"});
        }
        if (!batchProblem.empty() && !unconfirmed && result.sent == 0 && next >= objects.size() &&
            batch.size() == objects.size())
            throw Error(batchProblem + "; nothing was sent", server.text());
        done += static_cast<int>(batch.size());
        if (progress)
            progress(done, static_cast<int>(objects.size()));
    }
    return result;
}

} // namespace spinelens::net
