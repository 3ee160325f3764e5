#include "alerts/notifiers/email/email_payload.h"

#include <algorithm>
#include <ctime>

#include "alerts/notifiers/payload_fields.h"
#include "common/record_json.h"

namespace regwatch::alerts {
namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string rfc2822(int64_t us) {
  const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return text;
}

// A MIME part's body in base64, 76 characters a line: any length of line and any UTF-8 in the
// text survive every mail server (SMTP caps lines at 998), and no line starts with a dot
// (libcurl dot-stuffs the DATA itself).
std::string base64_lines(const std::string& data) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8 |
                       static_cast<unsigned char>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) encoded += alphabet[(n >> shift) & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (i + 1 < data.size())
      n |= static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    encoded += alphabet[(n >> 18) & 63];
    encoded += alphabet[(n >> 12) & 63];
    encoded += i + 1 < data.size() ? alphabet[(n >> 6) & 63] : '=';
    encoded += '=';
  }
  std::string out;
  for (size_t at = 0; at < encoded.size(); at += 76) out += encoded.substr(at, 76) + "\r\n";
  return out;
}

// A header value on one line: no CR/LF that could start another header; RFC 2047 encoded when
// it is not plain ASCII.
std::string header_value(const std::string& text) {
  std::string flat;
  bool ascii = true;
  for (char c : text) {
    if (c == '\r' || c == '\n') {
      flat += ' ';
      continue;
    }
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    flat += c;
  }
  if (ascii) return flat;
  std::string encoded = base64_lines(flat);
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\n'), encoded.end());
  return "=?utf-8?b?" + encoded + "?=";
}

// A condition alert's mail: what it is about, since when, what it means, what to check.
EmailMessage condition_email(const Alert& alert, EmailMessage m) {
  std::string about;
  for (const auto& [name, value] : alert.labels) {
    if (name != "alertname" && name != "severity" && name != "condition")
      about += (about.empty() ? "" : ", ") + name + "=" + value;
  }
  const std::string when =
      rfc3339(alert.starts_us) + (alert.resolved ? " to " + rfc3339(alert.ends_us) : " (firing)");
  const std::string evidence = ids(alert.condition.evidence()).dump();
  m.text = annotation(alert, "summary") + "\n\nAlert:       " + label(alert, "alertname") + " (" +
           about + ")\nSince:       " + when + "\n\n" + annotation(alert, "description") +
           "\n\nCheck first: " + annotation(alert, "remediation") +
           "\n\nEvidence (event ids): " + evidence + "\nSee: " + annotation(alert, "command") +
           "\n";
  m.html = "<html><body>\n<h2>" + html_escape(annotation(alert, "summary")) + "</h2>\n<p>" +
           html_escape(label(alert, "alertname")) + " (" + html_escape(about) + "), " +
           html_escape(when) + "</p>\n<p>" + html_escape(annotation(alert, "description")) +
           "</p>\n<p><i>" + html_escape(annotation(alert, "remediation")) +
           "</i></p>\n<p>Run <code>" + html_escape(annotation(alert, "command")) +
           "</code></p>\n</body></html>\n";
  return m;
}

}  // namespace

