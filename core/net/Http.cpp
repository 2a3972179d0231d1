#include "net/Http.h"

#include "Error.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

namespace spinelens::net {
namespace {

struct Transfer {
    HttpResponse response;
    const BodySink* sink = nullptr;
    const std::function<void(const HttpResponse&)>* onHeaders = nullptr;
    bool headersReported = false;
    bool stoppedBySink = false;
    const std::vector<long>* answeredStatuses = nullptr;
    std::string errorBody; ///< first bytes of an error response, for the message
    CURL* curl = nullptr;
    std::exception_ptr thrown; ///< from a callback; exceptions must not cross curl's C frames
};

bool isFailure(const Transfer& t) {
    return t.response.status >= 400 &&
           std::find(t.answeredStatuses->begin(), t.answeredStatuses->end(), t.response.status) ==
               t.answeredStatuses->end();
}

void reportHeaders(Transfer& t) {
    if (t.headersReported)
        return;
    t.headersReported = true;
    curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.response.status);
    char* type = nullptr;
    curl_easy_getinfo(t.curl, CURLINFO_CONTENT_TYPE, &type);
    t.response.contentType = type ? type : "";
    if (t.onHeaders && *t.onHeaders && !isFailure(t))
        (*t.onHeaders)(t.response);
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    const size_t n = size * count;
    try {
        reportHeaders(t);
    } catch (...) {
        t.thrown = std::current_exception();
        return 0;
    }
    if (isFailure(t)) {
        if (t.errorBody.size() < 2000)
            t.errorBody.append(data, std::min<size_t>(n, 2000 - t.errorBody.size()));
        return n;
    }
    if (t.sink && *t.sink) {
        try {
            if (!(*t.sink)(data, n)) {
                t.stoppedBySink = true;
                return 0; // makes curl stop with CURLE_WRITE_ERROR
            }
        } catch (...) {
            t.thrown = std::current_exception();
            return 0;
        }
        return n;
    }
    t.response.body.append(data, n);
    return n;
}

std::string statusWords(long status) {
    switch (status) {
    case 401:
        return "the server asks for credentials, or refused ours (HTTP 401): check --user or "
               "--token";
    case 403:
        return "the server refused access (HTTP 403)";
    case 404:
        return "not found (HTTP 404): is the DICOMweb address (its /dicom-web root) right?";
    case 406:
        return "the server cannot send this in a form we accept (HTTP 406)";
    case 409:
        return "the server refused some of the objects (HTTP 409)";
    case 413:
        return "the request is too large for the server (HTTP 413)";
    case 415:
        return "the server does not accept this media type (HTTP 415)";
    default:
        if (status >= 500)
            return "the server failed (HTTP " + std::to_string(status) + ")";
        return "the server refused the request (HTTP " + std::to_string(status) + ")";
    }
}

std::string curlWords(CURLcode code, const char* detail, const WebSettings& s) {
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "the host name is not known";
    case CURLE_COULDNT_CONNECT:
        return std::string("could not connect (") + detail + "): is the server running there?";
    case CURLE_OPERATION_TIMEDOUT:
        return "no answer within the time allowed (" + std::to_string(s.connectSeconds) +
               " s to connect, " + std::to_string(s.responseSeconds) + " s without data)";
    case CURLE_PEER_FAILED_VERIFICATION:
        return std::string("the server's TLS certificate is not trusted (") + detail +
               "): give its CA with --ca-file";
    case CURLE_SSL_CONNECT_ERROR:
        return std::string("the TLS handshake failed (") + detail + ")";
    case CURLE_SSL_CACERT_BADFILE:
        return "the CA file cannot be read: " + s.caFile;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        return std::string("the server closed the connection mid-transfer (") + detail + ")";
    default:
        return std::string("the transfer failed (") + detail + ")";
    }
}

} // namespace

std::string urlEncode(const std::string& value) {
    std::string out;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*' || c == '?')
            out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string headerParameter(const std::string& header, const std::string& name) {
    std::string lower = header;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string key = name + "=";
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t at = 0;
    while ((at = lower.find(key, at)) != std::string::npos) {
        const bool start = at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ';
        if (start)
            break;
        at += key.size();
    }
    if (at == std::string::npos)
        return {};
    std::size_t from = at + key.size();
    if (from < header.size() && header[from] == '"') {
        const std::size_t close = header.find('"', from + 1);
        return header.substr(from + 1, close == std::string::npos ? close : close - from - 1);
    }
    const std::size_t end = header.find(';', from);
    std::string v = header.substr(from, end == std::string::npos ? end : end - from);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '\n'))
        v.pop_back();
    return v;
}

HttpResponse httpRequest(const HttpRequest& request, const WebSettings& settings,
                         const BodySink& sink,
                         const std::function<void(const HttpResponse&)>& onHeaders) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        throw Error("cannot start an HTTP transfer", request.url);
    Transfer t;
    t.sink = &sink;
    t.answeredStatuses = &request.answeredStatuses;
    t.onHeaders = &onHeaders;
    t.curl = curl.get();
    char errors[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errors);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings.connectSeconds));
    // A stalled transfer (below 1 byte/s for responseSeconds) is a timeout; a long but
    // moving one is not.
    if (settings.cancellation) {
        // curl calls this about once a second even while nothing arrives.
        curl_easy_setopt(
            c, CURLOPT_XFERINFOFUNCTION,
            +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                return static_cast<Cancellation*>(user)->cancelled() ? 1 : 0;
            });
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, settings.cancellation.get());
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.responseSeconds));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    if (request.acceptCompressed)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); // gzip/deflate when the server offers
    // Fewer, larger pieces for the body sink (libcurl's default is 16 KiB; its tool uses more).
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024L);
    if (!settings.caFile.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, settings.caFile.c_str());
    if (!settings.token.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, settings.token.c_str());
    } else if (!settings.user.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, settings.user.c_str());
    }
    if (request.method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers)
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    const CURLcode code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (t.thrown)
        std::rethrow_exception(t.thrown);
    if (t.stoppedBySink)
        throw Error("the transfer was stopped", request.url);
    if (code == CURLE_ABORTED_BY_CALLBACK)
        throw Error("the transfer was cancelled", request.url);
    if (code != CURLE_OK)
        throw Error(curlWords(code, errors[0] ? errors : curl_easy_strerror(code), settings),
                    request.url);
    reportHeaders(t); // a response without a body has not reported them yet
    if (isFailure(t)) {
        std::string detail = t.errorBody.substr(0, 200);
        for (char& ch : detail)
            if (ch == '\n' || ch == '\r')
                ch = ' ';
        throw Error(statusWords(t.response.status) +
                        (detail.empty() ? "" : "; the server says: " + detail),
                    request.url);
    }
    return t.response;
}

} // namespace spinelens::net
