#pragma once
// spinelens-cli anonymise: a de-identified copy of files or folders for research.
#include "out/Anonymiser.h"

#include <iosfwd>
#include <string>

namespace spinelens::cli {

struct AnonymiseCommandOptions {
    std::string input;  ///< file or folder
    std::string output; ///< file (for a file) or folder (the input's layout is kept)
    out::AnonymiseOptions profile;
};

int runAnonymise(const AnonymiseCommandOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
