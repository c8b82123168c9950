#pragma once
// A model block open for reading statement by statement, whatever its type: what the streaming reader holds for
// each '{' it has met and not yet closed.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "parser/syntax_tree.h"

namespace tandem::config {

struct BuildContext;
class BlockTable;

// A block read as its lines arrive cannot be counted before it is filled, so its vectors would grow by moving what
// they hold (a real server is 552 bytes) and end up to half empty. The blocks of one file tend to look alike (the
// real servers of one virtual server and of the next), so what the last block of a kind held sizes the next one.
// At worst a block gets room for as many as the one before it: never twice the memory the file needs.
class SizeHints {
 public:
  enum class Count { Statements, Blocks };

  std::size_t& of(const void* kind, Count what) {
    // Kinds are keyword tables, objects far larger than two bytes: the low bit is free for `what`.
    const std::uintptr_t key = reinterpret_cast<std::uintptr_t>(kind) | static_cast<std::uintptr_t>(what);
    std::size_t slot = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kSlotBits));
    for (std::size_t probe = 0; probe < hints_.size(); ++probe, slot = (slot + 1) % hints_.size()) {
      Hint& h = hints_[slot];
      if (h.key == key) return h.last;
      if (h.key == 0) {
        h.key = key;
        return h.last;
      }
    }
    return spare_;  // more kinds than slots: any size is a correct hint, only a worse one
  }

 private:
  // Keys: a Statements key per keyword table a block is read with, a Blocks key per vector of named blocks; some
  // forty in all, so the table stays at most a third full.
  static constexpr int kSlotBits = 7;
  struct Hint {
    std::uintptr_t key = 0;
    std::size_t last = 0;
  };
  std::array<Hint, std::size_t{1} << kSlotBits> hints_{};
  std::size_t spare_ = 0;
};

// A block whose statements are read as their lines arrive: the keyword table of its type and the model block it
// fills. `close` runs after its last statement (a virtual server with a bad header is dropped there, a good one
// checked).
class OpenBlock {
 public:
  // `target` is a block of the type `table` reads; openBlock() in schema.h makes sure of it.
  OpenBlock(const BlockTable& table, void* target, std::function<void(BuildContext&)> close = {})
      : table_(&table), target_(target), close_(std::move(close)) {}

  // Reads one statement of the block (one without a block, or one whose block was read whole).
  void statement(const Node& n, BuildContext& ctx) const;
  // The block that `header` opens inside this one, when it can be read statement by statement.
  std::optional<OpenBlock> open(const Node& header, BuildContext& ctx) const;
  // Before its first statement and after its last.
  void begin(BuildContext& ctx) const;
  void end(BuildContext& ctx) const;

 private:
  const BlockTable* table_;
  void* target_;  // of the type table_ reads
  std::function<void(BuildContext&)> close_;
};

// Implemented by Schema<T>, which casts the target back to its T.
class BlockTable {
 public:
  virtual void readStatementOf(void* target, const Node& n, BuildContext& ctx) const = 0;
  virtual std::optional<OpenBlock> openBlockOf(void* target, const Node& header, BuildContext& ctx) const = 0;
  virtual void beginBlockOf(void* target, BuildContext& ctx) const = 0;
  virtual void endBlockOf(void* target, BuildContext& ctx) const = 0;

 protected:
  BlockTable() = default;
  BlockTable(const BlockTable&) = default;
  BlockTable& operator=(const BlockTable&) = default;
  ~BlockTable() = default;
};

inline void OpenBlock::statement(const Node& n, BuildContext& ctx) const { table_->readStatementOf(target_, n, ctx); }

inline std::optional<OpenBlock> OpenBlock::open(const Node& header, BuildContext& ctx) const {
  return table_->openBlockOf(target_, header, ctx);
}

inline void OpenBlock::begin(BuildContext& ctx) const { table_->beginBlockOf(target_, ctx); }

inline void OpenBlock::end(BuildContext& ctx) const {
  table_->endBlockOf(target_, ctx);
  if (close_) close_(ctx);  // last: it may drop the target
}

}  // namespace tandem::config
