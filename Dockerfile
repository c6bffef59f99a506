# Credence server image: built in a Rust image, run in a small Debian one as a user
# without privileges. The database lives in the /var/lib/credence volume (SQLite), or in
# PostgreSQL when CREDENCE_DB names one (compose.yaml). The CI runs the build script and the
# start command below directly (scripts/container-smoke.sh).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN scripts/build-release.sh /out

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/credence --shell /usr/sbin/nologin credence \
    && install -d -o credence -g credence -m 0700 /var/lib/credence
COPY --from=build /out/credence /usr/local/bin/credence
COPY deploy/credence.toml /etc/credence/credence.toml
USER credence
WORKDIR /var/lib/credence
VOLUME ["/var/lib/credence"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["credence", "--config", "/etc/credence/credence.toml"]
CMD ["serve"]
