#include "client_log.h"

namespace telinject::server {

lsp::MessageType message_type(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
    case spdlog::level::err:
      return lsp::MessageType::kError;
    case spdlog::level::warn:
      return lsp::MessageType::kWarning;
    case spdlog::level::info:
      return lsp::MessageType::kInfo;
    default:
      return lsp::MessageType::kLog;
  }
}

}  // namespace telinject::server
