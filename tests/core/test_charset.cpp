// Text in every character set: for every file in pydicom's data/charset_files, each Person Name
// we show (tag browser rows, top level and inside sequences with their own Specific Character
// Set) and the patient name both header readers give (series tree, corner text, CLI JSON)
// equal pydicom's decoded values (tests/reference/charset_reference.py). Bytes that cannot be
// decoded become U+FFFD, never an exception; the result is always valid UTF-8.
#include "Error.h"
#include "dicom/DicomHeader.h"
#include "dicom/TagDump.h"
#include "text/CharacterSet.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace spinelens;
using nlohmann::json;

namespace {

json reference() {
    std::ifstream in(qEnvironmentVariable("SPINELENS_CHARSET_REF").toStdString());
    if (!in)
        throw std::runtime_error("no reference: run charset_reference.py (CTest fixture)");
    return json::parse(in);
}

bool validUtf8(const std::string& s) {
    return text::sanitizeUtf8(s) == s;
}

} // namespace

class TestCharset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void personNamesEqualPydicom() {
        const json ref = reference();
        QCOMPARE(int(ref.size()), 17); // every file of pydicom's charset_files
        int names = 0;
        for (const json& file : ref) {
            const std::string path = file.at("path");
            std::vector<std::string> ours;
            for (const dicom::TagRow& row : dicom::dumpTags(path))
                if (row.vr == "PN" && !row.value.empty())
                    ours.push_back(row.value);
            const auto expected = file.at("personNames").get<std::vector<std::string>>();
            QVERIFY2(ours == expected, (path + ": ours [" +
                                        [&] {
                                            std::string s;
                                            for (const auto& n : ours)
                                                s += n + " | ";
                                            return s;
                                        }() +
                                        "]")
                                           .c_str());
            names += int(expected.size());
        }
        QVERIFY(names >= 35);
    }

    void bothHeaderReadersGiveThePatientName() {
        const json ref = reference();
        int checked = 0;
        for (const json& file : ref) {
            const std::string path = file.at("path");
            const std::string expected = file.at("patientName");
            for (const bool fast : {true, false}) {
                try {
                    const dicom::FileHeader h =
                        fast ? dicom::readHeader(path) : dicom::readHeaderWithDcmtk(path);
                    QVERIFY2(h.series.patientName == expected,
                             (path + (fast ? " (fast)" : " (DCMTK)") + ": " + h.series.patientName +
                              " vs " + expected)
                                 .c_str());
                    ++checked;
                } catch (const Error& e) {
                    QFAIL(e.what()); // every file of the set has a readable header
                }
            }
        }
        QCOMPARE(checked, 34);
    }

    void undecodableBytesBecomeReplacementCharacters() {
        // Latin-1 bytes declared as UTF-8, a truncated sequence, an unknown escape, a broken
        // ISO 2022 JIS run, an unknown term: valid UTF-8 out, U+FFFD where bytes were lost.
        const std::string replacement = "\xEF\xBF\xBD";
        const std::string a = text::decodeDicomText("J\xE9r\xF4me", "ISO_IR 192");
        QCOMPARE(a, "J" + replacement + "r" + replacement + "me");
        QCOMPARE(text::decodeDicomText("ab\xE6\x9D", "ISO_IR 192"),
                 "ab" + replacement + replacement);
        const std::string b = text::decodeDicomText("x\x1b%Zy", "ISO 2022 IR 6\\ISO 2022 IR 87");
        QVERIFY(validUtf8(b) && b.find(replacement) != std::string::npos);
        // A bad JIS pair between two good ones (山, 鳥): one U+FFFD, the neighbours intact.
        const std::string c = text::decodeDicomText("\x1b$B\x3b\x33\x7f\x21\x44\x3b\x1b(B^z",
                                                    "\\ISO 2022 IR 87", text::TextKind::PersonName);
        QCOMPARE(c, "\xE5\xB1\xB1" + replacement + "\xE9\xB3\xA5^z");
        QCOMPARE(text::decodeDicomText("M\xC3\xBCller", "ISO IR 192"),
                 std::string("M\xC3\xBCller"));
        QCOMPARE(text::decodeDicomText("a\\b", "ISO_IR 100", text::TextKind::FreeText),
                 std::string("a\\b"));
        QCOMPARE(text::decodeDicomText("Jos\xE9", "NO SUCH SET"), std::string("Jos\xC3\xA9"));
        QCOMPARE(text::decodeDicomText("M\xFCller", ""), std::string("M\xC3\xBCller"));
        for (int seed = 0; seed < 2000; ++seed) {
            std::string junk;
            unsigned state = unsigned(seed) * 2654435761u + 1;
            for (int k = 0; k < 24; ++k)
                junk += char((state = state * 1103515245u + 12345u) >> 23);
            for (const char* set : {"ISO_IR 192", "GB18030", "\\ISO 2022 IR 149",
                                    "ISO 2022 IR 13\\ISO 2022 IR 87", "ISO_IR 100"})
                QVERIFY(validUtf8(text::decodeDicomText(junk, set, text::TextKind::PersonName)));
        }
        QCOMPARE(text::truncateUtf8("\xC3\xA9\xC3\xA9", 3), std::string("\xC3\xA9"));
    }
};

QTEST_GUILESS_MAIN(TestCharset)
#include "test_charset.moc"
