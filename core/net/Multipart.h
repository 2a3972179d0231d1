#pragma once
// An incremental reader of multipart/related bodies (RFC 2046), as WADO-RS sends them: bytes
// are fed as they arrive and each part is handed over as soon as its closing delimiter is
// seen, so the first object of a series is on disk while the rest are still coming.
#include <functional>
#include <string>
#include <vector>

namespace spinelens::net {

class MultipartReader {
public:
    /// `onPart(headers, body)` for every complete part; return false to stop.
    using PartHandler = std::function<bool(const std::string& headers, std::string& body)>;

    MultipartReader(std::string boundary, PartHandler onPart);

    /// Feeds the next bytes; false once the handler asked to stop. Throws Error for a body
    /// that does not follow the multipart syntax.
    bool feed(const char* data, std::size_t size);
    /// True once the closing delimiter ("--boundary--") was read.
    bool finished() const { return state_ == State::Done; }
    int parts() const { return parts_; }
    /// Hands back a body's storage once the handler is done with it: the next parts are read
    /// into it instead of into newly allocated (and newly page-faulted) memory.
    void recycle(std::string storage);

private:
    enum class State { Preamble, Headers, Body, Done };
    bool step();

    std::string delimiter_; ///< "--boundary"
    PartHandler onPart_;
    std::string buffer_;
    std::vector<std::string> spares_; ///< recycled storage, emptied, capacity kept
    std::size_t searched_ = 0;        ///< bytes of buffer_ already searched for the delimiter
    std::string headers_;
    State state_ = State::Preamble;
    int parts_ = 0;
};

} // namespace spinelens::net
