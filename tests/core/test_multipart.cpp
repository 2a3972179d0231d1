// The multipart/related reader WADO-RS answers go through: parts come out whole however the
// bytes are split on the way in, a body that holds the boundary's text without its CRLF is
// not cut, and a truncated or malformed answer is an error, not a silent partial.
#include "Error.h"
#include "net/Http.h"
#include "net/Multipart.h"

#include <QtTest/QtTest>

#include <random>
#include <string>
#include <vector>

using spinelens::net::MultipartReader;

namespace {

std::string body(const std::string& boundary, const std::vector<std::string>& parts) {
    std::string b = "preamble to ignore\r\n";
    for (const std::string& p : parts)
        b += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" + p + "\r\n";
    return b + "--" + boundary + "--\r\nepilogue";
}

std::vector<std::string> readInChunks(const std::string& boundary, const std::string& bytes,
                                      std::mt19937& random, bool* finished = nullptr) {
    std::vector<std::string> got;
    MultipartReader reader(boundary, [&](const std::string& headers, std::string& b) {
        if (headers.find("application/dicom") == std::string::npos)
            throw std::logic_error("headers lost");
        got.push_back(b);
        return true;
    });
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + random() % 97);
        reader.feed(bytes.data() + at, n);
        at += n;
    }
    if (finished)
        *finished = reader.finished();
    return got;
}

} // namespace

class TestMultipart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void partsSurviveAnySplit() {
        std::mt19937 random(7);
        std::vector<std::string> parts;
        for (int i = 0; i < 20; ++i) {
            std::string p(static_cast<std::size_t>(random() % 5000), '\0');
            for (char& c : p)
                c = static_cast<char>(random());
            parts.push_back(p);
        }
        parts.push_back("");                         // an empty part
        parts.push_back("--frontier in the middle"); // the boundary text without CRLF
        const std::string bytes = body("frontier", parts);
        for (int round = 0; round < 50; ++round) {
            bool finished = false;
            QCOMPARE(readInChunks("frontier", bytes, random, &finished), parts);
            QVERIFY(finished);
        }
    }

    void truncatedAnswerIsNotFinished() {
        std::mt19937 random(3);
        const std::string bytes = body("b0und", {"first", "second object"});
        bool finished = true;
        const auto got =
            readInChunks("b0und", bytes.substr(0, bytes.size() - 30), random, &finished);
        QVERIFY(!finished);
        QCOMPARE(got.size(), std::size_t(1));
    }

    void handlerCanStop() {
        int seen = 0;
        MultipartReader reader("x", [&](const std::string&, std::string&) {
            ++seen;
            return false;
        });
        const std::string bytes = body("x", {"a", "b", "c"});
        QVERIFY(!reader.feed(bytes.data(), bytes.size()));
        QCOMPARE(seen, 1);
    }

    void garbageIsAnError() {
        MultipartReader reader("never", [](const std::string&, std::string&) { return true; });
        const std::string junk(70000, 'z');
        QVERIFY_THROWS_EXCEPTION(spinelens::Error, reader.feed(junk.data(), junk.size()));
        QVERIFY_THROWS_EXCEPTION(
            spinelens::Error,
            MultipartReader("", [](const std::string&, std::string&) { return true; }));
    }

    void boundaryFromContentType() {
        using spinelens::net::headerParameter;
        QCOMPARE(headerParameter("multipart/related; type=\"application/dicom\"; "
                                 "boundary=\"abc def\"",
                                 "boundary"),
                 std::string("abc def"));
        QCOMPARE(
            headerParameter("multipart/related;boundary=xyz;type=application/dicom", "boundary"),
            std::string("xyz"));
        QCOMPARE(headerParameter("multipart/related; type=x", "boundary"), std::string());
    }
};

QTEST_GUILESS_MAIN(TestMultipart)
#include "test_multipart.moc"
