#pragma once

// Forward declarations of the prometheus-cpp types the probes' headers name, so that only the
// probes' .cpp files include prometheus-cpp.
namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus
