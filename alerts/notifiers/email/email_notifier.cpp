#include "alerts/notifiers/email/email_notifier.h"

#include "alerts/notifiers/delivery.h"
#include "alerts/notifiers/email/email_payload.h"
#include "alerts/notifiers/receiver_checks.h"

namespace regwatch::alerts {
namespace {

// One MIME mail (text and HTML) per group over SMTP; the password is read from its
// environment variable at each send.
class EmailNotifier final : public Notifier {
 public:
  explicit EmailNotifier(ReceiverConfig receiver) : rc_(std::move(receiver)) {}
  Status send(const Notification& n) override {
    MailEnvelope envelope{rc_.smtp_url, rc_.starttls, rc_.username, env_or_empty(rc_.password_env),
                          rc_.from,     rc_.to,       rc_.ca_file};
    return send_mail(envelope, mime_message(email_for(n.alerts), rc_.from, rc_.to, n.now_us, n.id),
                     rc_.timeout_s);
  }

 private:
  const ReceiverConfig rc_;
};

}  // namespace

NotifierType email_notifier_type() {
  NotifierType type;
  type.name = "email";
  type.check = [](const ReceiverConfig& r, const std::string& at, config::ConfigErrors& errors) {
    const auto problem = [&](const char* key, const std::string& message) {
      errors.add_at(at, message, at + "." + key);
    };
    if (!url_with(r.smtp_url, {"smtp", "smtps"}))
      problem("smtp_url",
              "smtp_url must be smtp://HOST:PORT or smtps://HOST:PORT, not '" + r.smtp_url + "'");
    if (r.from.empty()) problem("from", "email needs from");
    if (r.to.empty()) problem("to", "email needs at least one address in to");
    config::check_env_set(r.password_env, at + ".password_env", errors);
    if (!r.password_env.empty() && r.username.empty())
      problem("username", "password_env needs a username");
  };
  type.make = [](const ReceiverConfig& receiver, const AlertingConfig&) {
    return std::make_unique<EmailNotifier>(receiver);
  };
  return type;
}

}  // namespace regwatch::alerts
