#pragma once
// An incremental reader of multipart/related bodies (RFC 2046), as WADO-RS sends them: bytes
// are fed as they arrive and each part's body is handed on as it comes, so an object can be
// written to disk while it is still arriving, as a plain download would (no copy of it is
// gathered in memory). Callers that want whole parts use the PartHandler form.
#include <functional>
#include <string>

namespace spinelens::net {

class MultipartReader {
public:
    /// `onPart(headers, body)` for every complete part; return false to stop.
    using PartHandler = std::function<bool(const std::string& headers, std::string& body)>;
    /// The next bytes of the current part's body (the first call for a part follows its
    /// headers); return false to stop.
    using ChunkHandler =
        std::function<bool(const std::string& headers, const char* data, std::size_t size)>;
    /// The current part's body is complete; return false to stop.
    using PartEndHandler = std::function<bool()>;

    MultipartReader(std::string boundary, PartHandler onPart);
    MultipartReader(std::string boundary, ChunkHandler onChunk, PartEndHandler onPartEnd);

    /// Feeds the next bytes; false once a handler asked to stop. Throws Error for a body
    /// that does not follow the multipart syntax.
    bool feed(const char* data, std::size_t size);
    /// True once the closing delimiter ("--boundary--") was read.
    bool finished() const { return state_ == State::Done; }
    int parts() const { return parts_; }

private:
    enum class State { Preamble, Headers, Body, Done };
    bool step();

    std::string delimiter_; ///< "--boundary"
    std::string marker_;    ///< "\r\n--boundary": where a body ends
    ChunkHandler onChunk_;
    PartEndHandler onPartEnd_;
    std::string part_;   ///< the PartHandler form gathers the body here
    std::string buffer_; ///< bytes not handed on yet (a body's last bytes could start a marker)
    std::size_t searched_ = 0; ///< bytes of buffer_ already searched for the delimiter
    std::string headers_;
    State state_ = State::Preamble;
    int parts_ = 0;
};

} // namespace spinelens::net
