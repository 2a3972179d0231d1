#pragma once
// A 7 x 13 pixel monospaced bitmap font for printable ASCII (generated from DejaVu Sans Mono
// by resources/make_bitmap_font.py), so core can label plots without Qt.

namespace spinelens::font {

inline constexpr int kGlyphWidth = 7;
inline constexpr int kGlyphHeight = 13;
extern const unsigned char kGlyphs[95][kGlyphHeight];

/// True when the pixel (x, y) of character c is inked; characters outside 32..126 are blank.
inline bool inked(char c, int x, int y) {
    const int code = static_cast<unsigned char>(c);
    if (code < 32 || code > 126 || x < 0 || x >= kGlyphWidth || y < 0 || y >= kGlyphHeight)
        return false;
    return (kGlyphs[code - 32][y] >> (kGlyphWidth - 1 - x)) & 1;
}

} // namespace spinelens::font
