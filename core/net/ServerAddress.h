#pragma once
// One way to name a server everywhere (CLI, settings, messages): `dicom://AET@host:port` for
// DIMSE (C-ECHO, C-FIND, C-GET, C-MOVE, C-STORE) and `http(s)://host:port/path` for DICOMweb.
#include <string>

namespace spinelens::net {

struct ServerAddress {
    enum class Protocol { Dimse, DicomWeb };
    Protocol protocol = Protocol::Dimse;
    std::string calledAet; ///< DIMSE: the server's AE title
    std::string host;
    int port = 0;
    std::string url; ///< DICOMweb: the service root, without a trailing slash
    bool tls = false;

    /// The address as a user writes it; every network message names the server this way.
    std::string text() const;
};

/// Parses either form; a missing DIMSE port is 104 (PS3.8's well-known port). Throws Error
/// naming the address and what is wrong with it.
ServerAddress parseServerAddress(const std::string& text);

/// Throws Error unless `aet` is a valid AE title: 1-16 characters, no backslash or control
/// character, not only spaces (PS3.5 table 6.2-1). `what` names the option in the message.
void checkAeTitle(const std::string& aet, const std::string& what);

} // namespace spinelens::net
