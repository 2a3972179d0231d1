#pragma once
// spinelens-cli echo, query, retrieve, send and receive: the PACS from the command line.
#include "net/Pacs.h"
#include "net/StorageReceiver.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

struct NetOptions {
    std::string server; ///< dicom://AET@host:port or http(s)://host:port/dicom-web
    net::DimseSettings settings;
    net::WebSettings web;
    /// The node these options describe; throws Error for a malformed address.
    net::PacsNode node() const;
};

struct QueryOptions : NetOptions {
    std::string level = "study";
    net::QueryKeys keys;
};

struct RetrieveOptions : NetOptions {
    net::RetrieveRequest request;
    std::string outputFolder;
    int movePort = 0; ///< 0: C-GET; otherwise C-MOVE to our storage SCP on this port
};

struct SendOptions : NetOptions {
    std::vector<std::string> paths;
};

struct ReceiveOptions {
    net::ReceiverSettings settings;
    std::string outputFolder;
    int stopAfter = 0; ///< stop after this many objects (0: until Ctrl+C or SIGTERM)
};

int runEcho(const NetOptions& options, std::ostream& out, std::ostream& err);
int runQuery(QueryOptions options, std::ostream& out, std::ostream& err);
int runRetrieve(const RetrieveOptions& options, std::ostream& out, std::ostream& err);
int runSend(const SendOptions& options, std::ostream& out, std::ostream& err);
int runReceive(const ReceiveOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
