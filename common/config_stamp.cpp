#include "common/config_stamp.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

namespace regwatch::config {
namespace {

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

Result<std::string> file_sha256_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("config_hash", "cannot read " + path);
  std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
    return make_error("config_hash", "SHA-256 is not available");
  std::array<char, 16384> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    if (EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(in.gcount())) != 1)
      return make_error("config_hash", "SHA-256 failed");
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1)
    return make_error("config_hash", "SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

ConfigStampHolder::ConfigStampHolder(metrics::Registry& registry, const std::string& metric_prefix)
    : reload_successful_(registry
                             .gauge(metric_prefix + "_config_last_reload_successful",
                                    "Whether the last configuration reload (SIGHUP) applied; 1 "
                                    "at start")
                             .with({})),
      reload_success_time_(
          registry
              .gauge(metric_prefix + "_config_last_reload_success_timestamp_seconds",
                     "When the running configuration was loaded (start or the last good reload)")
              .with({})) {
  reload_successful_.set(1);
}

ConfigStamp ConfigStampHolder::get() const {
  std::lock_guard lock(mutex_);
  return stamp_;
}

void ConfigStampHolder::loaded(std::string file, std::string sha256, int64_t now_us) {
  std::lock_guard lock(mutex_);
  const bool is_reload = stamp_.loaded_at_us != 0;
  stamp_.file = std::move(file);
  stamp_.sha256 = std::move(sha256);
  stamp_.loaded_at_us = now_us;
  if (is_reload) stamp_.reload_at_us = now_us;
  stamp_.reload_ok = true;
  stamp_.reload_error.clear();
  stamp_.needs_restart.clear();
  reload_successful_.set(1);
  reload_success_time_.set(static_cast<double>(now_us) / 1e6);
}

void ConfigStampHolder::needs_restart(std::vector<std::string> keys) {
  std::lock_guard lock(mutex_);
  stamp_.needs_restart = std::move(keys);
}

void ConfigStampHolder::reload_refused(std::string why, int64_t now_us) {
  std::lock_guard lock(mutex_);
  stamp_.reload_at_us = now_us;
  stamp_.reload_ok = false;
  stamp_.reload_error = std::move(why);
  reload_successful_.set(0);
}

}  // namespace regwatch::config
