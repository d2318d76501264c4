#include "engine/byte_order_mark.h"

#include <string>

#include "engine/check.h"

namespace podsim {

ByteOrderMark take_byte_order_mark(std::streambuf& in) {
  constexpr int kEof = std::char_traits<char>::eof();
  char head[kUtf8BomSize];
  size_t taken = 0;
  while (taken < kUtf8BomSize && in.sgetc() != kEof) head[taken++] = static_cast<char>(in.sbumpc());
  const ByteOrderMark bom = byte_order_mark({head, taken});
  if (bom == ByteOrderMark::kUtf8) return bom;
  while (taken > 0) PODSIM_CHECK(in.sputbackc(head[--taken]) != kEof, "take_byte_order_mark: cannot put back the first bytes");
  return bom;
}

}  // namespace podsim
