// spinelens-cli: the command table (core/cli/CommandLine.cpp) does the rest.
#include "cli/CommandLine.h"
#include "util/Allocator.h"

#include <iostream>

int main(int argc, char** argv) {
    spinelens::keepFreedMemoryForReuse(); // before any thread starts
    return spinelens::cli::runCommandLine(argc, argv, std::cout, std::cerr);
}
