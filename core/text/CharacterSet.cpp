#include "text/CharacterSet.h"

#include <iconv.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace spinelens::text {
namespace {

constexpr char kEsc = 0x1b;
constexpr const char* kReplacement = "\xEF\xBF\xBD"; // U+FFFD
// The default repertoire is decoded as Latin-1, as pydicom does: files that leave (0008,0005)
// out and still write accented names are common.
constexpr const char* kDefault = "ISO-8859-1";

struct Term {
    const char* dicom;
    const char* iconv;
};

// Defined terms of (0008,0005) and the iconv names of their encodings. CP932 for JIS X 0201:
// it keeps 0x5C and 0x7E as '\' and '~' as pydicom's shift_jis does (glibc's SHIFT_JIS maps
// them to yen and overline).
constexpr Term kTerms[] = {
    {"", kDefault},
    {"ISO_IR 6", kDefault},
    {"ISO_IR 13", "CP932"},
    {"ISO_IR 100", "ISO-8859-1"},
    {"ISO_IR 101", "ISO-8859-2"},
    {"ISO_IR 109", "ISO-8859-3"},
    {"ISO_IR 110", "ISO-8859-4"},
    {"ISO_IR 126", "ISO-8859-7"},
    {"ISO_IR 127", "ISO-8859-6"},
    {"ISO_IR 138", "ISO-8859-8"},
    {"ISO_IR 144", "ISO-8859-5"},
    {"ISO_IR 148", "ISO-8859-9"},
    {"ISO_IR 166", "TIS-620"},
    {"ISO 2022 IR 6", kDefault},
    {"ISO 2022 IR 13", "CP932"},
    {"ISO 2022 IR 87", "ISO-2022-JP"},
    {"ISO 2022 IR 100", "ISO-8859-1"},
    {"ISO 2022 IR 101", "ISO-8859-2"},
    {"ISO 2022 IR 109", "ISO-8859-3"},
    {"ISO 2022 IR 110", "ISO-8859-4"},
    {"ISO 2022 IR 126", "ISO-8859-7"},
    {"ISO 2022 IR 127", "ISO-8859-6"},
    {"ISO 2022 IR 138", "ISO-8859-8"},
    {"ISO 2022 IR 144", "ISO-8859-5"},
    {"ISO 2022 IR 148", "ISO-8859-9"},
    {"ISO 2022 IR 149", "EUC-KR"},
    {"ISO 2022 IR 159", "ISO-2022-JP-2"},
    {"ISO 2022 IR 166", "TIS-620"},
    {"ISO 2022 IR 58", "EUC-CN"},
    {"ISO_IR 192", "UTF-8"},
    {"GB18030", "GB18030"},
    {"GBK", "GBK"},
    {"ISO 2022 GBK", "GBK"},
    {"ISO 2022 58", "GB2312"},
};

// Escape sequences of the code extensions and the encoding each switches to. For the
// ISO-2022-JP ones iconv reads the escape itself; for the others it is stripped.
struct Escape {
    const char* bytes;
    const char* iconv;
    bool keep; ///< hand the escape sequence to iconv
};
constexpr Escape kEscapes[] = {
    {"\x1b(B", kDefault, false},     {"\x1b-A", "ISO-8859-1", false},
    {"\x1b)I", "CP932", false},      {"\x1b(J", "CP932", false},
    {"\x1b$B", "ISO-2022-JP", true}, {"\x1b-B", "ISO-8859-2", false},
    {"\x1b-C", "ISO-8859-3", false}, {"\x1b-D", "ISO-8859-4", false},
    {"\x1b-F", "ISO-8859-7", false}, {"\x1b-G", "ISO-8859-6", false},
    {"\x1b-H", "ISO-8859-8", false}, {"\x1b-L", "ISO-8859-5", false},
    {"\x1b-M", "ISO-8859-9", false}, {"\x1b-T", "TIS-620", false},
    {"\x1b$)C", "EUC-KR", false},    {"\x1b$(D", "ISO-2022-JP-2", true},
    {"\x1b$)A", "EUC-CN", false},
};

// Common misspellings of the defined terms, corrected as pydicom does: "ISO IR 192" or
// "ISO-IR 100" for "ISO_IR ...", "ISO_2022_IR_87" for "ISO 2022 IR 87".
std::string corrected(std::string term) {
    if (term.size() > 6 && term.compare(0, 3, "ISO") == 0 && term[3] != '_' &&
        term.compare(4, 2, "IR") == 0)
        return "ISO_IR" + term.substr(6);
    if (term.size() > 12 && term.compare(0, 3, "ISO") == 0 && term.compare(4, 4, "2022") == 0 &&
        term.compare(9, 2, "IR") == 0)
        return "ISO 2022 IR" + term.substr(11);
    return term;
}

std::vector<std::string> encodingsOf(const std::string& specificCharacterSet) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = specificCharacterSet.find('\\', start);
        const std::string term = corrected(trimmed(specificCharacterSet.substr(
            start, slash == std::string::npos ? std::string::npos : slash - start)));
        const char* found = nullptr;
        for (const Term& t : kTerms)
            if (term == t.dicom)
                found = t.iconv;
        // An unknown term decodes as the default repertoire (pydicom warns and does the same).
        out.push_back(found ? found : kDefault);
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return out;
}

