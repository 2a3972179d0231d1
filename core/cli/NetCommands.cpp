#include "cli/NetCommands.h"
#include "cli/ServerOptions.h"

#include "Error.h"
#include "cli/Commands.h"
#include "cli/Interrupt.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <ostream>
#include <thread>

namespace spinelens::cli {
namespace {

nlohmann::json toJson(const net::QueryMatch& m) {
    nlohmann::json j{{"level", m.level},
                     {"patientName", m.patientName},
                     {"patientId", m.patientId},
                     {"patientBirthDate", m.patientBirthDate}};
    auto optional = [&j](const char* key, const std::string& v) {
        if (!v.empty())
            j[key] = v;
    };
    auto number = [&j](const char* key, int v) {
        if (v >= 0)
            j[key] = v;
    };
    optional("studyInstanceUid", m.studyUid);
    optional("studyDate", m.studyDate);
    optional("studyTime", m.studyTime);
    optional("accessionNumber", m.accession);
    optional("studyDescription", m.studyDescription);
    optional("modalitiesInStudy", m.modalities);
    optional("seriesInstanceUid", m.seriesUid);
    optional("seriesNumber", m.seriesNumber);
    optional("seriesDescription", m.seriesDescription);
    optional("modality", m.modality);
    number("numberOfStudies", m.numberOfStudies);
    number("numberOfSeries", m.numberOfSeries);
    number("numberOfInstances", m.numberOfInstances);
    return j;
}

nlohmann::json toJson(const net::StoredObject& o) {
    return {{"path", o.path},
            {"studyInstanceUid", o.studyUid},
            {"seriesInstanceUid", o.seriesUid},
            {"sopInstanceUid", o.sopInstanceUid},
            {"sopClassUid", o.sopClassUid}};
}

} // namespace

void addServerOptions(CLI::App* c, NetOptions& o) {
    c->add_option("SERVER", o.server,
                  "dicom://AET@host:port or "
                  "http(s)://host:port/dicom-web")
        ->required();
    c->add_option("--calling-aet", o.settings.callingAet, "our AE title (DIMSE)");
    c->add_option("--user", o.web.user, "NAME:PASSWORD for HTTP basic authentication");
    c->add_option("--token", o.web.token, "bearer token for DICOMweb");
    c->add_option("--ca-file", o.web.caFile, "PEM file of the CA of an https server");
    c->add_option("--timeout", o.settings.responseSeconds,
                  "seconds to wait for each answer before giving up")
        ->check(intAtLeast(1));
    c->add_option("--connect-timeout", o.settings.connectSeconds,
                  "seconds to wait for the connection and association")
        ->check(intAtLeast(1));
}

net::PacsNode NetOptions::node() const {
    net::PacsNode n;
    n.server = net::parseServerAddress(server);
    n.dimse = settings;
    n.web = web;
    n.web.connectSeconds = settings.connectSeconds;
    n.web.responseSeconds = settings.responseSeconds;
    return n;
}

int runEcho(const NetOptions& o, std::ostream& out, std::ostream&) {
    const net::PacsNode node = o.node();
    const double ms = net::echo(node);
    out << jsonText({{"server", node.server.text()}, {"echo", "ok"}, {"milliseconds", ms}}) << '\n';
    return Ok;
}

int runQuery(QueryOptions o, std::ostream& out, std::ostream&) {
    const net::PacsNode node = o.node();
    o.keys.level = o.level == "patient"  ? net::QueryLevel::Patient
                   : o.level == "series" ? net::QueryLevel::Series
                                         : net::QueryLevel::Study;
    nlohmann::json matches = nlohmann::json::array();
    for (const net::QueryMatch& m : net::find(node, o.keys))
        matches.push_back(toJson(m));
    out << jsonText(matches, 1) << '\n';
    return Ok;
}

int runRetrieve(const RetrieveOptions& o, std::ostream& out, std::ostream& err) {
    net::PacsNode node = o.node();
    node.movePort = o.movePort;
    const net::ServerAddress& server = node.server;
    const net::StoreFolder store(o.outputFolder);
    InterruptGuard interrupt;
    const auto progress = [&](const net::RetrieveProgress& p) {
        if (p.last)
            err << "received " << p.received
                << (p.remaining >= 0 ? ", " + std::to_string(p.remaining) + " to come" : "") << '\n'
                << std::flush;
        return !interrupt.interrupted();
    };
    const net::RetrieveResult r = net::retrieve(node, o.request, store, progress);
    nlohmann::json objects = nlohmann::json::array();
    for (const net::StoredObject& s : r.objects)
        objects.push_back(toJson(s));
    out << jsonText({{"server", server.text()},
                     {"method", net::retrieveMethod(node)},
                     {"complete", r.complete},
                     {"partial", !r.complete && !r.objects.empty()},
                     {"cancelled", r.cancelled},
                     {"received", r.objects.size()},
                     {"failedOnServer", r.failed},
                     {"warnings", r.warnings},
                     {"problem", r.problem},
                     {"objects", objects}},
                    1)
        << '\n';
    if (!r.complete)
        err << "spinelens-cli: " << (r.objects.empty() ? "" : "partial retrieve: ") << r.problem
            << '\n';
    return r.complete ? Ok : InputsFailed;
}

int runSend(const SendOptions& o, std::ostream& out, std::ostream& err) {
    const net::PacsNode node = o.node();
    const net::ServerAddress& server = node.server;
    const net::SendResult r = net::send(node, o.paths);
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& [file, why] : r.failures) {
        failures.push_back({{"path", file}, {"reason", why}});
        err << "spinelens-cli: " << file << ": " << why << '\n';
    }
    out << jsonText({{"server", server.text()}, {"sent", r.sent}, {"failed", failures}}, 1) << '\n';
    return r.failures.empty() ? Ok : InputsFailed;
}

int runReceive(const ReceiveOptions& o, std::ostream& out, std::ostream& err) {
    net::checkAeTitle(o.settings.aeTitle, "--aet");
    const net::StoreFolder store(o.outputFolder);
    std::mutex mutex; // the handlers run on the receiver's thread
    InterruptGuard interrupt(true);
    net::StorageReceiver receiver(
        o.settings, store,
        [&](const net::StoredObject& s) {
            std::lock_guard<std::mutex> lock(mutex);
            out << jsonText(toJson(s)) << '\n' << std::flush;
        },
        [&](const std::string& problem) {
            std::lock_guard<std::mutex> lock(mutex);
            err << "spinelens-cli: " << problem << '\n' << std::flush;
        });
    receiver.start();
    {
        std::lock_guard<std::mutex> lock(mutex);
        err << "receiving as " << o.settings.aeTitle << " on port " << o.settings.port << " into "
            << o.outputFolder << " (Ctrl+C stops)\n"
            << std::flush;
    }
    while (!interrupt.interrupted() && (o.stopAfter <= 0 || receiver.received() < o.stopAfter))
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    receiver.stop();
    err << "received " << receiver.received() << " objects"
        << (receiver.failed() ? ", " + std::to_string(receiver.failed()) + " failed" : "") << '\n';
    return receiver.failed() == 0 ? Ok : InputsFailed;
}

} // namespace spinelens::cli
