# headroom's image: built on Debian 12 with the same scripts as everything
# else, run on debian:12-slim as a non-root user with only the libraries the
# binary links (libcjson, libyaml, libcurl, OpenSSL).
FROM debian:12 AS build
# .git is not copied in: pass the revision, e.g.
#   docker build --build-arg GIT_REV=$(git rev-parse --short HEAD) -t headroom .
ARG GIT_REV=unknown
WORKDIR /src
COPY . .
RUN scripts/install-deps.sh && make -j"$(nproc)" GIT_REV="$GIT_REV" build/headroom

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcjson1 libyaml-0-2 libcurl4 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/headroom /usr/local/bin/headroom
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/headroom"]
CMD ["--help"]
