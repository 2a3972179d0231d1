#pragma once
// Train/validation/test split the studies' way: seeded, stratified by class, and grouped so
// that no patient or study appears in two splits.
#include "data/Dataset.h"

#include <cstdint>
#include <vector>

namespace spinelens::train {

struct SplitFractions {
    double train = 0.8, val = 0.1, test = 0.1;
};

struct Split {
    std::vector<int> train, val, test; ///< indices into Dataset::samples
};

/// Samples that carry a split from the data set (manifest) keep it; the rest are split by
/// group: each group goes wholly to one split, groups are dealt per class (by the group's
/// majority label) in a seeded shuffle so every split gets each class in proportion.
/// Throws spinelens::Error when a split would have no sample of some class that has data
/// (too little data for the fractions), naming the class.
Split splitDataset(const data::Dataset& dataset, std::uint64_t seed,
                   const SplitFractions& fractions = {});

} // namespace spinelens::train
