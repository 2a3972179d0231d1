#pragma once
// spinelens-cli's command line: one declarative table of commands, arguments and typed options
// (CLI11), from which parsing, --help and the usage text come, and one place that turns every
// outcome into an exit code (cli/Commands.h: 0 done, 1 inputs failed, 2 usage, 3 internal).
#include <iosfwd>

namespace spinelens::cli {

/// Parses argv, runs the command and returns the process exit code. Never throws.
int runCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
