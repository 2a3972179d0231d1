#pragma once
// The one exception type core throws. The UI and the CLI show what() to the user as it is,
// so messages are written for a person: what went wrong and with which file or tag.
#include <stdexcept>
#include <string>

namespace spinelens {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, std::string subject = {})
        : std::runtime_error(subject.empty() ? message : subject + ": " + message),
          subject_(std::move(subject)), reason_(message) {}

    /// The file, folder or tag the message is about (may be empty).
    const std::string& subject() const { return subject_; }
    /// The message without the subject prefix.
    const std::string& reason() const { return reason_; }

private:
    std::string subject_;
    std::string reason_;
};

} // namespace spinelens
