// `patchnas space`: look into a search space. `sample` prints random archs of the space,
// `info` summarises its choices and genome layout, `decode` and `encode` convert between
// genome strings and archs.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "space/arch_json.hpp"
#include "space/genome.hpp"
#include "space/space_json.hpp"
#include "tools/commands.hpp"

namespace patchnas::cli {
namespace {

struct SpaceArgs {
  std::string space_file;
  std::uint64_t seed = 0;
  int count = 1;
  std::string genome;
  std::string arch_file;
};

// One arch prints as one arch document; several as a JSON array of them.
void run_sample(const SpaceArgs& args) {
  const SearchSpace space = read_space_file(args.space_file);
  Rng rng(args.seed);
  if (args.count == 1) {
    std::cout << arch_to_json_text(sample_arch(space, rng));
    return;
  }
  std::string text = "[\n";
  for (int i = 0; i < args.count; ++i) {
    std::string doc = arch_to_json_text(sample_arch(space, rng));
    doc.pop_back();  // the document's trailing newline
    text += doc + (i + 1 < args.count ? ",\n" : "\n");
  }
  std::cout << text << "]\n";
}

template <typename T>
std::string joined(const std::vector<T>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? " " : "") << values[i];
  return out.str();
}

void run_info(const SpaceArgs& args) {
  const SearchSpace space = read_space_file(args.space_file);
  const GenomeLayout layout = genome_layout(space);
  const SpaceSize size = space_size(space);
  std::ostringstream out;
  out << "space " << space.name << " (" << args.space_file << ")\n";
  if (!space.description.empty()) out << "  " << space.description << "\n";
  out << "input: " << space.input_channels << " channels, resolutions " << joined(space.resolutions)
      << "; " << space.classes << " classes\n";
  out << "widths: " << joined(space.widths) << " (channels rounded to multiples of "
      << space.channel_divisor << ")\n";
  out << "stem: out " << space.stem.out << ", kernel " << space.stem.kernel << ", stride "
      << space.stem.stride << "\n";
  if (space.first_block) {
    out << "first block (fixed): out " << space.first_block->out << ", kernel "
        << space.first_block->kernel << ", expand 1, stride 1\n";
  }
  out << "stages (out / stride / depths / out channels per width):\n";
  for (std::size_t s = 0; s < space.stages.size(); ++s) {
    const auto& stage = space.stages[s];
    out << "  [" << s << "] " << stage.out << " / " << stage.stride << " / "
        << joined(stage.depths) << " /";
    for (const double w : space.widths) out << " " << stage_channels(space, stage, w);
    out << "\n";
  }
  out << "per block: kernels " << joined(space.kernels) << "; expands " << joined(space.expands)
      << "\n";
  if (const auto head = space.head_out) {
    out << "head: out " << *head << " (scaled by max(1, width))\n";
  } else {
    out << "head: none (the classifier follows the last stage)\n";
  }
  out << "patch: n " << joined(space.patch.n) << "; split " << joined(space.patch.split)
      << " (blocks " << min_blocks(space) << ".." << max_blocks(space) << ")\n";
  out << "genome: " << layout.size() << " genes = resolution, width, " << space.stages.size()
      << " depths, " << (layout.patch_n - layout.first_slot.front()) / 2
      << " block slots x (kernel, expand), patch n, patch split\n";
  out << "choices per gene: " << joined(layout.choices) << "\n";
  out.setf(std::ios::fixed);
  out.precision(2);
  out << "size (log10): " << size.log10_backbones << " distinct backbones, at most "
      << size.log10_with_patches << " with patch schedules, " << size.log10_genomes
      << " genomes\n";
  std::cout << out.str();
}

void run_decode(const SpaceArgs& args) {
  const SearchSpace space = read_space_file(args.space_file);
  std::cout << arch_to_json_text(
      decode_genome(space, genome_from_string(space, args.genome, "--genome")));
}

void run_encode(const SpaceArgs& args) {
  const SearchSpace space = read_space_file(args.space_file);
  std::cout << genome_to_string(encode_arch(space, read_arch_file(args.arch_file), args.arch_file))
            << "\n";
}

CLI::Option* add_space_option(CLI::App* cmd, SpaceArgs& args) {
  return cmd
      ->add_option("--space", args.space_file,
                   "Search space JSON file (format patchnas.space/1), e.g. "
                   "configs/spaces/mcunetv2.json")
      ->required();
}

}  // namespace

void add_space_command(CLI::App& app) {
  auto args = std::make_shared<SpaceArgs>();
  CLI::App* space = app.add_subcommand(
      "space", "Inspect a search space: sample archs, summarise it, convert genomes and archs");
  space->require_subcommand(1);

  CLI::App* sample = space->add_subcommand(
      "sample",
      "Print random archs of the space in the arch format (patchnas.arch/1). With --count 1 the "
      "output is one arch document; with --count K > 1 it is a JSON array of K arch documents. "
      "The i-th arch for a seed does not depend on --count");
  add_space_option(sample, *args);
  sample->add_option("--seed", args->seed, "Seed of the random generator (same seed, same archs)")
      ->required();
  sample->add_option("--count", args->count, "Number of archs to print")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  sample->callback([args] { run_sample(*args); });

  CLI::App* info = space->add_subcommand(
      "info",
      "Summarise the space: its choices, the genome layout (genes and choices per gene) and "
      "log10 of its size");
  add_space_option(info, *args);
  info->callback([args] { run_info(*args); });

  CLI::App* decode = space->add_subcommand(
      "decode", "Print the arch (patchnas.arch/1) that a genome string stands for");
  add_space_option(decode, *args);
  decode->add_option("--genome", args->genome,
                     "Genome string: one base-36 character per gene, as in sampled arch names")
      ->required();
  decode->callback([args] { run_decode(*args); });

  CLI::App* encode = space->add_subcommand(
      "encode",
      "Print the canonical genome string of an arch; fails naming the field if the arch is not "
      "in the space");
  add_space_option(encode, *args);
  encode->add_option("--arch", args->arch_file, "Arch JSON file (format patchnas.arch/1)")
      ->required();
  encode->callback([args] { run_encode(*args); });
}

}  // namespace patchnas::cli
