#pragma once
// One run across several processes with MPI (docs/scale.md).
//
// Launched by mpirun (or srun), every process - a rank - runs the same command on the same study.
// Each computes a contiguous share of every run's trials and the shares are gathered, so every rank
// holds the same TrialResults as one process alone and computes the same statistics from them; the
// figures, and where a precision run stops, are the same for any number of ranks and threads. Rank
// 0 alone writes the outputs and prints; the other ranks' stdout and stderr are silenced.
//
// A rank that fails must neither leave the others waiting nor let rank 0 write outputs. The ranks
// therefore meet at one kind of collective step, an agreement: after computing each share (before
// gathering it), before rank 0 writes, and when a rank's command ends, failed or not. A rank that
// failed meets the others at whichever agreement they are waiting in; all of them then learn which
// rank failed and why, rank 0 prints it, no output is written and every rank exits with the
// failure's status. Ranks take the same path through a command (same study, same gathered
// results), so they reach the same agreements in the same order.
//
// This header needs no MPI headers; without MPI (MISTAKESIM_MPI=OFF), or when the program was not
// launched by mpirun, a Session is a process alone and nothing changes.

#include <memory>
#include <stdexcept>
#include <string>

namespace mistakesim {

class TrialExecutor;

namespace mpi {

//! A failure every rank has agreed on: rank `rank` of `ranks` failed with exit status `status`.
class RankFailure : public std::runtime_error {
 public:
  RankFailure(int failed_rank, int rank_count, int exit_status, const std::string& message)
      : std::runtime_error(message), rank(failed_rank), ranks(rank_count), status(exit_status) {}
  int rank;    //!< the lowest rank that failed
  int ranks;   //!< ranks in the job
  int status;  //!< its exit status
};

//! This process's part in a run: alone, or one rank of an MPI job. One per process, made by main
//! before anything else (it starts MPI) and destroyed last (it ends MPI).
class Session {
 public:
  //! Starts MPI when the environment says mpirun or srun launched this process; otherwise nothing.
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool distributed() const;  //!< launched by mpirun (even as a single rank)
  int rank() const;          //!< 0 alone
  int ranks() const;         //!< 1 alone
  //! The executor that splits runs across the ranks (RunOptions::executor); null alone.
  const TrialExecutor* executor() const;
  //! Whether this process writes the outputs and prints them: true alone and on rank 0. Under MPI
  //! an agreement (collective, every rank calls it): throws RankFailure if a rank has failed.
  bool writes_outputs();
  //! Ends the command: `error` is the message of a failure (status != 0), empty on success. Alone,
  //! prints it and returns status. Under MPI an agreement (collective): rank 0 prints the first
  //! failed rank's message, naming the rank unless every rank failed alike, and every rank returns
  //! its status.
  int finish(int status, const std::string& error);

  struct Impl;  //!< sim/mpi/session.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpi
}  // namespace mistakesim
