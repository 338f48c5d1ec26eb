// The scratch files, gzip wrapping and verdicts shared by the fuzz targets (fuzz_support.hpp).
#include "fuzz/fuzz_support.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace patchnas::fuzz {
namespace fs = std::filesystem;
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "patchnas-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) report_finding("cannot create a scratch directory");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

std::string write_input(const std::string& relative_path, Bytes bytes) {
  const fs::path path = fs::path(scratch_dir()) / relative_path;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) report_finding("cannot write the scratch file " + path.string());
  return path.string();
}

std::string gzip_bytes(Bytes bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    report_finding("cannot initialise zlib");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())), '\0');
  stream.next_in = const_cast<Bytef*>(bytes.data());
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) report_finding("gzip: output buffer too small");
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

void report_finding(const std::string& what) {
  std::fprintf(stderr, "patchnas fuzz finding: %s\n", what.c_str());
  std::abort();
}

void check_input_error(const InputError& error) {
  const std::string message = error.what();
  if (error.file().empty()) report_finding("an InputError names no file: " + message);
  if (message.find('\n') != std::string::npos) {
    report_finding("an InputError spans several lines: " + message);
  }
}

}  // namespace patchnas::fuzz
