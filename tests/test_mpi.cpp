// MPI support in a process alone (the runs under mpirun are tests/mpi's): how work is split across
// ranks (exact), and a Session not launched by mpirun changes nothing.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <mistakesim/mpi.hpp>

#include "mpi/share.hpp"

using mistakesim::mpi::detail::rank_share;

TEST_CASE("mpi: rank shares tile the run in rank order in whole blocks", "[mpi]") {
  for (std::uint64_t n : {0u, 1u, 5u, 1023u, 1024u, 1025u, 3000u, 10'000u, 99'999u}) {
    for (std::uint64_t block : {1u, 7u, 1024u}) {
      for (int ranks = 1; ranks <= 7; ++ranks) {
        std::uint64_t next = 0, fewest = n, most = 0;  // blocks per rank (the last one may be partial)
        for (int r = 0; r < ranks; ++r) {
          const auto [begin, end] = rank_share(n, block, r, ranks);
          INFO("n " << n << " block " << block << " rank " << r << " of " << ranks << ": [" << begin << ", "
                    << end << ")");
          REQUIRE(begin == next);  // contiguous, in rank order
          REQUIRE(end >= begin);
          REQUIRE((begin % block == 0 || begin == n));  // whole blocks
          const std::uint64_t blocks = (end - begin + block - 1) / block;
          fewest = std::min(fewest, blocks);
          most = std::max(most, blocks);
          next = end;
        }
        REQUIRE(next == n);                                             // every trial, once
        if (n > 0) REQUIRE(rank_share(n, block, 0, ranks).second > 0);  // rank 0 has trials
        REQUIRE(most - fewest <= 1);                                    // balanced to a block
      }
    }
  }
}

TEST_CASE("mpi: a session not launched by mpirun is a process alone", "[mpi]") {
  // Catch runs outside mpirun unless the environment says otherwise; then this test says nothing.
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK")) return;
  int argc = 1;
  char name[] = "mistakesim";
  char* args[] = {name, nullptr};
  char** argv = args;
  mistakesim::mpi::Session session(argc, argv);
  REQUIRE_FALSE(session.distributed());
  REQUIRE(session.rank() == 0);
  REQUIRE(session.ranks() == 1);
  REQUIRE(session.executor() == nullptr);
  REQUIRE(session.writes_outputs());
  REQUIRE(session.finish(0, "") == 0);
}
