#pragma once
// Command-line options shared by the commands that talk to a PACS (echo, query, retrieve,
// send, worklist pull): the server, our AE title, credentials and timeouts.
#include "cli/NetCommands.h"

#include <CLI/CLI.hpp>

namespace spinelens::cli {

/// A whole number >= `lowest`, with a short message naming the bad value.
CLI::Validator intAtLeast(int lowest);

/// Adds SERVER and its options to `command`, filling `options`.
void addServerOptions(CLI::App* command, NetOptions& options);

} // namespace spinelens::cli
