#pragma once
// A command's output files, written whole or not at all (docs/cli.md, "Outputs").
//
// Every destination is checked and given its temporary *before* the simulation starts, so a
// missing or read-only folder, a too-long name or a path that names an input of the run is refused
// in a second, not after minutes of work. The content is then streamed into the temporaries (large
// CSVs never sit in memory) and, once every one is written and flushed, each is renamed over its
// destination. Any failure, and SIGINT/SIGTERM (remove_staged_outputs_on_signal), removes the
// temporaries and leaves every destination as it was.
//
// What a destination may be:
// - a regular file or a new name: replaced atomically (rename of a temporary in the same folder);
// - a symbolic link: followed; the file it points to is replaced, the link is kept;
// - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe): written through, in place
//   (nothing to make atomic there);
// - anything else (a folder, a block device, a socket, a link to nothing): refused, exit 2;
// - a file the run reads (the study, a base study, a CSV of data): refused, exit 2.

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mistakesim {

//! A failure while writing an output that is not the user's choice of path: a full disk, an I/O
//! error. The message reads "cannot write PATH: no space left on device". Exit status 1.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFiles {
 public:
  OutputFiles();
  ~OutputFiles();  //!< removes every temporary not committed
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;

  //! Checks `path` and opens its temporary; returns its index. `option` ("--csv") names it in
  //! messages. Refuses (InputError) a path that is empty, a folder, not writable, in a missing
  //! folder, another output of this set, or one of `inputs`.
  std::size_t add(const std::filesystem::path& path, const std::string& option,
                  const std::vector<std::filesystem::path>& inputs = {});

  //! Streams output `index` into its temporary (or its device) and flushes it to disk. A write error
  //! throws OutputError (ENOSPC, EIO) naming the destination; the temporary is kept for commit().
  void write(std::size_t index, const std::function<void(std::ostream&)>& render);

  //! Renames every temporary over its destination, in order.
  void commit();

 private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
};

//! The async-signal-safe part of a SIGINT/SIGTERM handler: unlinks every temporary an OutputFiles
//! still holds, in any thread. Call it from the handler, then _exit(128 + signal).
void remove_staged_outputs_on_signal() noexcept;

//! "cannot write PATH: REASON" with the reason in lower case, as an InputError (the path is the
//! user's mistake: missing folder, permission, read-only file system, too long) or an OutputError.
[[noreturn]] void throw_write_error(const std::filesystem::path& path, int error,
                                    const std::string& option = {});

}  // namespace mistakesim
