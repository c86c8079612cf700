# syntax=docker/dockerfile:1
# Herald's database migrations (libs/tracking/prisma/migrations) as a one-shot image, run by the
# charts as a Helm pre-install/pre-upgrade hook Job. Never part of an app's entrypoint.
#
# Build from the repository root:
#   docker build -f deploy/docker/migrate.Dockerfile -t herald/migrate:0.1.0 .
#       default target `migrate`: Prisma's own schema engine compiled to WebAssembly
#       (@prisma/schema-engine-wasm, the version matching prisma 7.10) applies the migrations and
#       records them in _prisma_migrations exactly as `prisma migrate deploy` does; no native
#       engine and no download, so the image builds and runs anywhere Node runs.
#   docker build -f deploy/docker/migrate.Dockerfile --target migrate-prisma-cli -t herald/migrate:0.1.0-prisma-cli .
#       `prisma migrate deploy` itself; its native schema engine is downloaded while the image
#       is built (needs access to binaries.prisma.sh, or PRISMA_ENGINES_MIRROR).
#
# Both read DATABASE_URL and exit 0 when the database is up to date, 1 on any failure.
ARG NODE_MAJOR=20

FROM node:${NODE_MAJOR}-bookworm-slim AS prune
WORKDIR /src
RUN --mount=type=bind,target=/src \
    node tools/docker/prune-workspace.mjs prune \
      --deps @prisma/adapter-pg,@prisma/driver-adapter-utils,@prisma/schema-engine-wasm,pg --out /out/wasm \
 && node tools/docker/prune-workspace.mjs prune --deps prisma --out /out/cli

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY --from=prune /out/wasm/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Alternative target: the Prisma CLI. @prisma/engines' install script is the one script allowed
# here (it downloads the schema engine for this platform); it runs explicitly, at build time.
FROM node:${NODE_MAJOR}-bookworm-slim AS migrate-prisma-cli
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="herald-migrate" \
      org.opencontainers.image.description="Herald database migrations (prisma migrate deploy)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
COPY --from=prune /out/cli/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node node_modules/@prisma/engines/scripts/postinstall.js \
 && node node_modules/prisma/build/index.js --version
COPY libs/tracking/prisma/ libs/tracking/prisma/
COPY deploy/docker/migrate/prisma.config.mjs ./
USER 65532:65532
ENTRYPOINT ["node"]
CMD ["node_modules/prisma/build/index.js", "migrate", "deploy", "--config", "prisma.config.mjs"]

# Default target.
FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS migrate
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="herald-migrate" \
      org.opencontainers.image.description="Herald database migrations (Prisma schema engine, WebAssembly)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=deps /app/ ./
COPY libs/tracking/prisma/ libs/tracking/prisma/
COPY tools/platform/src/migrate-cli.mjs tools/platform/src/migrate.mjs tools/platform/src/
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["tools/platform/src/migrate-cli.mjs", "deploy"]
