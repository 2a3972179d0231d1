#include "dicom/GdcmFallback.h"

#include "Error.h"
#include "image/Luminance.h"

#include <itkGDCMImageIO.h>
#include <itkImageFileReader.h>
#include <itkVectorImage.h>

#include <gdcmTrace.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace spinelens::dicom {

namespace {

DecodedFrames decodeInProcess(const std::string& path, float* destination, std::size_t capacity) {
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        // GDCM and ITK print warnings to stderr for many harmless oddities; we report
        // failures ourselves, once, naming the file.
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
        gdcm::Trace::SetDebug(false);
        itk::Object::GlobalWarningDisplayOff();
    });
    using ImageType = itk::VectorImage<float, 3>;
    auto io = itk::GDCMImageIO::New();
    auto reader = itk::ImageFileReader<ImageType>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(
            std::string("GDCM could not decode the pixel data (") + e.GetDescription() + ")", path);
    }
    ImageType* image = reader->GetOutput();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    const unsigned components = image->GetNumberOfComponentsPerPixel();
    if (components != 1 && components != 3)
        throw Error("unsupported number of samples per pixel (" + std::to_string(components) + ")",
                    path);
    DecodedFrames out;
    out.columns = int(size[0]);
    out.rows = int(size[1]);
    out.frames = int(size[2]);
    out.decoder = "gdcm";
    const std::size_t n = std::size_t(size[0]) * size[1] * size[2];
    float* dst = destination;
    if (destination && capacity == n) {
        out.destination = destination;
    } else {
        out.pixels.resize(n);
        dst = out.pixels.data();
    }
    const float* in = image->GetBufferPointer();
    if (components == 1) {
        std::copy(in, in + n, dst);
    } else {
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = luminance(in[3 * i], in[3 * i + 1], in[3 * i + 2]);
    }
    return out;
}

// What the child process hands back, at the start of the shared mapping; pixels follow.
struct ChildReport {
    int status = -1; ///< 0 decoded, 1 GDCM refused (message), -1 never written
    int rows = 0, columns = 0, frames = 0;
    char message[512] = {};
};

} // namespace

DecodedFrames decodeWithGdcm(const std::string& path, float* destination, std::size_t capacity,
                             int rows, int columns, int frames) {
    const std::size_t n = std::size_t(rows) * std::size_t(columns) * std::size_t(frames);
    const std::size_t bytes = sizeof(ChildReport) + n * sizeof(float);
    void* shared = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        throw Error("not enough memory to decode the pixel data", path);
    struct Unmap { // every way out of here releases the mapping
        void* p;
        std::size_t n;
        ~Unmap() { munmap(p, n); }
    } unmap{shared, bytes};
    auto* report = new (shared) ChildReport();
    float* pixels = reinterpret_cast<float*>(static_cast<char*>(shared) + sizeof(ChildReport));
    // A minute, plus a second per 2 million pixels (a large multi-frame object is slow, not hung).
    const int timeoutSeconds = 60 + int(n / 2000000);
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child == 0) {
        // The child: GDCM may abort() on a damaged file; only this process goes down then,
        // without running the parent's crash handlers (sanitizers, fuzzers) on the way, and it
        // never outlives the parent or its time.
        for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
            signal(sig, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        alarm(unsigned(timeoutSeconds + 5));
        // GDCM's assertion text is not for the user: the parent reports the failure once.
        if (const int devnull = open("/dev/null", O_WRONLY); devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        if (std::getenv("SPINELENS_TEST_GDCM_CHILD_ABORT"))
            std::abort(); // tests: the isolation must hold even when GDCM does not crash today
        try {
            const DecodedFrames d = decodeInProcess(path, pixels, n);
            report->rows = d.rows;
            report->columns = d.columns;
            report->frames = d.frames;
            if (!d.destination) // another size than the header's: keep what fits, say so
                std::copy(d.pixels.begin(),
                          d.pixels.begin() + std::ptrdiff_t(std::min(n, d.pixels.size())), pixels);
            report->status = 0;
        } catch (const Error& e) {
            std::snprintf(report->message, sizeof report->message, "%s", e.reason().c_str());
            report->status = 1;
        } catch (const std::exception& e) {
            std::snprintf(report->message, sizeof report->message, "%s", e.what());
            report->status = 1;
        }
        _exit(0);
    }
    if (child < 0)
        throw Error("cannot start the process that decodes JPEG 2000", path);
    int status = 0;
    pid_t done = 0;
    for (int waited = 0;
         (done = waitpid(child, &status, WNOHANG)) == 0 || (done < 0 && errno == EINTR);) {
        if (waited >= timeoutSeconds * 200) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            throw Error("GDCM did not finish decoding the JPEG 2000 pixel data within " +
                            std::to_string(timeoutSeconds) + " s",
                        path);
        }
        usleep(5000);
        ++waited;
    }
    report->message[sizeof report->message - 1] = '\0';
    // The report is trusted only from a child that exited normally.
    if (done != child || !WIFEXITED(status) || report->status < 0) {
        const std::string how = done == child && WIFSIGNALED(status)
                                    ? std::string(" (") + strsignal(WTERMSIG(status)) + ")"
                                    : std::string();
        throw Error("GDCM failed" + how +
                        " while decoding the JPEG 2000 pixel data: the file is damaged",
                    path);
    }
    if (report->status == 1)
        throw Error(report->message, path);
    if (report->rows != rows || report->columns != columns || report->frames != frames)
        throw Error("the JPEG 2000 pixel data decodes to " + std::to_string(report->columns) +
                        " x " + std::to_string(report->rows) + " x " +
                        std::to_string(report->frames) + " pixels, not the size the header gives",
                    path);
    DecodedFrames out;
    out.rows = rows;
    out.columns = columns;
    out.frames = frames;
    out.decoder = "gdcm";
    if (destination && capacity == n) {
        std::copy(pixels, pixels + n, destination);
        out.destination = destination;
    } else {
        out.pixels.assign(pixels, pixels + n);
    }
    return out;
}

} // namespace spinelens::dicom
