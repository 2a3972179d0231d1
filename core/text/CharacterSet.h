#pragma once
// Specific Character Set (0008,0005) to UTF-8: the one place where text leaving a DICOM file
// becomes the UTF-8 that Qt, VTK, JSON and HTML expect. Follows PS3.5 6.1.2 and pydicom's
// decoder (the tests compare with it on pydicom's charset_files): single-byte sets (ISO_IR 100,
// 101, 109, 110, 126, 127, 138, 144, 148, 166, 13), UTF-8 (ISO_IR 192), GB18030 and GBK, and
// the ISO 2022 code extensions with escape sequences (Japanese IR 87 / 159 / 13, Korean IR 149,
// Chinese IR 58), which DCMTK 3.6.7's iconv path refuses. Bytes that cannot be decoded become
// U+FFFD; nothing here throws on a value.
#include <string>

namespace spinelens::text {

enum class TextKind {
    PersonName, ///< PN: '^' and '=' reset the character set, as '\' does
    Other,      ///< SH, LO, UC (multi-valued): '\', CR, LF, TAB and FF reset it
    FreeText,   ///< ST, LT, UT: '\' is an ordinary character; CR, LF, TAB and FF reset it
};

/// Decodes a value's raw bytes (as stored, padding allowed) under the file's Specific
/// Character Set value (its terms separated by '\'; empty for the default repertoire).
std::string decodeDicomText(const std::string& raw, const std::string& specificCharacterSet,
                            TextKind kind = TextKind::Other);

/// A DICOM value without its padding: trailing spaces and NULs, leading spaces (as DCMTK
/// returns numeric strings and codes).
std::string trimmed(std::string value);

/// Any bytes as valid UTF-8: valid sequences kept, every invalid byte replaced by U+FFFD.
std::string sanitizeUtf8(const std::string& bytes);

/// The longest prefix of a UTF-8 string of at most maxBytes that does not cut a character.
std::string truncateUtf8(const std::string& utf8, std::size_t maxBytes);

} // namespace spinelens::text
