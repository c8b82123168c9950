#pragma once
// Keyword tables of the health checkers (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, ...).
#include <vector>

#include "parser/model_lvs.h"
#include "parser/schema.h"

namespace tandem::config::lvs {

const Schema<Checker>& checkerSchema(CheckerType type);

// The checker block keywords a real_server accepts; all of them append to RealServer::checkers.
std::vector<Keyword<RealServer>> checkerKeywords();

}  // namespace tandem::config::lvs