// iconv from `encoding` to UTF-8; an invalid or truncated sequence costs one byte and
// becomes U+FFFD.
std::string convert(const std::string& bytes, const char* encoding) {
    if (bytes.empty())
        return {};
    if (std::strcmp(encoding, "UTF-8") == 0)
        return sanitizeUtf8(bytes);
    // Plain ASCII reads the same in every set here (CP932 keeps '\\' and '~'): no iconv.
    bool ascii = true;
    for (char c : bytes)
        ascii = ascii && static_cast<unsigned char>(c) < 0x80 && c != kEsc;
    if (ascii && std::strncmp(encoding, "ISO-2022", 8) != 0)
        return bytes;
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == iconv_t(-1))
        return sanitizeUtf8(bytes);
    std::string out;
    std::vector<char> buffer(bytes.size() * 4 + 16);
    char* in = const_cast<char*>(bytes.data());
    std::size_t inLeft = bytes.size();
    while (inLeft > 0) {
        char* o = buffer.data();
        std::size_t outLeft = buffer.size();
        const std::size_t r = iconv(cd, &in, &inLeft, &o, &outLeft);
        out.append(buffer.data(), std::size_t(o - buffer.data()));
        if (r == std::size_t(-1)) {
            if (errno == E2BIG)
                continue;
            out += kReplacement; // EILSEQ or EINVAL
            ++in;
            --inLeft;
            iconv(cd, nullptr, nullptr, nullptr, nullptr); // back to the initial state
        }
    }
    iconv_close(cd);
    return out;
}

bool isDelimiter(char c, TextKind kind) {
    if (c == '\\')
        return kind != TextKind::FreeText;
    if (kind == TextKind::PersonName)
        return c == '^' || c == '=';
    return c == '\r' || c == '\n' || c == '\t' || c == '\f';
}

} // namespace

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    std::size_t start = 0;
    while (start < s.size() && s[start] == ' ')
        ++start;
    return s.substr(start);
}

std::string sanitizeUtf8(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        int len = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
        bool ok = len > 0 && i + std::size_t(len) <= n;
        for (int k = 1; ok && k < len; ++k)
            ok = (p[i + std::size_t(k)] & 0xC0) == 0x80;
        if (ok && len > 1) {
            // No overlong forms, surrogates or values past U+10FFFF.
            const unsigned v =
                len == 2   ? ((c & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu)
                : len == 3 ? ((c & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu)
                           : ((c & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12) |
                                 ((p[i + 2] & 0x3Fu) << 6) | (p[i + 3] & 0x3Fu);
            ok = (len == 2 && v >= 0x80) ||
                 (len == 3 && v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) ||
                 (len == 4 && v >= 0x10000 && v <= 0x10FFFF);
        }
        if (ok) {
            out.append(s, i, std::size_t(len));
            i += std::size_t(len);
        } else {
            out += kReplacement;
            ++i;
        }
    }
    return out;
}

std::string truncateUtf8(const std::string& s, std::size_t maxBytes) {
    if (s.size() <= maxBytes)
        return s;
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
        --end;
    return s.substr(0, end);
}

namespace {

// A person name's trailing empty component groups ("Wang^XiaoDong=王^小東=") carry nothing;
// they are dropped from each value, as pydicom and DCMTK's formatter do.
std::string withoutEmptyTrailingGroups(const std::string& names) {
    std::string out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = names.find('\\', start);
        std::string one =
            names.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        while (!one.empty() && one.back() == '=')
            one.pop_back();
        out += one;
        if (slash == std::string::npos)
            return out;
        out += '\\';
        start = slash + 1;
    }
}

std::string decodeRaw(const std::string& raw, const std::vector<std::string>& encodings,
                      TextKind kind);

} // namespace

std::string decodeDicomText(const std::string& raw, const std::string& specificCharacterSet,
                            TextKind kind) {
    const std::string decoded = decodeRaw(raw, encodingsOf(specificCharacterSet), kind);
    return kind == TextKind::PersonName ? withoutEmptyTrailingGroups(decoded) : decoded;
}

namespace {

std::string decodeRaw(const std::string& raw, const std::vector<std::string>& encodings,
                      TextKind kind) {
    const std::string& first = encodings.front();
    if (raw.find(kEsc) == std::string::npos)
        return convert(raw, first.c_str());
    // Split before every escape; each fragment is decoded in the set its escape selects, up to
    // its first delimiter, after which the first set applies again (PS3.5 6.1.2.5.3).
    std::string out;
    std::size_t start = 0;
    while (start < raw.size()) {
        std::size_t next = raw.find(kEsc, start + 1);
        if (next == std::string::npos)
            next = raw.size();
        const std::string fragment = raw.substr(start, next - start);
        start = next;
        if (fragment[0] != kEsc) {
            out += convert(fragment, first.c_str());
            continue;
        }
        const Escape* escape = nullptr;
        for (const Escape& e : kEscapes)
            if (fragment.compare(0, std::strlen(e.bytes), e.bytes) == 0)
                escape = &e;
        if (!escape) {
            out += kReplacement; // an escape sequence we do not know: lose the ESC byte only
            out += convert(fragment.substr(1), first.c_str());
            continue;
        }
        if (escape->keep) {
            // JIS X 0208 / 0212 runs are two bytes a character: each pair is decoded with the
            // escape in front, so a bad pair costs one U+FFFD and never shifts the rest.
            const std::size_t length = std::strlen(escape->bytes);
            for (std::size_t i = length; i < fragment.size(); i += 2) {
                const std::string pair = fragment.substr(i, 2);
                const std::string one = convert(escape->bytes + pair, escape->iconv);
                out += pair.size() == 2 && one.find(kReplacement) == std::string::npos
                           ? one
                           : std::string(kReplacement);
            }
            continue;
        }
        const std::string body = fragment.substr(std::strlen(escape->bytes));
        std::size_t cut = 0;
        while (cut < body.size() && !isDelimiter(body[cut], kind))
            ++cut;
        out += convert(body.substr(0, cut), escape->iconv);
        out += convert(body.substr(cut), first.c_str());
    }
    return out;
}

} // namespace

} // namespace spinelens::text
