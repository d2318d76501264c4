#pragma once
// What a text file's first bytes say about its encoding, for every reader of text files
// (scenarios, CSV traces, node lists). Windows editors and Excel's "CSV UTF-8" start a
// UTF-8 file with EF BB BF, which is not part of the text; Windows' "Unicode" is UTF-16
// (FF FE or FE FF first), which podsim's readers do not read and must say so.
#include <cstddef>
#include <streambuf>
#include <string_view>

namespace podsim {

enum class ByteOrderMark { kNone, kUtf8, kUtf16 };

constexpr size_t kUtf8BomSize = 3;

// `head`: the file's first bytes (fewer than three is fine).
constexpr ByteOrderMark byte_order_mark(std::string_view head) {
  if (head.starts_with("\xef\xbb\xbf")) return ByteOrderMark::kUtf8;
  if (head.starts_with("\xff\xfe") || head.starts_with("\xfe\xff")) return ByteOrderMark::kUtf16;
  return ByteOrderMark::kNone;
}

// Reads what the first bytes of `in` say, for a reader that streams (the CSV reader, the
// SWF reader): a UTF-8 mark is consumed, anything else is put back as it was, so the
// reader starts at the text. REQUIRES: nothing has been read from `in` yet.
ByteOrderMark take_byte_order_mark(std::streambuf& in);

}  // namespace podsim
