#pragma once
// A fixture for tests that need root: each test runs in a private network namespace (and, when it asks, a second
// one for the far end of a veth pair), so nothing ever touches the host's interfaces. The namespaces vanish when
// the test drops its last reference to them. Everything runs on the gtest main thread: setns/unshare act on the
// calling thread only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>

namespace tandem::test {

class NetnsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = enterPrivateNamespace();
    if (!why.empty()) GTEST_SKIP() << "needs root and network namespaces: " << why;
  }

  void TearDown() override {
    if (peer_ >= 0) ::close(peer_);
    if (own_ >= 0) ::close(own_);
    if (host_ >= 0) {
      // Back to where the test started; the private namespaces die with their last socket.
      if (::setns(host_, CLONE_NEWNET) != 0) ADD_FAILURE() << "setns back to the original namespace: " << std::strerror(errno);
      ::close(host_);
    }
    peer_ = own_ = host_ = -1;
  }

  // Runs a command through the shell in the current namespace; true when it exits 0. Output is discarded.
  static bool sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

  // Its standard output, "" when it fails.
  static std::string shOutput(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char buf[512];
      while (const auto n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
      if (::pclose(pipe) != 0) out.clear();
    }
    return out;
  }

  // A veth pair `a` <-> `b`, both up, in this namespace. With a peer namespace, `b` lives there. Returns "" or why
  // it failed (the test should then skip: the kernel lacks veth, or iproute2 is missing).
  std::string addVethPair(const std::string& a, const std::string& b, bool bInPeer) {
    if (!sh("ip link add name " + a + " type veth peer name " + b)) return "cannot create a veth pair (ip link add)";
    if (bInPeer) {
      if (const auto why = makePeerNamespace(); !why.empty()) return why;
      if (!sh("ip link set " + b + " netns /proc/self/fd/" + std::to_string(peer_))) {
        return "cannot move " + b + " into the peer namespace";
      }
      bool up = false;
      inPeer([&] { up = sh("ip link set " + b + " up"); });
      if (!up) return "cannot bring " + b + " up";
    } else if (!sh("ip link set " + b + " up")) {
      return "cannot bring " + b + " up";
    }
    if (!sh("ip link set " + a + " up")) return "cannot bring " + a + " up";
    return {};
  }

  // Runs `body` inside the peer namespace (sockets it opens stay there), then comes back.
  void inPeer(const std::function<void()>& body) {
    ASSERT_GE(peer_, 0) << "no peer namespace";
    ASSERT_EQ(::setns(peer_, CLONE_NEWNET), 0) << std::strerror(errno);
    body();
    ASSERT_EQ(::setns(own_, CLONE_NEWNET), 0) << std::strerror(errno);
  }

  // Runs the loop until `done` holds or `limit` passes; the kernel's answers arrive in well under a second.
  static bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  bool hasPeer() const { return peer_ >= 0; }

 private:
  // Duplicate address detection off: link-local addresses are usable at once instead of after a second or more.
  static bool quietIpv6() {
    for (const char* which : {"all", "default"}) {
      std::ofstream out(std::string("/proc/sys/net/ipv6/conf/") + which + "/accept_dad");
      if (!(out << 0)) return false;
    }
    return true;
  }

  std::string enterPrivateNamespace() {
    if (::geteuid() != 0) return "not running as root";
    host_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host_ < 0) return std::string("open /proc/self/ns/net: ") + std::strerror(errno);
    if (::unshare(CLONE_NEWNET) != 0) {
      const std::string why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      ::close(host_);
      host_ = -1;
      return why;
    }
    own_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own_ < 0) return std::string("open own namespace: ") + std::strerror(errno);
    if (!sh("ip link set lo up")) return "iproute2's 'ip' is missing or fails";
    if (!quietIpv6()) return "cannot write IPv6 sysctls (no IPv6?)";
    return {};
  }

  std::string makePeerNamespace() {
    if (peer_ >= 0) return {};
    if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare for the peer: ") + std::strerror(errno);
    // Not close-on-exec: `ip link set ... netns /proc/self/fd/N` in a child names it by this descriptor.
    peer_ = ::open("/proc/self/ns/net", O_RDONLY);
    const bool ok = peer_ >= 0 && sh("ip link set lo up") && quietIpv6();
    if (::setns(own_, CLONE_NEWNET) != 0) return std::string("setns back from the peer: ") + std::strerror(errno);
    return ok ? std::string() : "cannot set up the peer namespace";
  }

  int host_ = -1;
  int own_ = -1;
  int peer_ = -1;
};

}  // namespace tandem::test
