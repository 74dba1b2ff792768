#pragma once
// The HTTP side of `mistakesim serve` (cpp-httplib): loopback only, a random token on every request,
// Host and Origin checked against DNS rebinding, bounded request bodies, JSON in and out. The page
// is compiled into the binary (sim/serve/page.html).

#include <memory>
#include <string>

#include "serve/session.hpp"

namespace mistakesim::serve {

struct ServerOptions {
  int port = 0;                      //!< 0: any free port
  std::size_t max_body = 64 * 1024;  //!< [bytes] larger request bodies are refused (413)
  std::string token;                 //!< empty: a new random one
};

//! 32 hex digits from the system's random source.
std::string random_token();

class Server {
 public:
  Server(Session& session, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds 127.0.0.1 (std::runtime_error if the port is taken); returns the port.
  int bind();
  //! Serves until stop() (blocks).
  void listen();
  void stop();
  //! http://127.0.0.1:PORT/?token=TOKEN
  std::string url() const;
  const std::string& token() const { return options_.token; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ServerOptions options_;
  int port_ = 0;
};

//! The page (HTML, CSS and script in one file).
std::string_view page_html();

}  // namespace mistakesim::serve
