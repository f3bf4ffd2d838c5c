# syntax=docker/dockerfile:1
# cxpulse container image for CI systems with a Docker engine and a registry: build on Debian 12
# with the project's own dependency script, run on Debian 12 slim with only the shared libraries
# the binary links, as a non-root user. Without a Docker engine or registry use tools/image.sh
# (docs/operations.md, "Building and running the image"): same binary build, library packages,
# user, paths, port, entrypoint and labels, on a root file system of only those packages
# (no shell, no apt) instead of debian:bookworm-slim.
#   docker build -t cxpulse:dev --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm cxpulse:dev --help

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
COPY tools/install_deps.sh /tmp/install_deps.sh
RUN bash /tmp/install_deps.sh && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCXPULSE_TESTS=OFF -DCXPULSE_BENCH=OFF -DCXPULSE_FUZZ=OFF \
 && cmake --build build --target cxpulse \
 && strip build/cxpulse \
 && build/cxpulse --help >/dev/null

FROM debian:bookworm-slim AS runtime
# Runtime libraries of build/cxpulse (`ldd build/cxpulse`, each file mapped to its package with
# `dpkg -S`; tools/k8s/validate.sh checks this list against the binary). RocksDB is linked
# statically (Debian's RocksDB::rocksdb target is librocksdb.a), hence its compression
# libraries; Boost.Beast/Asio and CLI11 are header-only; prometheus-cpp-core is for /metrics.
# tools/image.sh derives the same list from `ldd` (tools/image/rootfs.sh pins).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates netbase \
      librdkafka1 \
      libsimdjson14 \
      libabsl20220623 \
      libjemalloc2 \
      libprometheus-cpp-core1.0 \
      libyaml-cpp0.7 \
      libspdlog1.10 libfmt9 \
      zlib1g libzstd1 liblz4-1 libsnappy1v5 libbz2-1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cxpulse \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/cxpulse --no-create-home \
      --shell /usr/sbin/nologin cxpulse \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/cxpulse \
 && install -d -m 0755 /etc/cxpulse
COPY --from=build /src/build/cxpulse /usr/local/bin/cxpulse
# Default config (the dev one: plaintext broker kafka:9092); Kubernetes mounts its own.
COPY k8s/base/cxpulse.yaml /etc/cxpulse/cxpulse.yaml
# Fails the image build when a shared library is missing from the list above.
RUN ! ldd /usr/local/bin/cxpulse | grep -q "not found" && /usr/local/bin/cxpulse --help >/dev/null

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="cxpulse" \
      org.opencontainers.image.description="Real-time customer-experience signals from Kafka event streams" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.base.name="debian:bookworm-slim" \
      io.cxpulse.build-type="Release"
USER 10001:10001
WORKDIR /var/lib/cxpulse
VOLUME ["/var/lib/cxpulse"]
# /metrics, /healthz, /readyz, /customers/{id}, /alerts, / (SPEC §6).
EXPOSE 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cxpulse"]
CMD ["run", "--config", "/etc/cxpulse/cxpulse.yaml"]
