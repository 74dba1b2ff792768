#pragma once
// The oneTBB fork/join calls the engine and the summaries use, with the happens-before edges a
// ThreadSanitizer build cannot see otherwise.
//
// Debian's oneTBB is not built with ThreadSanitizer: a task's spawn, steal and completion are
// atomics inside libtbb, so TSan sees no edge from the code before a parallel loop to its bodies,
// nor from the bodies to the code after it, and reports our own data on both sides as races. Under
// TSan these wrappers add exactly the edges oneTBB guarantees, and no others:
//   fork: the calling thread releases a token owned by each task object before the call; a body
//         acquires it before it reads anything (the token is the task object's own address);
//   join: a body releases the join's token when it ends (also by an exception); the calling thread
//         acquires it once the oneTBB call has returned.
// There is no edge between two bodies of one call (they acquire only the fork's token, which only
// the calling thread releases), so a race between iterations is still reported. The tokens live on
// the heap for the length of one call: freeing them resets TSan's state for their addresses, so a
// later call cannot inherit an earlier call's edges. oneTBB holds the task objects by reference
// (parallel_for's body wrapper, parallel_invoke's invokers, task_arena::execute), so no body runs
// on a copy whose token was never released.
// Outside TSan each wrapper is the oneTBB call itself.

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
#include <tuple>
#include <utility>
#endif

namespace mistakesim::parallel {

#ifdef SIM_THREAD_SANITIZER
namespace detail {

//! The join of one fork: released by every body as it ends; Fork acquires it.
class Join {
 public:
  void task_ends() { __tsan_release(this); }

 private:
  char token_ = 0;  //!< only its address matters
};

//! One task of a fork: f, called by oneTBB by reference. Constructed by the calling thread, which
//! releases the object's address; every call acquires that address before reading the object.
template <class F>
class Forked {
 public:
  Forked(const F& f, Join& join) : f_(f), join_(join) { __tsan_release(this); }
  Forked(const Forked&) = delete;
  Forked& operator=(const Forked&) = delete;

  template <class... Args>
  void operator()(Args&&... args) const {
    __tsan_acquire(const_cast<Forked*>(this));  // before the first read of *this
    const Ends ends{join_};
    f_(std::forward<Args>(args)...);
  }

 private:
  struct Ends {
    Join& join;
    ~Ends() { join.task_ends(); }
  };
  const F& f_;
  Join& join_;
};

//! A fork of one task per f and its join, for one oneTBB call: the calling thread acquires the join
//! when the call has returned or thrown, before the tokens are freed.
template <class... F>
class Fork {
 public:
  explicit Fork(const F&... f) : join_(std::make_unique<Join>()), tasks_{std::make_unique<Forked<F>>(f, *join_)...} {}
  Fork(const Fork&) = delete;
  Fork& operator=(const Fork&) = delete;
  ~Fork() { __tsan_acquire(join_.get()); }  // before the members are freed

  //! call(task...): the oneTBB call, given the task objects in place of the f.
  template <class Call>
  void run(const Call& call) const {
    std::apply([&](const auto&... task) { call(*task...); }, tasks_);
  }

 private:
  std::unique_ptr<Join> join_;
  std::tuple<std::unique_ptr<Forked<F>>...> tasks_;
};

}  // namespace detail
#endif

//! tbb::parallel_for(first, last, f[, partitioner]): f(i) for every i in [first, last).
template <class Index, class F, class... Partitioner>
void for_each_index(Index first, Index last, const F& f, const Partitioner&... partitioner) {
#ifdef SIM_THREAD_SANITIZER
  detail::Fork<F>(f).run([&](const auto& task) { tbb::parallel_for(first, last, task, partitioner...); });
#else
  tbb::parallel_for(first, last, f, partitioner...);
#endif
}

//! tbb::parallel_invoke(f...): every f, perhaps at once.
template <class... F>
void invoke(const F&... f) {
#ifdef SIM_THREAD_SANITIZER
  detail::Fork<F...>(f...).run([](const auto&... task) { tbb::parallel_invoke(task...); });
#else
  tbb::parallel_invoke(f...);
#endif
}

//! arena.execute(f): f in the arena (by the calling thread, or by a worker while the caller waits).
template <class F>
void execute(tbb::task_arena& arena, const F& f) {
#ifdef SIM_THREAD_SANITIZER
  detail::Fork<F>(f).run([&](const auto& task) { arena.execute(task); });
#else
  arena.execute(f);
#endif
}

}  // namespace mistakesim::parallel
