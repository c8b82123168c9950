#pragma once
// The probe that carries out one configured checker (CheckerSpec) on the event loop: TcpProbe, HttpProbe (HTTP_GET
// and SSL_GET through the process's CurlMulti) or MiscProbe.
#include <boost/asio/io_context.hpp>
#include <memory>

#include "checkers/checker_config.h"
#include "checkers/linux/connect_options.h"
#include "checkers/linux/curl_multi.h"
#include "checkers/probe.h"

namespace tandem::check {

ConnectOptions connectOptionsOf(const ConnectSpec& spec);
boost::asio::ip::address asioAddress(const ipvs::Address& address);

std::unique_ptr<Probe> makeProbe(const CheckerSpec& spec, boost::asio::io_context& io, CurlMulti& curl);

}  // namespace tandem::check
