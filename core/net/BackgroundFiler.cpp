#include "net/BackgroundFiler.h"

#include "Error.h"

#include <cstdio>
#include <fstream>

namespace spinelens::net {
namespace {

// About a hundred 512 x 512 slices; one object larger than this is still taken when the
// queue is empty.
constexpr std::size_t kMaxQueuedBytes = 64u << 20;

} // namespace

BackgroundFiler::BackgroundFiler(const StoreFolder& store)
    : store_(store), thread_([this] { run(); }) {}

BackgroundFiler::~BackgroundFiler() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        queue_.clear();
    }
    changed_.notify_all();
    thread_.join();
}

void BackgroundFiler::throwIfBroken() {
    if (!broken_.empty())
        throw Error(broken_, brokenWhere_);
}

void BackgroundFiler::add(std::string object) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] {
        return !broken_.empty() || queue_.empty() ||
               queuedBytes_ + object.size() <= kMaxQueuedBytes;
    });
    throwIfBroken();
    queuedBytes_ += object.size();
    queue_.push_back(std::move(object));
    lock.unlock();
    changed_.notify_all();
}

std::vector<BackgroundFiler::Filed> BackgroundFiler::take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Filed> out;
    out.swap(filed_);
    return out;
}

std::vector<std::string> BackgroundFiler::takeSpares() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    out.swap(spares_);
    return out;
}

void BackgroundFiler::finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !broken_.empty() || (queue_.empty() && !busy_); });
    throwIfBroken();
}

void BackgroundFiler::run() {
    while (true) {
        std::string object;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (stop_)
                return;
            object = std::move(queue_.front());
            queue_.pop_front();
            queuedBytes_ -= object.size();
            busy_ = true;
        }
        changed_.notify_all(); // room in the queue
        Filed filed;
        std::string failedWrite;
        const std::string temporary = store_.temporaryPath("object");
        {
            std::ofstream file(temporary, std::ios::binary);
            file.write(object.data(), static_cast<std::streamsize>(object.size()));
            file.close();
            if (!file) {
                std::remove(temporary.c_str());
                failedWrite = "could not store here: cannot write the received object (disk "
                              "full or not writable?)";
            }
        }
        if (failedWrite.empty()) {
            try {
                filed.object = store_.commit(temporary);
                filed.ok = true;
            } catch (const Error& e) {
                filed.problem = e.reason();
            }
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            busy_ = false;
            if (!failedWrite.empty()) {
                broken_ = failedWrite;
                brokenWhere_ = temporary;
                queue_.clear();
                queuedBytes_ = 0;
            } else {
                filed_.push_back(std::move(filed));
            }
            if (spares_.size() < 4)
                spares_.push_back(std::move(object));
        }
        changed_.notify_all();
    }
}

} // namespace spinelens::net
