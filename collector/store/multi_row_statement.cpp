#include "collector/store/multi_row_statement.h"

namespace regwatch::collector::store {

MultiRowStatement::MultiRowStatement(Dialect dialect, std::string head, int columns,
                                     std::string tail, std::vector<int> order)
    : one_row_(dialect == Dialect::kSqlite),
      head_(std::move(head)),
      tail_(std::move(tail)),
      columns_(columns),
      order_(std::move(order)) {
  if (order_.empty()) {
    for (int column = 1; column <= columns_; ++column) order_.push_back(column);
  }
}

std::vector<size_t> MultiRowStatement::chunks(size_t rows) const {
  std::vector<size_t> sizes;
  if (one_row_) return std::vector<size_t>(rows, 1);
  for (const size_t size : kChunkSizes) {
    for (; rows >= size; rows -= size) sizes.push_back(size);
  }
  return sizes;
}

std::string MultiRowStatement::sql(size_t rows) const {
  std::string text = head_;
  text.reserve(head_.size() + tail_.size() + rows * static_cast<size_t>(columns_) * 7);
  for (size_t row = 0; row < rows; ++row) {
    text += row == 0 ? " (" : ", (";
    for (size_t at = 0; at < order_.size(); ++at) {
      if (at > 0) text += ", ";
      text += '?';
      text += std::to_string(parameter(row, order_[at], columns_));
    }
    text += ')';
  }
  if (!tail_.empty()) {
    text += ' ';
    text += tail_;
  }
  return text;
}

Result<Statement*> MultiRowStatement::for_rows(Database* db, size_t rows) {
  auto found = prepared_.find(rows);
  if (found == prepared_.end()) {
    auto statement = Statement::prepare(db, sql(rows));
    if (!statement.ok()) return statement.error();
    found = prepared_.emplace(rows, std::move(statement).value()).first;
  }
  return &found->second;
}

}  // namespace regwatch::collector::store
