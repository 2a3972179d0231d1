#pragma once
// Ctrl+C (and SIGTERM, how service managers and test harnesses stop a program) for commands
// that run long: while an InterruptGuard lives, the signal sets a flag the command polls, so
// it can finish the file in hand and say what it did instead of dying mid-write.
#include <atomic>
#include <csignal>

namespace spinelens::cli {

inline std::atomic<bool>& interruptFlag() {
    static std::atomic<bool> flag{false};
    return flag;
}

extern "C" inline void spinelensOnInterrupt(int) {
    interruptFlag().store(true);
}

class InterruptGuard {
public:
    explicit InterruptGuard(bool alsoTerminate = false) : terminate_(alsoTerminate) {
        interruptFlag().store(false);
        previousInt_ = std::signal(SIGINT, spinelensOnInterrupt);
        if (terminate_)
            previousTerm_ = std::signal(SIGTERM, spinelensOnInterrupt);
    }
    ~InterruptGuard() {
        std::signal(SIGINT, previousInt_);
        if (terminate_)
            std::signal(SIGTERM, previousTerm_);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    bool interrupted() const { return interruptFlag().load(); }
    const std::atomic<bool>* flag() const { return &interruptFlag(); }

private:
    bool terminate_;
    void (*previousInt_)(int) = SIG_DFL;
    void (*previousTerm_)(int) = SIG_DFL;
};

} // namespace spinelens::cli
