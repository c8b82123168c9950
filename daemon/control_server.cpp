#include "daemon/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace tandem::daemon {

using boost::asio::local::stream_protocol;

// One client connection: reads lines, answers each, until the client closes or sends too much.
class ControlServer::Session : public std::enable_shared_from_this<ControlServer::Session> {
 public:
  Session(stream_protocol::socket socket, const ControlServer& server, std::weak_ptr<bool> alive)
      : socket_(std::move(socket)), server_(server), alive_(std::move(alive)), buffer_(kMaxRequestBytes + 1) {}

  void readLine() {
    boost::asio::async_read_until(
        socket_, buffer_, '\n', [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (!self->alive_.lock()) return;
          if (ec == boost::asio::error::not_found) {
            self->reply(errorReply("request longer than " + std::to_string(kMaxRequestBytes) + " bytes"), false);
            return;
          }
          if (ec) return;  // closed by the client
          std::string line(boost::asio::buffers_begin(self->buffer_.data()),
                           boost::asio::buffers_begin(self->buffer_.data()) + static_cast<std::ptrdiff_t>(n));
          self->buffer_.consume(n);
          self->reply(self->server_.answer(line), true);
        });
  }

 private:
  void reply(const nlohmann::json& message, bool more) {
    out_ = encodeLine(message);
    boost::asio::async_write(socket_, boost::asio::buffer(out_),
                             [self = shared_from_this(), more](const boost::system::error_code& ec, std::size_t) {
                               if (!ec && more && self->alive_.lock()) self->readLine();
                             });
  }

  stream_protocol::socket socket_;
  const ControlServer& server_;
  std::weak_ptr<bool> alive_;
  boost::asio::streambuf buffer_;
  std::string out_;
};

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler, Log log)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), log_(std::move(log)), acceptor_(io) {}

ControlServer::~ControlServer() {
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  if (bound_) unlink(path_.c_str());
}

bool ControlServer::open(std::string& error) {
  struct stat st{};
  if (lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path_.c_str());
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  // The socket is created with the umask: 0600 from the start, not chmod'ed after a window.
  const mode_t previous = umask(0177);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  umask(previous);
  if (!ec) bound_ = true;
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot open control socket " + path_ + ": " + ec.message();
    return false;
  }
  accept();
  return true;
}

nlohmann::json ControlServer::answer(std::string_view line) const {
  const ParsedRequest parsed = parseControlRequest(line);
  if (!parsed.request) return errorReply(parsed.error);
  try {
    return handler_(*parsed.request);
  } catch (const std::exception& e) {
    return errorReply(std::string("internal error: ") + e.what());
  }
}

void ControlServer::accept() {
  acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec,
                                                                      stream_protocol::socket socket) {
    if (!alive.lock()) return;
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      log_("control socket: " + ec.message());
    } else {
      std::make_shared<Session>(std::move(socket), *this, alive)->readLine();
    }
    accept();
  });
}

}  // namespace tandem::daemon
