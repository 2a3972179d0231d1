#pragma once
// DICOMweb (PS3.18): QIDO-RS search, WADO-RS retrieve (multipart/related, objects filed as
// they arrive) and STOW-RS store, with the same query keys, results and store folder as
// DIMSE. Patient-level queries, which QIDO-RS has no resource for, are answered by grouping
// the matching studies by patient.
#include "net/Dimse.h"
#include "net/Http.h"

namespace spinelens::net {

/// GET of the studies resource with limit=1: is the service there and do we get in.
double webEcho(const ServerAddress& server, const WebSettings& settings);

std::vector<QueryMatch> qidoFind(const ServerAddress& server, const WebSettings& settings,
                                 const QueryKeys& keys);

RetrieveResult wadoRetrieve(const ServerAddress& server, const WebSettings& settings,
                            const RetrieveRequest& request, const StoreFolder& store,
                            const RetrieveCallback& progress = {});

SendResult stowSend(const ServerAddress& server, const WebSettings& settings,
                    const std::vector<std::string>& paths,
                    const std::function<void(int sent, int total)>& progress = {});

} // namespace spinelens::net
