#pragma once
// The unit of work an executor runs. Actors are resumables.

#include <cstddef>
#include <cstdint>

namespace troupe {

class resumable {
public:
    enum class resume_result : std::uint8_t {
        /// The job went idle; whoever gives it work next schedules it again.
        done,
        /// The job used its budget and still has work: queue it again, behind the others,
        /// so that one busy actor cannot starve the rest.
        again,
    };

    /// Runs up to `budget` units of work (messages) on the calling worker thread.
    /// Only the executor calls this, and never concurrently for one job.
    virtual resume_result resume(std::size_t budget) = 0;

    /// The executor owns one reference from schedule() until resume() returns `done`.
    virtual void add_ref() noexcept = 0;
    virtual void release() noexcept = 0;

protected:
    ~resumable() = default;
};

}  // namespace troupe
