#pragma once
// `spinelens-cli worklist --db FILE ACTION ...`: the clinicians' worklist headless (add and
// triage, list, decide, history, export, threshold from a run, verify the audit chain).
#include <functional>
#include <iosfwd>

namespace CLI {
class App;
}

namespace spinelens::cli {

/// Declares the worklist command and its actions on `worklist`; the chosen action is stored
/// in `run`.
void declareWorklist(CLI::App& worklist, std::function<int()>& run, std::ostream& out,
                     std::ostream& err);

} // namespace spinelens::cli
