#include "train/Split.h"

#include "Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace spinelens::train {

Split splitDataset(const data::Dataset& d, std::uint64_t seed, const SplitFractions& f) {
    Split out;
    // Groups without a fixed split, collected per majority class.
    std::map<std::string, std::vector<int>> members;
    for (int i = 0; i < int(d.samples.size()); ++i) {
        const data::Sample& s = d.samples[std::size_t(i)];
        if (s.split == "train")
            out.train.push_back(i);
        else if (s.split == "val")
            out.val.push_back(i);
        else if (s.split == "test")
            out.test.push_back(i);
        else
            members[s.group.empty() ? "#" + std::to_string(i) : s.group].push_back(i);
    }
    std::vector<std::vector<std::string>> groupsByClass(d.classes.size());
    for (const auto& [group, idx] : members) {
        std::vector<int> votes(d.classes.size(), 0);
        for (int i : idx)
            ++votes[std::size_t(d.samples[std::size_t(i)].label)];
        groupsByClass[std::size_t(std::max_element(votes.begin(), votes.end()) - votes.begin())]
            .push_back(group);
    }
    std::mt19937_64 rng(seed);
    for (std::size_t c = 0; c < groupsByClass.size(); ++c) {
        auto& groups = groupsByClass[c];
        std::sort(groups.begin(), groups.end()); // map order is already sorted; keep it explicit
        std::shuffle(groups.begin(), groups.end(), rng);
        const double n = double(groups.size());
        const auto nTest = std::size_t(std::lround(n * f.test));
        const auto nVal = std::size_t(std::lround(n * f.val));
        for (std::size_t g = 0; g < groups.size(); ++g) {
            std::vector<int>& target = g < nTest          ? out.test
                                       : g < nTest + nVal ? out.val
                                                          : out.train;
            for (int i : members[groups[g]])
                target.push_back(i);
        }
    }
    for (auto* part : {&out.train, &out.val, &out.test})
        std::sort(part->begin(), part->end());

    // Every class with data must reach every split that has a fraction.
    const std::vector<int> counts = d.classCounts();
    auto check = [&](const std::vector<int>& part, double fraction, const char* name) {
        if (fraction <= 0)
            return;
        std::vector<int> seen(d.classes.size(), 0);
        for (int i : part)
            ++seen[std::size_t(d.samples[std::size_t(i)].label)];
        for (std::size_t c = 0; c < d.classes.size(); ++c)
            if (counts[c] > 0 && seen[c] == 0)
                throw Error(std::string("the ") + name + " split has no sample of class \"" +
                                d.classes[c] + "\" (" + std::to_string(counts[c]) + " samples in " +
                                std::to_string(groupsByClass[c].size()) +
                                " groups are too few to split)",
                            d.root);
    };
    check(out.train, f.train, "train");
    check(out.val, f.val, "validation");
    check(out.test, f.test, "test");
    return out;
}

} // namespace spinelens::train
