// Times libtorrent's bdecode() on the benchmark inputs, for bencode-bench.sh.
//
// usage: lt_bdecode <seconds per file> <file>...
// For each file prints: "<name> fresh <MB/s> reused <MB/s> tokens <n>", MB = 10^6 bytes, medians of
// repeated runs. "fresh" decodes into a new bdecode_node each time, as a client does with each new
// reply (its token vector is allocated and first-touched again); "reused" decodes into the same node,
// whose token vector keeps its capacity (libtorrent's fastest case).
#include <libtorrent/bdecode.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<char> read_file(char const* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        std::exit(1);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The default token limit (2M) is far below a million-peer reply; allow what the int holds.
constexpr int depth_limit = 100;
constexpr int token_limit = 0x7fffffff;

int decode_into(std::vector<char> const& buf, lt::bdecode_node& node) {
    lt::error_code ec;
    int pos = 0;
    int const ret = lt::bdecode(buf.data(), buf.data() + buf.size(), node, ec, &pos, depth_limit, token_limit);
    if (ret != 0 || ec) {
        std::fprintf(stderr, "bdecode failed at byte %d: %s\n", pos, ec.message().c_str());
        std::exit(1);
    }
    return node.type() == lt::bdecode_node::dict_t ? node.dict_size() : 0;
}

// Median MB/s over timed decodes that last about `seconds` in all (at least 5).
template <typename Decode>
double median_mb_per_s(std::size_t bytes, double seconds, Decode decode) {
    std::vector<double> rates;
    auto const deadline = clock_type::now() + std::chrono::duration<double>(seconds);
    while (rates.size() < 5 || clock_type::now() < deadline) {
        auto const t0 = clock_type::now();
        decode();
        std::chrono::duration<double> const dt = clock_type::now() - t0;
        rates.push_back(bytes / dt.count() / 1e6);
    }
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <seconds per file> <file>...\n", argv[0]);
        return 2;
    }
    double const seconds = std::atof(argv[1]);
    for (int i = 2; i < argc; ++i) {
        std::vector<char> const buf = read_file(argv[i]);
        volatile int sink = 0;
        // Warm-up: page in the input and let the allocator settle.
        for (int w = 0; w < 3; ++w) {
            lt::bdecode_node node;
            sink = sink + decode_into(buf, node);
        }
        double const fresh = median_mb_per_s(buf.size(), seconds, [&] {
            lt::bdecode_node node;
            sink = sink + decode_into(buf, node);
        });
        lt::bdecode_node reused;
        double const warm = median_mb_per_s(buf.size(), seconds, [&] { sink = sink + decode_into(buf, reused); });
        std::string name = argv[i];
        name = name.substr(name.find_last_of('/') + 1);
        name = name.substr(0, name.find('.'));
        std::printf("%s fresh %.1f reused %.1f\n", name.c_str(), fresh, warm);
    }
    return 0;
}
