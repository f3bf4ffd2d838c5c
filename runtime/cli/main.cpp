#include <cstdio>
#include <exception>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"

int main(int argc, char** argv) {
  try {
    return cx::RunCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cxpulse: internal error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "cxpulse: internal error\n");
    return 1;
  }
}
