#pragma once
// How a run's work is split across ranks (sim/mpi/executor.cpp): contiguous ranges of whole blocks.

#include <cstdint>
#include <utility>

namespace mistakesim::mpi::detail {

//! Items [begin, end) of n that rank `rank` of `ranks` takes: the n items in blocks of `block`,
//! the blocks split into contiguous ranges in rank order, the lower ranks taking one block more
//! when they do not divide evenly (so rank 0 has items whenever there are any).
std::pair<std::uint64_t, std::uint64_t> rank_share(std::uint64_t n, std::uint64_t block, int rank, int ranks);

}  // namespace mistakesim::mpi::detail
