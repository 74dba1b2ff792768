// rank_share (share.hpp): the same split on every rank, computed by each from (n, block, ranks).

#include "mpi/share.hpp"

#include <algorithm>

namespace mistakesim::mpi::detail {

std::pair<std::uint64_t, std::uint64_t> rank_share(std::uint64_t n, std::uint64_t block, int rank,
                                                   int ranks) {
  block = std::max<std::uint64_t>(block, 1);
  const std::uint64_t blocks = (n + block - 1) / block;
  const auto p = static_cast<std::uint64_t>(std::max(ranks, 1));
  const auto first_block = [&](std::uint64_t r) { return r * (blocks / p) + std::min(r, blocks % p); };
  const auto r = static_cast<std::uint64_t>(rank);
  return {std::min(n, first_block(r) * block), std::min(n, first_block(r + 1) * block)};
}

}  // namespace mistakesim::mpi::detail
