#include "net/Pacs.h"
#include "net/DimseAssociation.h"

namespace spinelens::net {
namespace {

bool web(const PacsNode& node) {
    return node.server.protocol == ServerAddress::Protocol::DicomWeb;
}

} // namespace

void initialiseNetworking() {
    detail::prepareDcmtkNetwork();
}

double echo(const PacsNode& node) {
    return web(node) ? webEcho(node.server, node.web) : echo(node.server, node.dimse);
}

std::vector<QueryMatch> find(const PacsNode& node, const QueryKeys& keys) {
    return web(node) ? qidoFind(node.server, node.web, keys) : find(node.server, node.dimse, keys);
}

RetrieveResult retrieve(const PacsNode& node, const RetrieveRequest& request,
                        const StoreFolder& store, const RetrieveCallback& progress) {
    if (web(node))
        return wadoRetrieve(node.server, node.web, request, store, progress);
    if (node.movePort > 0)
        return retrieveMove(node.server, node.dimse, request, node.movePort, store, progress);
    return retrieveGet(node.server, node.dimse, request, store, progress);
}

SendResult send(const PacsNode& node, const std::vector<std::string>& paths,
                const std::function<void(int, int)>& progress) {
    return web(node) ? stowSend(node.server, node.web, paths, progress)
                     : send(node.server, node.dimse, paths, progress);
}

std::string retrieveMethod(const PacsNode& node) {
    return web(node) ? "WADO-RS" : node.movePort > 0 ? "C-MOVE" : "C-GET";
}

} // namespace spinelens::net
