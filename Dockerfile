# gatehouse: a multi-stage build. The runtime image holds the binary, exactly the shared libraries
# it loads (glibc, libpq and libpq's own), CA certificates and a non-root user: nothing else, no
# shell and no package manager. SQLite is compiled in.
#
#   docker build -t gatehouse .
#   docker run -p 8080:8080 -v gatehouse-data:/data gatehouse
#
# BUILDER_IMAGE lets a build without a registry point the first stage at a local image with the
# same contents (scripts/docker-test.sh does); the default is the public Rust image.
ARG BUILDER_IMAGE=rust:1.95-slim-bookworm

FROM ${BUILDER_IMAGE} AS builder
# A failing command in a pipe fails the step.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# libpq for diesel's PostgreSQL backend, pkg-config to find it. Unpinned on purpose: Debian's
# bookworm repository only carries the current, security-patched version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, with placeholder sources: this layer is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every source edit.
COPY Cargo.toml Cargo.lock rust-toolchain.toml ./
RUN mkdir -p src/bin \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/bcrypt-rate.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

COPY assets assets
COPY migrations migrations
COPY src src
# COPY keeps the sources' old modification times; make cargo see them as newer than the
# placeholders it just built.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin gatehouse

# The runtime's whole file system: the binary, the libraries `ldd` lists for it, CA certificates,
# a passwd entry for uid 65532, a data directory it owns and a /tmp.
RUN mkdir -p /rootfs/usr/local/bin /rootfs/etc /rootfs/data /rootfs/tmp \
    && cp target/release/gatehouse /rootfs/usr/local/bin/gatehouse \
    && ldd target/release/gatehouse | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' \
        | xargs -I{} cp --parents -L {} /rootfs \
    && cp --parents /etc/ssl/certs/ca-certificates.crt /rootfs \
    && echo 'gatehouse:x:65532:65532:gatehouse:/data:/sbin/nologin' > /rootfs/etc/passwd \
    && echo 'gatehouse:x:65532:' > /rootfs/etc/group \
    && chown 65532:65532 /rootfs/data \
    && chmod 1777 /rootfs/tmp

FROM scratch
COPY --from=builder /rootfs /

LABEL org.opencontainers.image.title="gatehouse" \
      org.opencontainers.image.description="A standalone authentication service with Better Auth's wire format" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.version="0.1.0"

ENV GATEHOUSE_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/gatehouse.db \
    RUST_LOG=info
# The SQLite database and, when GATEHOUSE_SECRET is unset, its generated secret live here.
VOLUME ["/data"]
WORKDIR /data
USER 65532:65532
EXPOSE 8080
# The binary checks itself: no curl in the image.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/gatehouse", "healthcheck"]
# gatehouse finishes in-flight requests on SIGTERM (GATEHOUSE_SHUTDOWN_TIMEOUT, 30 s by default).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
