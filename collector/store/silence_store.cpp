#include "collector/store/silence_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <random>

#include "alerts/label_matcher.h"

namespace regwatch::collector::store {
namespace {

std::string new_id() {
  std::random_device random;
  std::uniform_int_distribution<uint32_t> digit(0, 15);
  std::string id;
  for (int i = 0; i < 16; ++i) id += "0123456789abcdef"[digit(random)];
  return id;
}

regwatch::v1::Silence silence_from(const Statement& row) {
  regwatch::v1::Silence s;
  s.set_id(std::string(row.column_text(0)));
  const auto matchers = nlohmann::json::parse(row.column_text(1), nullptr, false);
  if (matchers.is_object()) {  // before operators: equality
    for (const auto& [label, value] : matchers.items()) {
      if (value.is_string())
        *s.add_label_matchers() = alerts::to_proto(alerts::LabelMatcher(label, value));
    }
  } else if (matchers.is_array()) {
    for (const auto& m : matchers) {
      if (!m.is_object()) continue;
      const std::string op = m.value("type", "=");
      auto* out = s.add_label_matchers();
      out->set_name(m.value("name", ""));
      out->set_value(m.value("value", ""));
      out->set_type(op == "!="   ? regwatch::v1::LabelMatcher::NOT_EQUAL
                    : op == "=~" ? regwatch::v1::LabelMatcher::REGEX
                    : op == "!~" ? regwatch::v1::LabelMatcher::NOT_REGEX
                                 : regwatch::v1::LabelMatcher::EQUAL);
    }
  }
  s.set_starts_us(row.column_int(2));
  s.set_ends_us(row.column_int(3));
  s.set_author(std::string(row.column_text(4)));
  s.set_comment(std::string(row.column_text(5)));
  s.set_created_us(row.column_int(6));
  return s;
}

constexpr const char* kColumns = "id, matchers, starts_us, ends_us, author, comment, created_us";

}  // namespace

Result<std::unique_ptr<SilenceStore>> SilenceStore::open(const std::string& path,
                                                         int busy_timeout_ms) {
  auto db = open_database(path, false, busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<SilenceStore> store(new SilenceStore());
  store->db_ = std::move(db).value();
  return store;
}

Result<regwatch::v1::Silence> SilenceStore::create(regwatch::v1::Silence s, int64_t now_us,
                                                   const std::vector<std::string>& label_names) {
  auto matchers = alerts::matchers_of(s);
  if (!matchers.ok()) return make_error("bad_query", matchers.error().message);
  if (matchers->empty())
    return make_error("bad_query", "a silence needs at least one matcher (e.g. scope=ucm-sub1)");
  for (const auto& m : *matchers) {
    if (auto known = alerts::check_label_name(m.name(), label_names); !known.ok())
      return make_error("bad_query", m.to_string() + ": " + known.error().message);
  }
  // Alertmanager's rule: matchers that all match an alert lacking their labels would
  // silence nearly everything.
  if (std::all_of(matchers->begin(), matchers->end(),
                  [](const alerts::LabelMatcher& m) { return m.matches_empty(); }))
    return make_error("bad_query",
                      "at least one matcher must not match the empty value (every alert without "
                      "that label would be silenced)");
  if (s.comment().empty())
    return make_error("bad_query", "a silence needs a comment: why (maintenance, change number)");
  if (s.starts_us() == 0) s.set_starts_us(now_us);
  if (s.ends_us() <= s.starts_us())
    return make_error("bad_query", "a silence must end after it starts");
  if (s.ends_us() <= now_us) return make_error("bad_query", "that silence would already be over");
  s.set_id(new_id());
  s.set_created_us(now_us);
  s.clear_matchers();
  s.clear_label_matchers();
  nlohmann::json stored = nlohmann::json::array();
  for (const auto& m : *matchers) {
    stored.push_back(
        {{"name", m.name()}, {"type", alerts::operator_text(m.type())}, {"value", m.value()}});
    *s.add_label_matchers() = alerts::to_proto(m);
  }
  auto insert = Statement::prepare(db_.get(), std::string("INSERT INTO silences (") + kColumns +
                                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, s.id());
  insert->bind(2, stored.dump());
  insert->bind(3, s.starts_us());
  insert->bind(4, s.ends_us());
  insert->bind(5, s.author());
  insert->bind(6, s.comment());
  insert->bind(7, s.created_us());
  if (int rc = insert->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "storing a silence");
  return s;
}

Result<std::optional<regwatch::v1::Silence>> SilenceStore::find(const std::string& id) {
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT ") + kColumns + " FROM silences WHERE id = ?1");
  if (!select.ok()) return select.error();
  select->bind(1, id);
  const int rc = select->step();
  if (rc == kStepDone) return std::optional<regwatch::v1::Silence>();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading a silence");
  return std::optional<regwatch::v1::Silence>(silence_from(*select));
}

Result<regwatch::v1::Silence> SilenceStore::expire(const std::string& id, int64_t now_us) {
  auto found = find(id);
  if (!found.ok()) return found.error();
  if (!*found) return make_error("bad_query", "no silence '" + id + "' (regwatch silence list)");
  auto update = Statement::prepare(
      db_.get(), "UPDATE silences SET ends_us = ?2 WHERE id = ?1 AND ends_us > ?2");
  if (!update.ok()) return update.error();
  update->bind(1, id);
  update->bind(2, now_us);
  if (int rc = update->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "expiring a silence");
  auto after = find(id);
  if (!after.ok()) return after.error();
  return **after;
}

Result<std::vector<regwatch::v1::Silence>> SilenceStore::list(bool include_expired,
                                                              int64_t now_us) {
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT ") + kColumns +
                     " FROM silences WHERE ?1 <> 0 OR ends_us > ?2 ORDER BY created_us DESC, id");
  if (!select.ok()) return select.error();
  select->bind(1, int64_t{include_expired ? 1 : 0});
  select->bind(2, now_us);
  std::vector<regwatch::v1::Silence> out;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) out.push_back(silence_from(*select));
  if (rc != kStepDone) return database_error(db_.get(), rc, "listing silences");
  return out;
}

}  // namespace regwatch::collector::store
