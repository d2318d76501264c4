#include "workloads/model.h"

#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/test_util.h"
#include "workloads/presets.h"

using namespace podsim::workloads;

namespace {

bool has_problem(const std::vector<FieldProblem>& ps, const std::string& field, const std::string& text) {
  for (const FieldProblem& p : ps)
    if (p.field == field && p.message.find(text) != std::string::npos) return true;
  return false;
}

ModelSpec tiny() {
  return ModelSpec{.name = "tiny", .layers = 4, .hidden = 256, .ffn = 1024, .heads = 8, .kv_heads = 2,
                   .vocab = 1000, .seq_len = 128};
}

}  // namespace

TEST_CASE("every preset is valid and found by its name") {
  for (const std::string& name : model_preset_names()) {
    CAPTURE(name);
    const auto m = model_preset(name);
    REQUIRE(m.has_value());
    CHECK(m->name == name);
    CHECK(check(*m).empty());
  }
  CHECK_FALSE(model_preset("gpt-5").has_value());
}

TEST_CASE("video presets derive their token counts from the VAE and the patch") {
  // Wan 2.1 at 720p x 81 frames: causal VAE 4x temporal -> 1 + 80/4 = 21 latent frames;
  // 8x spatial -> 90 x 160; patch 1x2x2 -> 21 x 45 x 80 = 75,600 tokens.
  const ModelSpec wan = *model_preset("wan2.1-14b");
  CHECK(wan.dit->latent_frames == 21);
  CHECK(wan.dit->latent_height == 90);
  CHECK(wan.dit->latent_width == 160);
  CHECK(wan.seq_len == 75600);
  CHECK(wan.tokens_per_sample() == 75600);  // cross-attention: text tokens are not in the sequence
  // HunyuanVideo at 720p x 129 frames: 1 + 128/4 = 33 frames x 45 x 80 = 118,800 video
  // tokens; joint attention adds its 256 text tokens to every layer's sequence.
  const ModelSpec hy = *model_preset("hunyuanvideo-13b");
  CHECK(hy.seq_len == 118800);
  CHECK(hy.tokens_per_sample() == 118800 + 256);
  // Movie Gen: TAE 8x8x8 (not causal) on 768 x 768 x 256 frames: 32 x 48 x 48 = 73,728,
  // the paper's "73K tokens".
  CHECK(model_preset("moviegen-30b")->seq_len == 73728);
  // The NeMo DFM benchmark sample (calibration.md row 90): latent 24 x 104 x 60 -> 37,440.
  DitSpec dfm{.latent_frames = 24, .latent_height = 104, .latent_width = 60};
  CHECK(dfm.video_tokens() == 37440);
}

TEST_CASE("check names each bad field") {
  ModelSpec m = tiny();
  m.hidden = 0;
  m.kv_heads = 3;
  auto ps = check(m);
  CHECK(has_problem(ps, "hidden", "must be > 0, got 0"));
  CHECK(has_problem(ps, "kv_heads", "3 does not divide heads (8)"));

  m = tiny();
  m.hidden = 250;  // 8 heads do not divide 250
  CHECK(has_problem(check(m), "heads", "does not divide hidden (250)"));
  m.head_dim = 32;  // an explicit head_dim lifts that
  CHECK(check(m).empty());

  m = tiny();
  m.moe = MoeSpec{.experts = 4, .top_k = 8, .expert_ffn = 512, .dense_layers = 4};
  ps = check(m);
  CHECK(has_problem(ps, "moe.top_k", "8 exceeds moe.experts (4)"));
  CHECK(has_problem(ps, "moe.dense_layers", "leaves no MoE layer"));

  m = tiny();
  m.vocab = 0;
  CHECK(has_problem(check(m), "vocab", "must be > 0"));
}

TEST_CASE("a DiT's sequence must match its latent grid") {
  ModelSpec wan = *model_preset("wan2.1-14b");
  wan.seq_len = 1000;
  CHECK(has_problem(check(wan), "seq_len", "differs from the DiT's video tokens 75600"));
  wan = *model_preset("wan2.1-14b");
  wan.dit->latent_height = 91;
  auto ps = check(wan);
  CHECK(has_problem(ps, "dit.latent_height", "not divisible by dit.patch_h (2)"));
}

TEST_CASE("validate throws one UserError with every problem") {
  ModelSpec m = tiny();
  m.layers = -1;
  m.seq_len = 0;
  const std::string what = podsim::testing::error_of([&] { validate(m); });
  CHECK(what.find("model tiny: layers: must be > 0, got -1") != std::string::npos);
  CHECK(what.find("model tiny: seq_len: must be > 0, got 0") != std::string::npos);
}