EmailMessage email_for(const Alert& alert) {
  EmailMessage m;
  std::string severity = label(alert, "severity");
  for (auto& c : severity) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  m.subject = std::string("[regwatch] ") + (alert.resolved ? "RESOLVED" : severity) + ": " +
              annotation(alert, "summary");
  if (alert.kind == "condition") return condition_email(alert, std::move(m));
  const v1::Incident& i = alert.incident;
  const Json rendered = incident_json(i);  // its maps as the JSON shows them
  std::string text;
  text += annotation(alert, "summary") + "\n\n";
  std::string notes_html;
  for (const auto& [note, heading] :
       {std::pair{"update", "Update:    "}, {"flapping", "Flapping:  "}}) {
    if (const auto said = annotation(alert, note); !said.empty()) {
      text += heading + said + "\n";
      notes_html += "<p><b>" + html_escape(said) + "</b></p>\n";
    }
  }
  text += "Incident:  " + alert.key + " (" + label(alert, "class") + ", " +
          (alert.resolved ? "resolved" : "open") + ")\n";
  text += "When:      " + rfc3339(alert.starts_us) + " to " + rfc3339(alert.ends_us) +
          " (event time)\n";
  text += "Phones:    " + std::to_string(i.phones_size()) + " (recovered " +
          std::to_string(i.recovered()) + ")\n";
  text += "By CM:     " + rendered["phones_by_cm"].dump() + "\n";
  text += "By switch: " + rendered["phones_by_switch"].dump() + "\n";
  if (alert.resolved && !i.still_down().empty())
    text += "Still down: " + std::to_string(i.still_down_size()) +
            " phone(s) not registered again (" + annotation(alert, "command") + " lists them)\n";
  text += "\n";
  text += "Causes, most likely first:\n" + annotation(alert, "description") + "\n";
  text += "Check first: " + annotation(alert, "remediation") + "\n\n";
  const auto& causes = i.causes();
  if (!causes.empty()) text += "Evidence (event ids): " + ids(causes[0].evidence()).dump() + "\n";
  text += "Postmortem view: " + annotation(alert, "command") + "\n";
  m.text = text;
  std::string html = "<html><body>\n<h2>" + html_escape(annotation(alert, "summary")) + "</h2>\n";
  html += notes_html;
  html += "<p>Incident <code>" + html_escape(alert.key) + "</code> (" +
          html_escape(label(alert, "class")) + ", " + (alert.resolved ? "resolved" : "open") +
          "), " + html_escape(rfc3339(alert.starts_us)) + " to " +
          html_escape(rfc3339(alert.ends_us)) + "</p>\n<ol>\n";
  int rank = 0;
  for (const auto& c : causes) {
    if (++rank > 3) break;
    html += "<li><b>" + html_escape(c.kind()) + "</b> on " + html_escape(c.subject()) + ": " +
            html_escape(c.explanation()) + "<br><i>" + html_escape(c.remediation()) + "</i></li>\n";
  }
  html += "</ol>\n<p>Run <code>" + html_escape(annotation(alert, "command")) +
          "</code> for the postmortem view.</p>\n</body></html>\n";
  m.html = html;
  return m;
}

EmailMessage email_for(const std::vector<Alert>& alerts) {
  if (alerts.size() == 1) return email_for(alerts.front());
  EmailMessage m;
  size_t firing = 0;
  std::string html_parts;
  for (const Alert& alert : alerts) {
    const EmailMessage one = email_for(alert);
    firing += alert.resolved ? 0 : 1;
    m.text += (m.text.empty() ? "" : "\n----------------------------------------\n\n") + one.text;
    // Each alert's HTML body without its own html/body wrapper.
    std::string inner = one.html;
    for (const char* tag : {"<html><body>\n", "</body></html>\n"}) {
      if (const size_t at = inner.find(tag); at != std::string::npos)
        inner.erase(at, std::char_traits<char>::length(tag));
    }
    html_parts += (html_parts.empty() ? "" : "<hr>\n") + inner;
  }
  m.subject = "[regwatch] " + std::to_string(alerts.size()) + " alerts (" + std::to_string(firing) +
              " firing): " + annotation(alerts.front(), "summary") + " (+" +
              std::to_string(alerts.size() - 1) + " more)";
  m.html = "<html><body>\n" + html_parts + "</body></html>\n";
  return m;
}

std::string mime_message(const EmailMessage& message, const std::string& from,
                         const std::vector<std::string>& to, int64_t now_us,
                         const std::string& message_id) {
  const std::string boundary = "regwatch-" + message_id;
  std::string recipients;
  for (const auto& r : to) recipients += (recipients.empty() ? "" : ", ") + r;
  std::string out;
  out += "From: " + header_value(from) + "\r\n";
  out += "To: " + header_value(recipients) + "\r\n";
  out += "Subject: " + header_value(message.subject) + "\r\n";
  out += "Date: " + rfc2822(now_us) + "\r\n";
  out += "Message-ID: <" + message_id + "@regwatch>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  const std::string encoding = "Content-Transfer-Encoding: base64\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n" + encoding;
  out += base64_lines(message.text);
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\n" + encoding;
  out += base64_lines(message.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace regwatch::alerts
