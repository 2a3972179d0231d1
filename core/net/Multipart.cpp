#include "net/Multipart.h"

#include "Error.h"

namespace spinelens::net {

MultipartReader::MultipartReader(std::string boundary, ChunkHandler onChunk,
                                 PartEndHandler onPartEnd)
    : delimiter_("--" + std::move(boundary)), marker_("\r\n" + delimiter_),
      onChunk_(std::move(onChunk)), onPartEnd_(std::move(onPartEnd)) {
    if (delimiter_.size() <= 2 || delimiter_.size() > 72)
        throw Error("the multipart response has no usable boundary", "Content-Type");
}

MultipartReader::MultipartReader(std::string boundary, PartHandler onPart)
    : MultipartReader(
          std::move(boundary),
          [this](const std::string&, const char* data, std::size_t size) {
              part_.append(data, size);
              return true;
          },
          [this, onPart = std::move(onPart)] {
              const bool go = onPart(headers_, part_);
              part_.clear();
              return go;
          }) {}

bool MultipartReader::feed(const char* data, std::size_t size) {
    if (state_ == State::Done)
        return true; // the epilogue is ignored
    buffer_.append(data, size);
    while (true) {
        const State before = state_;
        const std::size_t length = buffer_.size();
        if (!step())
            return false;
        if (state_ == State::Done || (state_ == before && buffer_.size() == length))
            return true;
    }
}

// One move of the state machine on what is buffered; leaves the buffer as it is when more
// bytes are needed.
bool MultipartReader::step() {
    switch (state_) {
    case State::Preamble: {
        const std::size_t at = buffer_.find(delimiter_);
        if (at == std::string::npos) {
            if (buffer_.size() > 65536)
                throw Error("no multipart boundary in the first 64 KiB", "WADO-RS response");
            return true;
        }
        const std::size_t lineEnd = buffer_.find("\r\n", at);
        if (lineEnd == std::string::npos)
            return true;
        if (buffer_.compare(at + delimiter_.size(), 2, "--") == 0) {
            state_ = State::Done;
            return true;
        }
        buffer_.erase(0, lineEnd + 2);
        state_ = State::Headers;
        return true;
    }
    case State::Headers: {
        const std::size_t end = buffer_.find("\r\n\r\n");
        if (buffer_.rfind("\r\n", 0) == 0) { // a part without headers
            headers_.clear();
            buffer_.erase(0, 2);
            state_ = State::Body;
            searched_ = 0;
            return true;
        }
        if (end == std::string::npos) {
            if (buffer_.size() > 65536)
                throw Error("a part's headers run past 64 KiB", "WADO-RS response");
            return true;
        }
        headers_ = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        state_ = State::Body;
        searched_ = 0;
        return true;
    }
    case State::Body: {
        const std::size_t from = searched_ >= marker_.size() ? searched_ - marker_.size() + 1 : 0;
        const std::size_t at = buffer_.find(marker_, from);
        if (at == std::string::npos) {
            // Everything but a tail that could be the start of the marker goes on now.
            if (buffer_.size() < marker_.size())
                return true;
            const std::size_t safe = buffer_.size() - (marker_.size() - 1);
            if (!onChunk_(headers_, buffer_.data(), safe))
                return false;
            buffer_.erase(0, safe);
            searched_ = buffer_.size();
            return true;
        }
        const std::size_t after = at + marker_.size();
        if (buffer_.size() < after + 2)
            return true; // need to see whether it is the closing delimiter
        if (at > 0 && !onChunk_(headers_, buffer_.data(), at))
            return false;
        const bool closing = buffer_.compare(after, 2, "--") == 0;
        const std::size_t lineEnd = buffer_.find("\r\n", after);
        if (closing) {
            buffer_.clear();
            state_ = State::Done;
        } else if (lineEnd == std::string::npos) {
            buffer_ = delimiter_ + buffer_.substr(after); // the delimiter line ends later
            state_ = State::Preamble;
        } else {
            buffer_.erase(0, lineEnd + 2);
            state_ = State::Headers;
        }
        ++parts_;
        return onPartEnd_();
    }
    case State::Done:
        return true;
    }
    return true;
}

} // namespace spinelens::net
