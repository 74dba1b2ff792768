// cpp-httplib routes for the serve page. Every request passes the same gate first: the Host is this
// server's loopback address (a DNS-rebinding page has its own name in Host), an Origin, when the
// browser sends one, is this server's, and the token matches. Only then does a route run.

#include "serve/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <fstream>
#include <mistakesim/errors.hpp>
#include <stdexcept>

#include "serve_page.hpp"  // generated from sim/serve/page.html: kPageHtml

namespace mistakesim::serve {

std::string_view page_html() { return kPageHtml; }

std::string random_token() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char bytes[16];
  if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw std::runtime_error("cannot read /dev/urandom for the session token");
  std::string hex;
  for (const unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

namespace {

//! Compares in time independent of where the strings differ.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void no_store(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");  // the token is in the URL
  res.set_header("X-Frame-Options", "DENY");
}

void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void refuse(httplib::Response& res, int status, const std::string& why) {
  send_json(res, status, {{"error", why}});
}

}  // namespace

struct Server::Impl {
  httplib::Server http;
};

Server::Server(Session& session, ServerOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  if (options_.token.empty()) options_.token = random_token();
  httplib::Server& http = impl_->http;
  http.set_payload_max_length(options_.max_body);
  // A browser keeps connections open and each holds a worker while open: enough workers for a
  // few pages' connections, and idle ones closed soon.
  http.new_task_queue = [] { return new httplib::ThreadPool(32); };
  http.set_keep_alive_max_count(100);
  http.set_keep_alive_timeout(2);

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    no_store(res);
    const std::string port = std::to_string(port_);
    const std::string host = req.get_header_value("Host");
    if (host != "127.0.0.1:" + port && host != "localhost:" + port) {
      refuse(res, 403, "this server answers only at http://127.0.0.1:" + port);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Origin")) {
      const std::string origin = req.get_header_value("Origin");
      if (origin != "http://127.0.0.1:" + port && origin != "http://localhost:" + port) {
        refuse(res, 403, "requests from other sites are refused");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (!same_secret(req.get_param_value("token"), options_.token)) {
      refuse(res, 403, "the session token is missing or wrong: open the URL mistakesim serve printed");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "POST" && req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      refuse(res, 415, "the page sends JSON (Content-Type: application/json)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    res.set_content(std::string(kPageHtml), "text/html; charset=utf-8");
  });
  http.Get("/api/study", [&session](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, session.describe());
  });

  // A POST body parsed as the page's request; BadRequest and malformed JSON are the page's fault.
  auto json_route = [](auto handle) {
    return [handle](const httplib::Request& req, httplib::Response& res) {
      try {
        handle(nlohmann::ordered_json::parse(req.body), res);
      } catch (const nlohmann::json::exception& e) {
        refuse(res, 400, std::string("the request is not the JSON the page sends: ") + e.what());
      } catch (const BadRequest& e) {
        refuse(res, 400, e.what());
      } catch (const InputError& e) {
        refuse(res, 422, e.what());
      }
    };
  };
  http.Post("/api/run", json_route([&session](const nlohmann::ordered_json& body, httplib::Response& res) {
              const std::optional<nlohmann::ordered_json> answer = session.run(parse_edits(body));
              if (!answer)
                refuse(res, 409, "cancelled by a newer change");
              else
                send_json(res, answer->contains("errors") ? 422 : 200, *answer);
            }));
  http.Post("/api/report", json_route([&session](const nlohmann::ordered_json& body, httplib::Response& res) {
              res.set_header("Content-Disposition", "attachment; filename=\"" +
                                                        session.study_file().stem().string() +
                                                        "-what-if-report.html\"");
              res.set_content(session.report(parse_edits(body)), "text/html; charset=utf-8");
            }));
  http.Post("/api/save", json_route([&session](const nlohmann::ordered_json& body, httplib::Response& res) {
              if (!body.is_object() || !body.contains("name") || !body["name"].is_string())
                throw BadRequest("a save names the file: {\"name\": \"what-if.toml\", ...}");
              const bool overwrite = body.value("overwrite", false);
              const Session::SaveResult saved =
                  session.save(body["name"].get<std::string>(), parse_edits(body), overwrite);
              const int status = saved.status == Session::SaveStatus::saved    ? 200
                                 : saved.status == Session::SaveStatus::exists ? 409
                                                                               : 422;
              send_json(res, status, saved.body);
            }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    refuse(res, 500, "internal error: " + what);
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      no_store(res);
      res.set_content(nlohmann::ordered_json{{"error", fmt::format("HTTP {}", res.status)}}.dump(),
                      "application/json");
    }
  });
}

Server::~Server() { stop(); }

int Server::bind() {
  if (options_.port == 0) {
    port_ = impl_->http.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot listen on 127.0.0.1");
  } else {
    if (!impl_->http.bind_to_port("127.0.0.1", options_.port))
      throw InputError({}, "--port", fmt::format("cannot listen on 127.0.0.1:{} (in use?)", options_.port));
    port_ = options_.port;
  }
  return port_;
}

void Server::listen() { impl_->http.listen_after_bind(); }

void Server::stop() { impl_->http.stop(); }

std::string Server::url() const {
  return fmt::format("http://127.0.0.1:{}/?token={}", port_, options_.token);
}

}  // namespace mistakesim::serve
