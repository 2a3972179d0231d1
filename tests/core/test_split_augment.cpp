// The studies' split (seeded, stratified, grouped: no patient in two splits) and the training
// augmentations (shape and label kept, reproducible for a seed, each one switchable).
#include "Error.h"
#include "train/Augment.h"
#include "train/Split.h"

#include <QtTest>

#include <map>
#include <set>

using namespace spinelens;

namespace {
data::Dataset groupedDataset(int groups, int perGroup) {
    data::Dataset d;
    d.root = "/synthetic";
    d.classes = {"healthy", "degenerative"};
    for (int g = 0; g < groups; ++g)
        for (int k = 0; k < perGroup; ++k)
            d.samples.push_back(
                {"/synthetic/" + std::to_string(g) + "/" + std::to_string(k) + ".dcm",
                 g % 3 == 0 ? 1 : 0, "study" + std::to_string(g), ""});
    return d;
}

std::vector<float> ramp(int c, int h, int w) {
    std::vector<float> v(std::size_t(c) * h * w);
    for (int ch = 0; ch < c; ++ch)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                v[std::size_t(ch) * h * w + std::size_t(y) * w + x] =
                    float(x + 2 * y) / float(w + 2 * h);
    return v;
}
} // namespace

class SplitAugment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splitKeepsGroupsTogetherAndClassesEverywhere() {
        const data::Dataset d = groupedDataset(60, 15);
        const train::Split s = train::splitDataset(d, 42);
        QCOMPARE(int(s.train.size() + s.val.size() + s.test.size()), int(d.samples.size()));
        std::map<std::string, std::set<int>> splitsOfGroup;
        auto mark = [&](const std::vector<int>& part, int id) {
            std::set<int> classes;
            for (int i : part) {
                splitsOfGroup[d.samples[std::size_t(i)].group].insert(id);
                classes.insert(d.samples[std::size_t(i)].label);
            }
            QCOMPARE(int(classes.size()), 2);
        };
        mark(s.train, 0);
        mark(s.val, 1);
        mark(s.test, 2);
        for (const auto& [group, splits] : splitsOfGroup)
            QVERIFY2(splits.size() == 1, group.c_str());
        // 60 groups: 48 / 6 / 6 by group (per class, rounded).
        QCOMPARE(int(s.test.size()) / 15, 6);
        QCOMPARE(int(s.val.size()) / 15, 6);
        // Seeded: the same seed gives the same split, another seed another one.
        QVERIFY(train::splitDataset(d, 42).test == s.test);
        QVERIFY(train::splitDataset(d, 43).test != s.test);
    }

    void splitRespectsFixedSplits() {
        data::Dataset d = groupedDataset(30, 1);
        d.samples[0].split = "test";
        d.samples[1].split = "train";
        const train::Split s = train::splitDataset(d, 1);
        QVERIFY(std::count(s.test.begin(), s.test.end(), 0) == 1);
        QVERIFY(std::count(s.train.begin(), s.train.end(), 1) == 1);
    }

    void splitRefusesClassesTooSmallToSplit() {
        data::Dataset d = groupedDataset(30, 2);
        for (auto& s : d.samples)
            s.label = 0;
        d.samples[0].label = d.samples[1].label = 1; // one degenerative study only
        try {
            train::splitDataset(d, 1);
            QFAIL("split accepted a class with one group");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("degenerative"), e.what());
        }
    }

    void augmentationKeepsShapeAndIsReproducible() {
        const std::vector<float> original = ramp(3, 32, 40);
        std::vector<float> a = original, b = original, c = original;
        std::mt19937_64 r1(7), r2(7), r3(8);
        train::augment(a, 3, 32, 40, {}, r1);
        train::augment(b, 3, 32, 40, {}, r2);
        train::augment(c, 3, 32, 40, {}, r3);
        QCOMPARE(a.size(), original.size());
        QVERIFY(a == b);
        QVERIFY(a != c);
        QVERIFY(a != original);
        // A replicated grey input stays grey: every channel identical.
        const std::size_t plane = 32 * 40;
        QVERIFY(std::equal(a.begin(), a.begin() + plane, a.begin() + plane));
        QVERIFY(std::equal(a.begin(), a.begin() + plane, a.begin() + 2 * plane));
    }

    void augmentationsAreSwitchable() {
        train::AugmentOptions none{false, false, false, false, false, false, false, false};
        QVERIFY(!none.any());
        std::vector<float> v = ramp(1, 16, 16);
        std::mt19937_64 rng(3);
        train::augment(v, 1, 16, 16, none, rng);
        QVERIFY(v == ramp(1, 16, 16));
        // Flip alone mirrors exactly (or leaves it: a coin decides, seeded).
        train::AugmentOptions flipOnly = none;
        flipOnly.flip = true;
        bool flipped = false;
        for (std::uint64_t seed = 0; seed < 8 && !flipped; ++seed) {
            std::vector<float> f = ramp(1, 16, 16);
            std::mt19937_64 r(seed);
            train::augment(f, 1, 16, 16, flipOnly, r);
            if (f != ramp(1, 16, 16)) {
                flipped = true;
                const auto o = ramp(1, 16, 16);
                for (int y = 0; y < 16; ++y)
                    for (int x = 0; x < 16; ++x)
                        QVERIFY(std::abs(f[std::size_t(y) * 16 + x] -
                                         o[std::size_t(y) * 16 + (15 - x)]) < 1e-6f);
            }
        }
        QVERIFY(flipped);
    }
};

QTEST_GUILESS_MAIN(SplitAugment)
#include "test_split_augment.moc"
