#include "tests/store/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn's environment

namespace regwatch::test {
namespace fs = std::filesystem;
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kGoneTimeout = std::chrono::seconds(30);
constexpr int kStartAttempts = 3;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr const char* kInstallHint =
    "install Debian's postgresql package (apt-get install postgresql)";

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

// The newest /usr/lib/postgresql/<version>/bin holding initdb, or $REGWATCH_POSTGRES_BIN.
std::optional<fs::path> find_bin() {
  if (const char* forced = std::getenv("REGWATCH_POSTGRES_BIN"); forced != nullptr) {
    if (fs::exists(fs::path(forced) / "initdb")) return fs::path(forced);
    return std::nullopt;
  }
  std::error_code ec;
  std::optional<fs::path> best;
  int best_version = -1;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    const int version = std::atoi(name.c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  return best;
}

bool running_as_root() {
  return geteuid() == 0;
}

std::string tail_of(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  constexpr size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

// Runs a command to its end, as `postgres` when we are root, its output appended to `log`.
Status run(std::vector<std::string> argv, const fs::path& log) {
  if (running_as_root()) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return make_error("spawn", argv[0] + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command;
    for (const std::string& arg : argv) command += arg + " ";
    return make_error("command_failed", command + "failed; its output:\n" + tail_of(log));
  }
  return Ok{};
}

Result<int> free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return make_error("socket", std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  // NOLINTBEGIN(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  // NOLINTEND(cppcoreguidelines-pro-type-reinterpret-cast)
  const int error = errno;
  close(fd);
  if (!ok) return make_error("socket", std::strerror(error));
  return static_cast<int>(ntohs(address.sin_port));
}

// A process is gone once it no longer exists or is a zombie nobody reaped yet (the postmaster
// and its children are not ours to wait for).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z';
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(line.substr(paren + 2));
    char state = 0;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

Status run_sql(const std::string& url, const std::string& sql) {
  const std::unique_ptr<PGconn, PgConnCloser> conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error("connect", url + ": " + PQerrorMessage(conn.get()));
  }
  const std::unique_ptr<PGresult, PgResultClearer> result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return make_error("sql", sql + ": " + PQerrorMessage(conn.get()));
  }
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::start() {
  const std::optional<fs::path> bin = find_bin();
  if (!bin) {
    // CI sets REGWATCH_REQUIRE_POSTGRES so that a missing server fails rather than skips.
    const bool required = std::getenv("REGWATCH_REQUIRE_POSTGRES") != nullptr;
    return make_error(required ? "missing" : "not_installed",
                      std::string("no PostgreSQL server: ") + kInstallHint);
  }
  std::optional<passwd> postgres_user;
  if (running_as_root()) {
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) {
      return make_error("no_postgres_user",
                        std::string("running as root needs the postgres user: ") + kInstallHint);
    }
    postgres_user = *user;
  }
  std::string root_template = (fs::temp_directory_path() / "regwatch-pg-XXXXXX").string();
  if (mkdtemp(root_template.data()) == nullptr) {
    return make_error("mkdtemp", std::strerror(errno));
  }
  auto port = free_port();
  if (!port) return port.error();
  // From here on the destructor stops what started and removes the folder.
  std::unique_ptr<PostgresServer> server(new PostgresServer(*bin, root_template, *port));
  if (postgres_user &&
      chown(server->root_.c_str(), postgres_user->pw_uid, postgres_user->pw_gid) != 0) {
    return make_error("chown", server->root_.string() + ": " + std::strerror(errno));
  }
  const fs::path log = server->root_ / "commands.log";
  // --no-sync: initdb's own files need not survive a power cut; the server's fsync stays on.
  if (auto done = run({(server->bin_ / "initdb").string(), "-D", server->data_dir().string(), "-U",
                       "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"},
                      log);
      !done) {
    return done.error();
  }
  {
    std::ofstream conf(server->data_dir() / "postgresql.conf", std::ios::app);
    conf << "\n# regwatch test server\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << server->root_.string() << "'\n"
         << "shared_buffers = 16MB\n"
         << "max_connections = 100\n";
    if (!conf) return make_error("config", "cannot write postgresql.conf");
  }
  // The port was free when we looked; another test may take it before the server binds it,
  // so a start that fails tries a new one.
  for (int attempt = 1;; ++attempt) {
    auto started = server->run_start();
    if (started) break;
    auto another = free_port();
    if (attempt == kStartAttempts || !another) return started.error();
    server->port_ = *another;
  }
  if (auto created = run_sql(server->url_for("postgres"), "CREATE DATABASE regwatch"); !created) {
    return created.error();
  }
  return server;
}

Status PostgresServer::run_start() {
  if (auto done = run({(bin_ / "pg_ctl").string(), "-D", data_dir().string(), "-l",
                       (root_ / "server.log").string(), "-o", "-p " + std::to_string(port_), "-w",
                       "-t", "60", "start"},
                      root_ / "commands.log");
      !done) {
    return make_error(done.error().code,
                      done.error().message + "\nserver log:\n" + tail_of(root_ / "server.log"));
  }
  // pg_ctl -w waited for it; this checks that it answers on the address the tests use.
  const std::string url = url_for("postgres");
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (PQping(url.c_str()) != PQPING_OK) {
    if (std::chrono::steady_clock::now() > deadline) {
      return make_error("not_ready", "PostgreSQL on port " + std::to_string(port_) +
                                         " does not answer; server log:\n" +
                                         tail_of(root_ / "server.log"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Ok{};
}

PostgresServer::~PostgresServer() {
  if (detached_) return;
  std::error_code ec;
  if (fs::exists(data_dir() / "postmaster.pid", ec)) (void)stop();
  fs::remove_all(root_, ec);
}

std::string PostgresServer::url_for(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Result<std::string> PostgresServer::create_database(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!plain) return make_error("bad_name", "database name " + name + ": a-z, 0-9 and _ only");
  if (auto done = run_sql(url_for("postgres"), "CREATE DATABASE " + name); !done) {
    return done.error();
  }
  return url_for(name);
}

Status PostgresServer::kill_postmaster() {
  std::ifstream pid_file(data_dir() / "postmaster.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) return make_error("not_running", "no postmaster.pid");
  const std::vector<pid_t> children = children_of(pid);
  if (kill(pid, SIGKILL) != 0) return make_error("kill", std::strerror(errno));
  // Its children notice that it died and exit by themselves: wait for all of them.
  const auto deadline = std::chrono::steady_clock::now() + kGoneTimeout;
  auto all_gone = [&] {
    return process_gone(pid) && std::all_of(children.begin(), children.end(),
                                            [](pid_t child) { return process_gone(child); });
  };
  while (!all_gone()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return make_error("still_running",
                        "postmaster " + std::to_string(pid) + " or its children outlived SIGKILL");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Ok{};
}

Status PostgresServer::restart() {
  // A killed postmaster can linger as a zombie until whoever inherited it reaps it, and the
  // new one would take its lock files (postmaster.pid, the socket's) for a live server's: they
  // are stale once the process is gone or a zombie.
  std::ifstream pid_file(data_dir() / "postmaster.pid");
  pid_t pid = 0;
  if (pid_file >> pid && pid > 0 && process_gone(pid)) {
    const std::string socket = ".s.PGSQL." + std::to_string(port_);
    std::error_code ec;
    fs::remove(data_dir() / "postmaster.pid", ec);
    fs::remove(root_ / (socket + ".lock"), ec);
    fs::remove(root_ / socket, ec);
  }
  return run_start();
}

Status PostgresServer::stop_detached(const fs::path& bin, const fs::path& root) {
  // The same folder layout as start()'s; the destructor of this stand-in removes the folder.
  PostgresServer server(bin, root, 0);
  return server.stop();
}

Status PostgresServer::stop() {
  return run(
      {(bin_ / "pg_ctl").string(), "-D", data_dir().string(), "-m", "immediate", "-w", "stop"},
      root_ / "commands.log");
}

}  // namespace regwatch::test
