// telinject.clearCache and telinject.cacheStats: the script cache of the command's folder.
#include "commands/commands.h"
#include "script_cache.h"

namespace telinject::server {

using nlohmann::json;
using protocol::ErrorCode;

void clear_cache_command(CommandHost&, CommandCall call, protocol::Reply<json> reply) {
  if (!call.folder.cache) {
    reply.error(ErrorCode::kRequestFailed, "no script cache is configured");
    return;
  }
  auto cleared = call.folder.cache->clear();
  if (cleared.ok())
    reply(json{{"cleared", true}});
  else
    reply.error(ErrorCode::kRequestFailed, cleared.error());
}

void cache_stats_command(CommandHost& host, CommandCall call, protocol::Reply<json> reply) {
  if (!call.folder.cache) {
    reply.error(ErrorCode::kRequestFailed, "no script cache is configured");
    return;
  }
  auto stats = call.folder.cache->stats();
  if (!stats.ok()) {
    reply.error(ErrorCode::kRequestFailed, stats.error());
    return;
  }
  json out = cache_stats_json(call.folder.cache->directory(), *stats);
  out["llm"] = host.llm_usage();  // calls and cost since the server started
  reply(out);
}

}  // namespace telinject::server
