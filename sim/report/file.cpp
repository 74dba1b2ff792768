// Output files are written whole or not at all (include/mistakesim/output_files.hpp): the content
// is streamed to a fresh temporary file in the destination's folder (same file system, so rename is
// atomic), flushed to disk, then renamed over the destination. A reader sees the old file or the
// new one, never a part; a failure or an interrupt leaves the destination untouched and no
// temporary behind. Devices and FIFOs are written through instead (nothing to replace there).

#include <mistakesim/errors.hpp>
#include <mistakesim/output_files.hpp>
#include <mistakesim/report.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <streambuf>
#include <system_error>
#include <utility>

namespace mistakesim {

namespace fs = std::filesystem;

namespace {

// The temporaries alive now, for the SIGINT/SIGTERM handler, which can reach nothing but globals:
// the one piece of global state in the program, lock-free so the handler may read it at any moment.
// A slot holds the c_str() of a temporary's name (owned by its Entry) while the file exists.
constexpr std::size_t kSignalSlots = 64;
std::array<std::atomic<const char*>, kSignalSlots> g_staged{};

std::size_t claim_slot(const char* name) {
  for (std::size_t i = 0; i < kSignalSlots; ++i) {
    const char* expected = nullptr;
    if (g_staged[i].compare_exchange_strong(expected, name)) return i;
  }
  return kSignalSlots;  // more outputs than slots: still written, only an interrupt may leave one
}

void release_slot(std::size_t slot) {
  if (slot < kSignalSlots) g_staged[slot].store(nullptr);
}

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
    case ENXIO:
      return true;
    default:
      return false;
  }
}

//! An ostream buffer over a file descriptor that remembers the first write error (errno).
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n < static_cast<std::streamsize>(buffer_.size()) && n <= epptr() - pptr()) {
      traits_type::copy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    if (!drain() || !write_all(s, static_cast<std::size_t>(n))) return 0;
    return n;
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const bool ok = write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return ok;
  }
  bool write_all(const char* data, std::size_t left) {
    if (error_ != 0) return false;
    while (left > 0) {
      const ssize_t written = ::write(fd_, data, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
    return true;
  }
  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_{};
};

//! The (device, inode) of a path, or nothing when it does not exist.
bool identity(const fs::path& path, dev_t& dev, ino_t& ino) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  dev = st.st_dev;
  ino = st.st_ino;
  return true;
}

