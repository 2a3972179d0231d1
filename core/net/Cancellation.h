#pragma once
// Stopping a network operation from another thread, at once. A flag alone is read only when
// data arrives, so a silent server would keep a cancelled retrieve (and a window closing
// over it) waiting for the whole response timeout. Operations also register what stops
// their blocked I/O (shutting their socket down), and cancel() runs it.
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace spinelens::net {

class Cancellation {
public:
    /// While a Hook lives, cancel() runs its function (at most once, under the lock that
    /// also guards the Hook's removal, so it never runs after the Hook is gone).
    class Hook {
    public:
        Hook() = default;
        Hook(Cancellation* owner, int id) : owner_(owner), id_(id) {}
        Hook(const Hook&) = delete;
        Hook& operator=(const Hook&) = delete;
        Hook(Hook&& other) noexcept { *this = std::move(other); }
        Hook& operator=(Hook&& other) noexcept {
            release();
            owner_ = other.owner_;
            id_ = other.id_;
            other.owner_ = nullptr;
            return *this;
        }
        ~Hook() { release(); }

    private:
        void release() {
            if (owner_)
                owner_->remove(id_);
            owner_ = nullptr;
        }
        Cancellation* owner_ = nullptr;
        int id_ = 0;
    };

    void cancel() {
        std::lock_guard<std::mutex> lock(mutex_);
        cancelled_ = true;
        for (auto& [id, stop] : hooks_)
            stop();
        hooks_.clear();
    }

    bool cancelled() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return cancelled_;
    }

    /// Runs `stop` when cancel() is called; at once if it has been already.
    [[nodiscard]] Hook onCancel(std::function<void()> stop) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (cancelled_) {
            stop();
            return {};
        }
        hooks_[++next_] = std::move(stop);
        return {this, next_};
    }

private:
    void remove(int id) {
        std::lock_guard<std::mutex> lock(mutex_);
        hooks_.erase(id);
    }

    mutable std::mutex mutex_;
    bool cancelled_ = false;
    int next_ = 0;
    std::map<int, std::function<void()>> hooks_;
};

/// Whether `c` (may be null) has been cancelled.
inline bool isCancelled(const std::shared_ptr<Cancellation>& c) {
    return c && c->cancelled();
}

} // namespace spinelens::net
