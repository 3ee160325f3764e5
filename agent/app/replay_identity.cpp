#include "agent/app/replay_identity.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace regwatch::agent {
namespace {

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

std::string to_hex(const unsigned char* bytes, size_t size) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

Result<std::string> sha256_hex(const std::vector<std::string>& files, const std::string* text) {
  DigestContext context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return make_error("replay_digest", "cannot start a SHA-256 digest (OpenSSL)");
  }
  if (text && EVP_DigestUpdate(context.get(), text->data(), text->size()) != 1) {
    return make_error("replay_digest", "SHA-256 digest failed (OpenSSL)");
  }
  std::array<char, 1 << 16> buffer{};
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error("replay_unreadable", "cannot read " + file);
    while (in) {
      in.read(buffer.data(), buffer.size());
      if (in.gcount() > 0 &&
          EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(in.gcount())) != 1) {
        return make_error("replay_digest", "SHA-256 digest failed (OpenSSL)");
      }
    }
    if (in.bad()) return make_error("replay_read", "read error in " + file);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1) {
    return make_error("replay_digest", "SHA-256 digest failed (OpenSSL)");
  }
  return to_hex(digest.data(), size);
}

}  // namespace

Result<std::string> archive_digest(const std::vector<std::string>& files) {
  return sha256_hex(files, nullptr);
}

ReplayIdentity make_replay_identity(const std::string& configured_agent_id,
                                    const std::filesystem::path& configured_spool_dir,
                                    const std::string& digest_hex,
                                    const std::string& forced_agent_id) {
  ReplayIdentity identity;
  identity.from_content = forced_agent_id.empty();
  identity.agent_id = identity.from_content ? configured_agent_id + "/replay-" +
                                                  digest_hex.substr(0, kReplayDigestHexDigits)
                                            : forced_agent_id;
  // Named by a digest of the agent id: any id makes a safe directory name, and
  // distinct ids never share a spool.
  auto named = sha256_hex({}, &identity.agent_id);
  const std::string name = named.ok() ? named->substr(0, 16) : std::string("unnamed");
  identity.spool_dir = configured_spool_dir / ("replay-" + name);
  return identity;
}

Result<syslog::SocketFd> lock_replay_spool(const std::filesystem::path& spool_dir) {
  std::error_code ec;
  std::filesystem::create_directories(spool_dir.parent_path(), ec);
  // Beside the spool, not in it: the spool directory is emptied after locking.
  const std::string path = spool_dir.string() + ".lock";
  syslog::SocketFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return make_error("replay_lock", "cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return make_error("replay_busy",
                        "another replay of these files (the same replay agent id) is running: it "
                        "holds " +
                            path);
    }
    return make_error("replay_lock", "cannot lock " + path + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace regwatch::agent
