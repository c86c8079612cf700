# syntax=docker/dockerfile:1
# Herald's database migrations (libs/tracking/prisma/migrations) as a one-shot image, run by the
# charts as a Helm pre-install/pre-upgrade hook Job. Never part of an app's entrypoint.
#
# Build from the repository root:
#   docker build -f deploy/docker/migrate.Dockerfile -t herald/migrate:0.1.0 .
#       default target `migrate`: Herald's migration runner (libs/tracking/src/migrate.ts, on the
#       pg client alone) applies the migrations, each in a transaction under Prisma's advisory
#       lock, and records them in _prisma_migrations exactly as `prisma migrate deploy` does; no
#       Prisma engine and no download, so the image builds and runs anywhere Node runs.
#   docker build -f deploy/docker/migrate.Dockerfile --target migrate-prisma-cli -t herald/migrate:0.1.0-prisma-cli .
#       `prisma migrate deploy` itself; its native schema engine is downloaded while the image
#       is built (needs access to binaries.prisma.sh, or PRISMA_ENGINES_MIRROR).
#
# Both read DATABASE_URL and exit 0 when the database is up to date, 1 on any failure.
ARG NODE_MAJOR=20

FROM node:${NODE_MAJOR}-bookworm-slim AS prune
WORKDIR /src
RUN --mount=type=bind,target=/src \
    node tools/docker/prune-workspace.mjs prune --deps pg --out /out/runtime \
 && node tools/docker/prune-workspace.mjs prune --deps pg,@types/pg,@types/node,typescript --out /out/build \
 && node tools/docker/prune-workspace.mjs prune --deps prisma --out /out/cli

# The runner and its configuration module only (libs/tracking/tsconfig.migrate.json): no Prisma
# client to generate, no other Herald library.
FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
COPY --from=prune /out/build/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs/tracking/tsconfig.migrate.json libs/tracking/
COPY libs/tracking/src/migrate.ts libs/tracking/src/migrate-cli.ts libs/tracking/src/config.ts libs/tracking/src/
RUN node node_modules/typescript/bin/tsc -p libs/tracking/tsconfig.migrate.json --declaration false --declarationMap false --sourceMap false

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY --from=prune /out/runtime/ ./
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
      org.opencontainers.image.description="Herald database migrations (libs/tracking's runner on pg)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=build /app/libs/tracking/dist/ libs/tracking/dist/
COPY libs/tracking/prisma/ libs/tracking/prisma/
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["libs/tracking/dist/migrate-cli.js", "deploy"]
