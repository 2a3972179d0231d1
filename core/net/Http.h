#pragma once
// A small HTTP client over libcurl for DICOMweb: basic or bearer authentication, TLS when the
// URL says https (the system's CA store, or a CA file the user names), timeouts, and bodies
// streamed to a callback. Core is free of Qt, so the command line and cluster nodes have the
// same client as the viewer. Failures are Errors in words naming the URL.
#include "net/Cancellation.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace spinelens::net {

struct WebSettings {
    std::string user;   ///< "name:password" for HTTP basic authentication
    std::string token;  ///< bearer token (OAuth 2); used instead of `user` when set
    std::string caFile; ///< PEM file of the CA that signed the server's certificate
    int connectSeconds = 10;
    int responseSeconds = 60; ///< the transfer may not stall longer than this
    /// Stops a transfer within about a second when cancelled, data arriving or not.
    std::shared_ptr<Cancellation> cancellation;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body; ///< sent for POST
    /// Offer gzip/deflate: worth it for JSON, not for DICOM objects (pixel data barely
    /// compresses, and both ends would spend the CPU).
    bool acceptCompressed = true;
    /// Error statuses whose body is the answer, returned rather than thrown: STOW-RS says
    /// which objects it refused, and why, in the body of its HTTP 409.
    std::vector<long> answeredStatuses;
};

struct HttpResponse {
    long status = 0;
    std::string contentType;
    std::string body; ///< only when no body callback was given
};

/// Called with each piece of the body as it arrives; return false to stop the transfer.
using BodySink = std::function<bool(const char* data, std::size_t size)>;

/// Performs the request. Throws Error for a transfer that failed (no connection, timeout,
/// TLS, a body callback that stopped it) or an HTTP status of 400 or more (except the request's
/// `answeredStatuses`), in words. With a
/// sink, the body of a successful response goes to it instead of `body`; `onHeaders` runs once
/// the status and headers are known, before the first piece of the body.
HttpResponse httpRequest(const HttpRequest& request, const WebSettings& settings,
                         const BodySink& sink = {},
                         const std::function<void(const HttpResponse&)>& onHeaders = {});

/// Percent-encodes a query parameter value.
std::string urlEncode(const std::string& value);

/// The value of parameter `name` in a header such as `multipart/related; type="..."; boundary=x`
/// (quotes removed); empty when absent.
std::string headerParameter(const std::string& header, const std::string& name);

} // namespace spinelens::net
