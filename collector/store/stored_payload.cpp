#include "collector/store/stored_payload.h"

#include <zstd.h>

#include <memory>

namespace regwatch::collector::store {
namespace {

constexpr char kCompressedMark = '\0';
constexpr char kCodecZstdDictionary1 = 1;
constexpr size_t kHeaderBytes = 2;
// Level 3 (zstd's default): 1 shrinks our payloads 5 % less for little speed at these sizes.
constexpr int kLevel = 3;

struct CDictFree {
  void operator()(ZSTD_CDict* dict) const { ZSTD_freeCDict(dict); }
};
struct DDictFree {
  void operator()(ZSTD_DDict* dict) const { ZSTD_freeDDict(dict); }
};
struct CCtxFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// Built once, on first use; read-only after, so every thread shares them.
const ZSTD_CDict* compression_dictionary() {
  static const std::unique_ptr<ZSTD_CDict, CDictFree> kDictionary(
      ZSTD_createCDict(payload_dictionary_1().data(), payload_dictionary_1().size(), kLevel));
  return kDictionary.get();
}

const ZSTD_DDict* decompression_dictionary() {
  static const std::unique_ptr<ZSTD_DDict, DDictFree> kDictionary(
      ZSTD_createDDict(payload_dictionary_1().data(), payload_dictionary_1().size()));
  return kDictionary.get();
}

}  // namespace

void encode_stored_payload(const regwatch::v1::Event& event, std::string& out) {
  thread_local std::string serialised;
  thread_local const std::unique_ptr<ZSTD_CCtx, CCtxFree> kContext(ZSTD_createCCtx());
  serialised.clear();
  event.SerializeToString(&serialised);
  if (kContext == nullptr || compression_dictionary() == nullptr) {
    out = serialised;
    return;
  }
  out.resize(kHeaderBytes + ZSTD_compressBound(serialised.size()));
  out[0] = kCompressedMark;
  out[1] = kCodecZstdDictionary1;
  const size_t written =
      ZSTD_compress_usingCDict(kContext.get(), out.data() + kHeaderBytes, out.size() - kHeaderBytes,
                               serialised.data(), serialised.size(), compression_dictionary());
  if (ZSTD_isError(written) != 0) {
    out = serialised;
    return;
  }
  out.resize(kHeaderBytes + written);
}

bool decode_stored_payload(std::string_view stored, regwatch::v1::Event& event) {
  if (stored.empty() || stored[0] != kCompressedMark)  // as rows were stored before
    return event.ParseFromArray(stored.data(), static_cast<int>(stored.size()));
  if (stored.size() < kHeaderBytes || stored[1] != kCodecZstdDictionary1) return false;
  const std::string_view frame = stored.substr(kHeaderBytes);
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  // Our frames always record their size; anything else is not ours.
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
      size > kMaxStoredEventBytes)
    return false;
  thread_local std::string serialised;
  thread_local const std::unique_ptr<ZSTD_DCtx, DCtxFree> kContext(ZSTD_createDCtx());
  if (kContext == nullptr || decompression_dictionary() == nullptr) return false;
  serialised.resize(static_cast<size_t>(size));
  const size_t read =
      ZSTD_decompress_usingDDict(kContext.get(), serialised.data(), serialised.size(), frame.data(),
                                 frame.size(), decompression_dictionary());
  if (ZSTD_isError(read) != 0 || read != serialised.size()) return false;
  return event.ParseFromArray(serialised.data(), static_cast<int>(serialised.size()));
}

}  // namespace regwatch::collector::store