//! Same file: the same inode, or (for names not yet created) the same absolute, normal path.
bool same_file(const fs::path& a, const fs::path& b) {
  dev_t da{}, db{};
  ino_t ia{}, ib{};
  const bool ea = identity(a, da, ia), eb = identity(b, db, ib);
  if (ea && eb) return da == db && ia == ib;
  if (ea != eb) return false;
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

[[noreturn]] void throw_write_error(const fs::path& path, int error, const std::string& option) {
  std::string reason = std::generic_category().message(error);
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  const std::string message = "cannot write " + path.string() + ": " + reason;
  if (is_user_error(error)) throw InputError(SourceLocation{}, option, message);
  throw OutputError(message);
}

struct OutputFiles::Entry {
  fs::path shown;        //!< as the user wrote it, for messages
  fs::path destination;  //!< the file written: shown, or where its symbolic link points
  std::string option;
  bool write_through = false;  //!< a device or FIFO: written in place
  std::string temporary;       //!< replace: the hidden temporary next to the destination
  int fd = -1;
  std::size_t slot = kSignalSlots;
  bool committed = false;

  ~Entry() {
    release_slot(slot);
    if (fd >= 0) ::close(fd);
    if (!committed && !temporary.empty()) ::unlink(temporary.c_str());
  }
  [[noreturn]] void refuse(const std::string& why) const {
    throw InputError(SourceLocation{}, option, "cannot write " + shown.string() + ": " + why);
  }
};

OutputFiles::OutputFiles() = default;
OutputFiles::~OutputFiles() = default;

std::size_t OutputFiles::add(const fs::path& path, const std::string& option,
                             const std::vector<fs::path>& inputs) {
  auto entry = std::make_unique<Entry>();
  entry->shown = path;
  entry->option = option;
  if (path.empty())
    throw InputError(SourceLocation{}, option, "expected a file name (or - for the standard output), got ''");
  if (!path.has_filename()) entry->refuse("it names a folder, expected a file name");

  entry->destination = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const fs::path target = fs::canonical(path, ec);  // follows every link; fails on a dangling one
    if (ec) entry->refuse("it is a symbolic link to a file that does not exist");
    entry->destination = target;
  }
  const fs::path& dest = entry->destination;
  if (::stat(dest.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) entry->refuse("it is a folder");
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      entry->write_through = true;
      if (::access(dest.c_str(), W_OK) != 0) throw_write_error(path, errno, option);
    } else if (!S_ISREG(st.st_mode)) {
      entry->refuse("it is neither a regular file nor a device or FIFO (a block device or a socket?)");
    }
  } else if (errno != ENOENT) {
    throw_write_error(path, errno, option);
  }

  for (const fs::path& input : inputs)
    if (same_file(dest, input))
      entry->refuse("it is " + input.string() + ", an input of this run; choose another name");
  for (const auto& other : entries_)
    if (same_file(dest, other->destination))
      entry->refuse("it is also the path of " + other->option + "; give each output its own file");

  if (!entry->write_through) {
    const fs::path folder = dest.has_parent_path() ? dest.parent_path() : fs::path(".");
    struct stat folder_st {};
    if (::stat(folder.c_str(), &folder_st) != 0) {
      if (errno == ENOENT) entry->refuse("the folder " + folder.string() + " does not exist");
      throw_write_error(path, errno, option);
    }
    if (!S_ISDIR(folder_st.st_mode)) entry->refuse(folder.string() + " is not a folder");
    // A name no one else uses: hidden, next to the destination, with the pid and a counter. O_EXCL
    // refuses an existing file, so two writers never share a temporary. Mode 0666 minus the umask,
    // like any file the user creates.
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; entry->fd < 0; ++attempt) {
      std::string name = ".";  // built by appending: GCC 12 warns falsely (-Wrestrict) on "." + string
      name += dest.filename().string();
      name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
      entry->temporary = (folder / name).string();
      entry->fd = ::open(entry->temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (entry->fd < 0) {
        const int error = errno;
        if (error != EEXIST || attempt > 100) {
          entry->temporary.clear();
          throw_write_error(path, error, option);
        }
      }
    }
    entry->slot = claim_slot(entry->temporary.c_str());
  }
  entries_.push_back(std::move(entry));
  return entries_.size() - 1;
}

void OutputFiles::write(std::size_t index, const std::function<void(std::ostream&)>& render) {
  Entry& e = *entries_.at(index);
  if (e.write_through) {
    e.fd = ::open(e.destination.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (e.fd < 0) throw_write_error(e.shown, errno, e.option);
  }
  FdBuffer buffer(e.fd);
  std::ostream out(&buffer);
  render(out);
  out.flush();
  if (buffer.error() != 0) throw_write_error(e.shown, buffer.error(), e.option);
  if (!out) throw OutputError("cannot write " + e.shown.string() + ": the output could not be produced");
  if (!e.write_through && ::fsync(e.fd) != 0) throw_write_error(e.shown, errno, e.option);
  const int fd = std::exchange(e.fd, -1);
  if (::close(fd) != 0) throw_write_error(e.shown, errno, e.option);
}

namespace {

//! Holds SIGINT and SIGTERM back while it lives: an interrupt between two renames would leave some
//! outputs new and some old. A signal that arrives meanwhile is delivered when it ends.
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
  }
  ~SignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t previous_{};
};

}  // namespace

void OutputFiles::commit() {
  const SignalsHeld held;  // every output renamed, or (interrupted before) none
  for (auto& e : entries_) {
    if (e->write_through) continue;
    if (::rename(e->temporary.c_str(), e->destination.c_str()) != 0)
      throw_write_error(e->shown, errno, e->option);
    e->committed = true;
    release_slot(std::exchange(e->slot, kSignalSlots));
  }
}

void remove_staged_outputs_on_signal() noexcept {
  for (auto& slot : g_staged)
    if (const char* name = slot.exchange(nullptr)) ::unlink(name);
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  write_files_atomically({{path, content}});
}

void write_files_atomically(const std::vector<std::pair<fs::path, std::string_view>>& files) {
  OutputFiles outputs;
  for (const auto& file : files) outputs.add(file.first, {});
  for (std::size_t i = 0; i < files.size(); ++i)
    outputs.write(i, [&](std::ostream& out) {
      out.write(files[i].second.data(), static_cast<std::streamsize>(files[i].second.size()));
    });
  outputs.commit();
}

}  // namespace mistakesim
