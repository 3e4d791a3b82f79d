// The HTTP remote script cache store (http(s)://host/prefix: GET and PUT per key), over
// libcurl. Its own target, telinject_remote_http, so that core links no HTTP client: the CLI
// hands open_http_store to open_remote_store (remote_cache.h).
#pragma once

#include <memory>

#include "remote_cache.h"

namespace telinject {

std::unique_ptr<RemoteStore> open_http_store(const RemoteCacheSettings& settings);

}  // namespace telinject
