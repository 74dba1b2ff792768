// Output files are written whole or not at all (DESIGN.md section 6): the content goes to a fresh
// temporary file in the destination's folder (same file system, so rename is atomic), is flushed
// to disk, then renamed over the destination. A reader sees the old file or the new one, never a
// part; a failure leaves the destination untouched and no temporary behind.

#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>
#include <stdexcept>
#include <system_error>

namespace mistakesim {

namespace {

//! Errors that come from the path the user chose: exit status 2, not a runtime failure.
bool is_user_error(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
  const std::string message = "cannot write " + path.string() + ": " + std::generic_category().message(error);
  if (is_user_error(error)) throw InputError(SourceLocation{}, "", message);
  throw std::runtime_error(message);
}

//! Closes and removes the temporary unless released (after the rename).
class TemporaryFile {
 public:
  TemporaryFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  //! Closes the descriptor; returns 0 or an errno value.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }
  void release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

namespace {

//! Writes content to a fresh temporary next to path, flushed and closed; the temporary is removed
//! if anything fails, or when the returned object goes away without release().
std::unique_ptr<TemporaryFile> stage(const std::filesystem::path& path, std::string_view content,
                                     std::string& temporary) {
  if (path.empty() || !path.has_filename()) fail(path, EISDIR);
  const std::filesystem::path folder = path.parent_path();

  // A name no one else uses: hidden, next to the destination, with the pid and a counter. O_EXCL
  // refuses an existing file, so two writers never share a temporary. Mode 0666 minus the umask,
  // like any file the user creates.
  static std::atomic<unsigned> counter{0};
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    std::string name = ".";  // built by appending: GCC 12 warns falsely (-Wrestrict) on "." + string
    name += path.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    temporary = (folder / name).string();
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt > 100)) fail(path, errno);
  }
  auto file = std::make_unique<TemporaryFile>(fd, temporary);

  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(file->fd(), data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(path, errno);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fsync(file->fd()) != 0) fail(path, errno);
  if (const int error = file->close(); error != 0) fail(path, error);
  return file;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  write_files_atomically({{path, content}});
}

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string_view>>& files) {
  // Every temporary is written in full before any destination is touched: a full disk or a
  // refused folder leaves all destinations as they were.
  std::vector<std::unique_ptr<TemporaryFile>> staged;
  std::vector<std::string> temporaries(files.size());
  for (std::size_t i = 0; i < files.size(); ++i)
    staged.push_back(stage(files[i].first, files[i].second, temporaries[i]));
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (::rename(temporaries[i].c_str(), files[i].first.c_str()) != 0) fail(files[i].first, errno);
    staged[i]->release();
  }
}

}  // namespace mistakesim
