#pragma once
// The dashboard's files (collector/web/static/), compiled into the collector at build time so
// it serves them on an isolated network with nothing installed beside the binary: no CDN, no
// document root to get out of step with the binary.
#include <string_view>

namespace regwatch::collector::web {

struct WebAsset {
  std::string_view path;          // "/index.html", "/js/app.js": the URL path under /
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

// The asset served at `path`, or nullptr when there is none.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace regwatch::collector::web
