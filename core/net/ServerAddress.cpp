#include "net/ServerAddress.h"

#include "Error.h"

#include <cctype>

namespace spinelens::net {
namespace {

int parsePort(const std::string& digits, const std::string& address) {
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        throw Error("the port must be a number from 1 to 65535", address);
    const int port = std::stoi(digits);
    if (port < 1 || port > 65535)
        throw Error("the port must be a number from 1 to 65535", address);
    return port;
}

// host[:port]; IPv6 literals in brackets.
void splitHostPort(const std::string& hostPort, const std::string& address, std::string& host,
                   int& port, int defaultPort) {
    std::string portText;
    if (!hostPort.empty() && hostPort[0] == '[') {
        const auto close = hostPort.find(']');
        if (close == std::string::npos)
            throw Error("unclosed [ in the host", address);
        host = hostPort.substr(1, close - 1);
        if (close + 1 < hostPort.size()) {
            if (hostPort[close + 1] != ':')
                throw Error("expected :port after the host", address);
            portText = hostPort.substr(close + 2);
        }
    } else {
        const auto colon = hostPort.rfind(':');
        host = hostPort.substr(0, colon);
        if (colon != std::string::npos)
            portText = hostPort.substr(colon + 1);
    }
    if (host.empty())
        throw Error("no host given", address);
    port = portText.empty() ? defaultPort : parsePort(portText, address);
}

} // namespace

void checkAeTitle(const std::string& aet, const std::string& what) {
    bool onlySpaces = true;
    for (unsigned char c : aet) {
        if (c < 0x20 || c == 0x7f || c == '\\')
            throw Error("an AE title may not contain a backslash or control characters", what);
        onlySpaces = onlySpaces && c == ' ';
    }
    if (aet.empty() || aet.size() > 16 || onlySpaces)
        throw Error("an AE title has 1 to 16 characters", what + " \"" + aet + "\"");
}

std::string ServerAddress::text() const {
    if (protocol == Protocol::DicomWeb)
        return url;
    const bool v6 = host.find(':') != std::string::npos;
    return "dicom://" + calledAet + "@" + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

ServerAddress parseServerAddress(const std::string& text) {
    ServerAddress a;
    const auto scheme = text.find("://");
    if (scheme == std::string::npos)
        throw Error("write a server as dicom://AET@host:port or http(s)://host:port/dicom-web",
                    text);
    std::string kind = text.substr(0, scheme);
    for (char& c : kind)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string rest = text.substr(scheme + 3);
    if (kind == "dicom") {
        const auto at = rest.find('@');
        if (at == std::string::npos)
            throw Error("the server's AE title is missing (dicom://AET@host:port)", text);
        a.protocol = ServerAddress::Protocol::Dimse;
        a.calledAet = rest.substr(0, at);
        checkAeTitle(a.calledAet, text);
        std::string hostPort = rest.substr(at + 1);
        if (!hostPort.empty() && hostPort.back() == '/')
            hostPort.pop_back();
        if (hostPort.find('/') != std::string::npos)
            throw Error("a DIMSE address has no path (dicom://AET@host:port)", text);
        splitHostPort(hostPort, text, a.host, a.port, 104);
        return a;
    }
    if (kind == "http" || kind == "https") {
        a.protocol = ServerAddress::Protocol::DicomWeb;
        a.tls = kind == "https";
        const auto slash = rest.find('/');
        const std::string hostPort = rest.substr(0, slash);
        if (hostPort.find('@') != std::string::npos)
            throw Error("put credentials in --user or --token, not in the address", text);
        splitHostPort(hostPort, text, a.host, a.port, a.tls ? 443 : 80);
        a.url = kind + "://" + hostPort + (slash == std::string::npos ? "" : rest.substr(slash));
        while (!a.url.empty() && a.url.back() == '/')
            a.url.pop_back();
        return a;
    }
    throw Error("unknown scheme \"" + kind + "\" (use dicom://, http:// or https://)", text);
}

} // namespace spinelens::net
