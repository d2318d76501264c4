#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace podsim::cli {

bool wants_progress(bool quiet) { return !quiet && isatty(STDERR_FILENO) == 1; }

std::string format_wait(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

std::string progress_text(std::string_view label, double done, double total, std::string_view unit,
                          double elapsed_s) {
  const double fraction = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 0.0;
  std::string text = fmt::format("{}: {:.0f}/{:.0f} {} ({:.0f}%)", label, done, total, unit, 100 * fraction);
  // Time left at the pace so far: only once some work is done.
  if (done > 0 && done < total && elapsed_s > 0)
    text += fmt::format(", about {} left", format_wait(elapsed_s * (total - done) / done));
  return text;
}

Progress::Progress(std::ostream& err, bool enabled, std::string label, std::string unit)
    : err_(err), enabled_(enabled), label_(std::move(label)), unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (!drawn_) return;
  err_ << "\r\x1b[K" << std::flush;  // erase the line: what follows starts clean
  drawn_ = false;
}

void Progress::update(double done, double total) {
  if (!enabled_) return;
  if (done >= total) {
    finish();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (drawn_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  draw(progress_text(label_, done, total, unit_, std::chrono::duration<double>(now - start_).count()));
}

void Progress::show(std::string_view text) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (drawn_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  draw(fmt::format("{}: {}", label_, text));
}

bool Progress::due() {
  if (!enabled_) return false;
  std::lock_guard lock(mu_);
  return !drawn_ || std::chrono::steady_clock::now() - last_ >= std::chrono::milliseconds(200);
}

void Progress::draw(const std::string& text) {
  err_ << "\r\x1b[K" << text << std::flush;
  drawn_ = true;
}

}  // namespace podsim::cli
