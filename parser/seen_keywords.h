// SeenKeywords: where each keyword of a block was set, in the order read.
//
// Most blocks of a large configuration set one or two keywords (a real server its weight and checker, a checker
// its timeout and retries), so the first two entries live in the block itself. A vector per block made 22,000 of the
// 56,000 allocations of a lint run of the bench file (bench/README.md). A longer list moves to the heap.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>

#include "parser/diagnostics.h"

namespace tandem::config {

class SeenKeywords {
 public:
  using Entry = std::pair<std::string_view, Location>;  // the name points into a static keyword table
  static constexpr std::uint32_t kInline = 2;

  SeenKeywords() = default;
  SeenKeywords(const SeenKeywords& other) { *this = other; }
  SeenKeywords(SeenKeywords&& other) noexcept { *this = std::move(other); }
  SeenKeywords& operator=(const SeenKeywords& other) {
    if (this == &other) return *this;
    clear();
    reserve(other.size_);
    std::copy(other.begin(), other.end(), data());
    size_ = other.size_;
    return *this;
  }
  SeenKeywords& operator=(SeenKeywords&& other) noexcept {
    if (this == &other) return *this;
    clearInline();
    heap_ = std::move(other.heap_);
    capacity_ = std::exchange(other.capacity_, kInline);
    size_ = std::exchange(other.size_, 0);
    if (!heap_) std::move(other.inline_.begin(), other.inline_.begin() + size_, inline_.begin());
    other.clearInline();
    return *this;
  }

  const Entry* begin() const { return data(); }
  const Entry* end() const { return data() + size_; }
  std::reverse_iterator<const Entry*> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const Entry*> rend() const { return std::reverse_iterator(begin()); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void reserve(std::size_t wanted) {
    if (wanted <= capacity_) return;
    auto bigger = std::make_unique<Entry[]>(wanted);
    std::move(data(), data() + size_, bigger.get());
    clearInline();
    heap_ = std::move(bigger);
    capacity_ = static_cast<std::uint32_t>(wanted);
  }

  void emplace_back(std::string_view name, const Location& where) {
    if (size_ == capacity_) reserve(std::size_t{capacity_} * 2);
    Entry& entry = data()[size_++];
    entry.first = name;
    entry.second = where;
  }

  void clear() {
    heap_.reset();
    capacity_ = kInline;
    size_ = 0;
    clearInline();
  }

 private:
  Entry* data() { return heap_ ? heap_.get() : inline_.data(); }
  const Entry* data() const { return heap_ ? heap_.get() : inline_.data(); }
  // Moved-from or spilled inline entries still hold their file names' references.
  void clearInline() { inline_.fill(Entry()); }

  std::array<Entry, kInline> inline_{};
  std::unique_ptr<Entry[]> heap_;
  std::uint32_t size_ = 0, capacity_ = kInline;
};

}  // namespace tandem::config
