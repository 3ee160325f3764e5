#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/clock.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace regwatch {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v";

// "2026-12-06T13:48:02.123Z".
std::string utc_timestamp(std::chrono::system_clock::time_point time) {
  return format_rfc3339_ms(
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count());
}

// Appends text escaped for inside double quotes: \" \\ \n \r \t, other control characters as
// \u00XX, UTF-8 kept as it is and invalid bytes as U+FFFD, so a line of binary garbage from a
// device still yields valid JSON (and logfmt a Go strconv.Unquote accepts).
void append_quoted_body(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const size_t n = utf8_sequence_length(text, i)) {
        out.append(text.substr(i, n));
        i += n;
      } else {
        out.append("\\ufffd");
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out.append(escaped);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  append_quoted_body(out, text);
  out.push_back('"');
}

// logfmt leaves a value bare unless it is empty or holds a space, '=', '"', a control character
// or non-ASCII (go-logfmt's rule).
void append_logfmt_value(std::string& out, std::string_view value) {
  bool bare = !value.empty();
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '=' || c == '"' || c >= 0x7F) bare = false;
  }
  if (bare) {
    out.append(value);
  } else {
    append_quoted(out, value);
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  const auto name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

// The shared sink's formatter for everything but text outside the journal (that one is
// spdlog's pattern formatter, which keeps the terminal's colours).
class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(LogFormat format, bool to_journal) : format_(format), to_journal_(to_journal) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string line = render_log_line(
        {msg.time, msg.level, std::string_view(msg.logger_name.data(), msg.logger_name.size()),
         std::string_view(msg.payload.data(), msg.payload.size())},
        format_, to_journal_);
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_, to_journal_);
  }

 private:
  LogFormat format_;
  bool to_journal_;
};

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
  const bool to_journal = is_journal_stream(STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
  if (format == LogFormat::kText && !to_journal) {
    return std::make_unique<spdlog::pattern_formatter>(kTextPattern,
                                                       spdlog::pattern_time_type::utc);
  }
  return std::make_unique<LineFormatter>(format, to_journal);
}

// The one stderr sink every component logger writes through.
std::shared_ptr<spdlog::sinks::sink> shared_sink() {
  static std::shared_ptr<spdlog::sinks::sink> sink = [] {
    auto created = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    created->set_formatter(make_formatter(LogFormat::kText));
    return created;
  }();
  return sink;
}

}  // namespace

std::shared_ptr<spdlog::logger> component_logger(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink());
  logger->set_level(spdlog::get_level());
  // register_logger, not initialize_logger: the latter would put the registry's own formatter
  // on the shared sink.
  spdlog::register_logger(logger);
  return logger;
}

bool is_log_level(const std::string& level) {
  return spdlog::level::from_str(level) != spdlog::level::off || level == "off";
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return true;
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  if (name == "logfmt") return LogFormat::kLogfmt;
  return std::nullopt;
}

void set_log_format(LogFormat format) {
  shared_sink()->set_formatter(make_formatter(format));
}

bool is_journal_stream(int fd, const char* journal_stream) {
  if (journal_stream == nullptr) return false;
  uintmax_t device = 0, inode = 0;
  int consumed = 0;
  if (std::sscanf(journal_stream, "%" SCNuMAX ":%" SCNuMAX "%n", &device, &inode, &consumed) != 2 ||
      journal_stream[consumed] != '\0')
    return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<uintmax_t>(st.st_dev) == device && static_cast<uintmax_t>(st.st_ino) == inode;
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

std::string render_log_line(const LogLine& line, LogFormat format, bool to_journal) {
  std::string out;
  out.reserve(line.message.size() + 64);
  if (to_journal) out.append("<").append(std::to_string(syslog_priority(line.level))).append(">");
  switch (format) {
    case LogFormat::kText: {
      // The journal stamps each line itself; elsewhere today's timestamp leads.
      if (!to_journal) out.append(utc_timestamp(line.time)).append(" ");
      std::string level(level_name(line.level));
      if (level.size() < 5) level.resize(5, ' ');
      out.append(level).append(" [").append(line.logger).append("] ").append(line.message);
      break;
    }
    case LogFormat::kJson:
      out.append("{\"ts\":\"").append(utc_timestamp(line.time)).append("\",\"level\":\"");
      out.append(level_name(line.level)).append("\",\"logger\":");
      append_quoted(out, line.logger);
      out.append(",\"msg\":");
      append_quoted(out, line.message);
      out.append("}");
      break;
    case LogFormat::kLogfmt:
      out.append("ts=").append(utc_timestamp(line.time));
      out.append(" level=").append(level_name(line.level));
      out.append(" logger=");
      append_logfmt_value(out, line.logger);
      // msg always quoted: a shipper's parser then needs no guessing where it ends.
      out.append(" msg=");
      append_quoted(out, line.message);
      break;
  }
  return out;
}

bool RateLimitedLog::allow(uint64_t& suppressed) {
  const int64_t now = SystemClock::instance().now_us();
  int64_t start = window_start_us_.load();
  if (now - start >= interval_us_ && window_start_us_.compare_exchange_strong(start, now)) {
    in_window_.store(0);
  }
  if (in_window_.fetch_add(1) < per_interval_) {
    suppressed = suppressed_.exchange(0);
    return true;
  }
  suppressed_.fetch_add(1);
  return false;
}

}  // namespace regwatch
