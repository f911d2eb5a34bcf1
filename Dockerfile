# gatehouse: a multi-stage build. The runtime image holds the binary, exactly the shared libraries
# it loads (glibc and libgcc_s), CA certificates and a non-root user: nothing else, no shell and
# no package manager. SQLite, libpq and OpenSSL are compiled in.
#
#   docker build -t gatehouse .
#   docker run -d -p 8080:8080 -v gatehouse-data:/data gatehouse
#   docker build --build-arg FEATURES=mysql -t gatehouse:mysql .   # MySQL and MariaDB too
#
# BUILDER_IMAGE lets a build without a registry point the first stage at a local image with the
# same contents (scripts/docker-test.sh does); the default is the public Rust image whose version
# matches rust-toolchain.toml, so rustup inside it has nothing to download.
ARG BUILDER_IMAGE=rust:1.95.0-slim-bookworm

FROM ${BUILDER_IMAGE} AS builder
# A failing command in a pipe fails the step.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# make and perl build the OpenSSL that libpq is compiled against (the crates openssl-src and
# pq-src do it; the slim image has gcc but neither of these). Unpinned on purpose: Debian's
# bookworm repository only carries the current, security-patched versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make perl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# Cargo features: `mysql` adds MySQL and MariaDB, compiling MySQL's client library in, which needs
# cmake and g++ (and makes the binary load libstdc++). That library is GPL-2.0 with Oracle's
# Universal FOSS Exception: the default image leaves it out (README: MySQL and MariaDB).
ARG FEATURES=""
# hadolint ignore=DL3008
RUN case "$FEATURES" in \
        *mysql*) apt-get update \
            && apt-get install -y --no-install-recommends cmake g++ \
            && rm -rf /var/lib/apt/lists/* ;; \
    esac
WORKDIR /src

# Dependencies first, with placeholder sources: this layer is rebuilt only when Cargo.toml,
# Cargo.lock or the toolchain change, not on every source edit.
COPY Cargo.toml Cargo.lock rust-toolchain.toml ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --features "$FEATURES" --bin gatehouse \
    && rm -rf src

COPY migrations migrations
COPY src src
# COPY keeps the sources' modification times, which may be older than the placeholders': touch
# the crate roots so cargo rebuilds gatehouse itself (and only it).
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --features "$FEATURES" --bin gatehouse

# The runtime's whole file system: the binary, the libraries `ldd` lists for it, CA certificates,
# passwd/group entries for uid 65532, nsswitch.conf (files, then DNS), a data directory that user
# owns and a /tmp. The last line runs the binary inside that tree, so a missing library fails the
# build instead of the container.
RUN mkdir -p /rootfs/usr/local/bin /rootfs/etc/ssl/certs /rootfs/data /rootfs/tmp \
    && cp target/release/gatehouse /rootfs/usr/local/bin/gatehouse \
    && ldd target/release/gatehouse | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' \
        | xargs -I{} cp --parents -L {} /rootfs \
    && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
    && echo 'gatehouse:x:65532:65532:gatehouse:/data:/sbin/nologin' > /rootfs/etc/passwd \
    && echo 'gatehouse:x:65532:' > /rootfs/etc/group \
    && printf 'passwd: files\ngroup: files\nhosts: files dns\n' > /rootfs/etc/nsswitch.conf \
    && chown 65532:65532 /rootfs/data \
    && chmod 1777 /rootfs/tmp \
    && chroot /rootfs /usr/local/bin/gatehouse --version

FROM scratch
COPY --from=builder /rootfs /

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gatehouse" \
      org.opencontainers.image.description="A standalone authentication service with Better Auth's wire format" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# Set GATEHOUSE_BASE_URL to the URL browsers use: the default, http://0.0.0.0:8080, is no origin
# a browser sends, so cookie-carrying POSTs would fail the CSRF check.
# SSL_CERT_FILE: the OpenSSL compiled into the binary looks for trusted authorities here (for
# PostgreSQL URLs with sslmode=verify-full and sslrootcert=system).
ENV GATEHOUSE_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/gatehouse.db \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    RUST_LOG=info
# The SQLite database and, when GATEHOUSE_SECRET is unset, its generated secret
# (gatehouse.db.secret, mode 0600) live here. A named volume takes the directory's owner (65532);
# a bind-mounted host directory must be writable by uid 65532.
VOLUME ["/data"]
WORKDIR /data
USER 65532:65532
EXPOSE 8080
# The binary checks itself (GET /healthz on GATEHOUSE_BIND): no curl in the image.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/gatehouse", "healthcheck"]
# On SIGTERM gatehouse stops accepting, lets in-flight requests finish for up to
# GATEHOUSE_SHUTDOWN_TIMEOUT (30 s) and exits 0: give `docker stop` a longer -t than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]
