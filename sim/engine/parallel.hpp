#pragma once
// The oneTBB fork/join calls the engine and the summaries use, with the happens-before edges a
// ThreadSanitizer build cannot see otherwise.
//
// Debian's oneTBB is not built with ThreadSanitizer: a task's spawn, steal and completion are
// atomics inside libtbb, so TSan sees no edge from the code before a parallel loop to its bodies,
// nor from the bodies to the code after it, and reports our own data on both sides as races. Under
// TSan these wrappers add the edges oneTBB guarantees, and no others:
//   fork: whoever writes a task's object (the calling thread, or the thread splitting a range for
//         a thief, which copies the body) releases the object's own address; whoever reads it next
//         (the task, or a later copy) acquires that address before its first read;
//   join: every task releases the join's token as it ends (by an exception too); the calling thread
//         acquires it once the oneTBB call has returned, then frees it.
// Two tasks of one call are ordered only where oneTBB orders them (a split before the thief's
// task), so a race between iterations is still reported. An address reused by a later object (a
// stack slot, oneTBB's task pool) may keep an earlier object's edge: that edge is real too (the
// earlier object was written before its task ran, which was before its memory was reused).
// Outside TSan each wrapper is the oneTBB call itself.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#if defined(__SANITIZE_THREAD__)
#define SIM_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_THREAD_SANITIZER 1
#endif
#endif

#ifdef SIM_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>  // __tsan_acquire, __tsan_release

#include <memory>
#endif

namespace mistakesim::parallel {

#ifdef SIM_THREAD_SANITIZER
namespace detail {

//! The join of one fork: every task releases it as it ends; the calling thread acquires it when
//! the oneTBB call has returned or thrown (~Joined), then frees it.
class Joined {
 public:
  Joined() : token_(std::make_unique<char>()) {}
  Joined(const Joined&) = delete;
  Joined& operator=(const Joined&) = delete;
  ~Joined() { __tsan_acquire(token_.get()); }
  char* token() const { return token_.get(); }

 private:
  std::unique_ptr<char> token_;
};

//! Releases the join's token as a task ends, by an exception too.
struct TaskEnds {
  char* join;
  ~TaskEnds() { __tsan_release(join); }
};

//! One task of a fork: f, held by oneTBB by reference (parallel_invoke, task_arena::execute). The
//! calling thread constructs it and releases its address; a call acquires that address before it
//! reads the object.
template <class F>
class Forked {
 public:
  Forked(const F& f, const Joined& joined) : f_(f), join_(joined.token()) { __tsan_release(this); }
  Forked(const Forked&) = delete;
  Forked& operator=(const Forked&) = delete;

  void operator()() const {
    __tsan_acquire(const_cast<Forked*>(this));  // before the first read of *this
    const TaskEnds ends{join_};
    f_();
  }

 private:
  const F& f_;
  char* join_;
};

//! The body of a parallel_for over a blocked_range: f(i) for each i of a chunk. oneTBB copies it
//! into each task it splits off (in the splitting thread, before the spawn): each object's creator
//! releases its address after writing it, and whoever reads it (a chunk, or a later split's copy)
//! acquires that address first - the order oneTBB's spawn gives them, and no other.
template <class Index, class F>
class Chunks {
 public:
  Chunks(const F& f, const Joined& joined) : f_(&f), join_(joined.token()) { __tsan_release(this); }
  Chunks(const Chunks& other) : f_(acquired(other).f_), join_(other.join_) { __tsan_release(this); }
  Chunks& operator=(const Chunks&) = delete;

  void operator()(const tbb::blocked_range<Index>& range) const {
    const Chunks& self = acquired(*this);  // before the first read of *this
    const TaskEnds ends{self.join_};
    for (Index i = range.begin(); i != range.end(); ++i) (*self.f_)(i);
  }

 private:
  static const Chunks& acquired(const Chunks& body) {
    __tsan_acquire(const_cast<Chunks*>(&body));
    return body;
  }
  const F* f_;
  char* join_;
};

}  // namespace detail
#endif

//! tbb::parallel_for(first, last, f[, partitioner]): f(i) for every i in [first, last).
template <class Index, class F, class... Partitioner>
void for_each_index(Index first, Index last, const F& f, const Partitioner&... partitioner) {
#ifdef SIM_THREAD_SANITIZER
  const detail::Joined joined;
  const detail::Chunks<Index, F> body(f, joined);
  tbb::parallel_for(tbb::blocked_range<Index>(first, last), body, partitioner...);
#else
  tbb::parallel_for(first, last, f, partitioner...);
#endif
}

//! tbb::parallel_invoke(f...): every f, perhaps at once.
template <class... F>
void invoke(const F&... f) {
#ifdef SIM_THREAD_SANITIZER
  const detail::Joined joined;
  tbb::parallel_invoke(detail::Forked<F>(f, joined)...);
#else
  tbb::parallel_invoke(f...);
#endif
}

//! arena.execute(f): f in the arena (by the calling thread, or by a worker while the caller waits).
template <class F>
void execute(tbb::task_arena& arena, const F& f) {
#ifdef SIM_THREAD_SANITIZER
  const detail::Joined joined;
  const detail::Forked<F> task(f, joined);
  arena.execute(task);
#else
  arena.execute(f);
#endif
}

}  // namespace mistakesim::parallel
