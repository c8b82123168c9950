#pragma once
// The Unix stream socket tandemctl talks to (see control_protocol.h), on the process's own io_context. Mode 0600:
// only root may reload. A stale socket file (a previous run killed with SIGKILL) is replaced; the file is removed
// when the server goes away.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/control_protocol.h"

namespace tandem::daemon {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const ControlRequest&)>;
  using Log = std::function<void(const std::string&)>;
  ControlServer(boost::asio::io_context& io, std::string path, Handler handler, Log log);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // False with a reason when the socket cannot be created.
  bool open(std::string& error);
  const std::string& path() const { return path_; }
  // Replies to a line: the handler's answer, or an error reply for garbage. Never throws.
  nlohmann::json answer(std::string_view line) const;

 private:
  class Session;
  void accept();

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  Log log_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  bool bound_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tandem::daemon
