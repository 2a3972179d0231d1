#pragma once
// One entry point for a PACS whatever it speaks: a node is an address plus the settings of
// its protocol, and echo/find/retrieve/send go over DIMSE or DICOMweb as the address says.
// The CLI and the viewer call these.
#include "net/DicomWeb.h"
#include "net/Dimse.h"

namespace spinelens::net {

struct PacsNode {
    ServerAddress server;
    DimseSettings dimse; ///< for dicom:// addresses
    WebSettings web;     ///< for http(s):// addresses
    int movePort = 0;    ///< DIMSE: 0 retrieves with C-GET, otherwise C-MOVE to this port
};

/// Call once at the start of main(), before any thread: sets up DCMTK's network options
/// (TCP_NODELAY through the environment, which must not change while threads read it) and
/// logging. Network calls still do it themselves when a program forgot.
void initialiseNetworking();

/// Milliseconds for a C-ECHO or a minimal QIDO-RS search.
double echo(const PacsNode& node);
std::vector<QueryMatch> find(const PacsNode& node, const QueryKeys& keys);
RetrieveResult retrieve(const PacsNode& node, const RetrieveRequest& request,
                        const StoreFolder& store, const RetrieveCallback& progress = {});
SendResult send(const PacsNode& node, const std::vector<std::string>& paths,
                const std::function<void(int sent, int total)>& progress = {});

/// "C-GET", "C-MOVE" or "WADO-RS": how retrieve() will fetch from this node.
std::string retrieveMethod(const PacsNode& node);

} // namespace spinelens::net
