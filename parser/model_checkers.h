#pragma once
// Keyword tables of virtual_server, real_server and the health checkers (TCP_CHECK, HTTP_GET, ...).
#include <vector>

#include "parser/model_lvs.h"
#include "parser/schema.h"

namespace tandem::config::lvs {

const Schema<Checker>& checkerSchema(CheckerType type);
const Schema<HttpUrl>& urlSchema();
const Schema<RealServer>& realServerSchema();
const Schema<VirtualServer>& virtualServerSchema();

// The checker block keywords a real_server accepts; all of them append to RealServer::checkers.
std::vector<Keyword<RealServer>> checkerKeywords();

}  // namespace tandem::config::lvs
