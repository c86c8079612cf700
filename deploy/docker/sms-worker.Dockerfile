# syntax=docker/dockerfile:1
# Herald's SMS worker: a BullMQ worker on SmsQueue sending through the HTTP SMS gateway.
#
# Build from the repository root (the context is the workspace, cut down by /.dockerignore):
#   docker build -f deploy/docker/sms-worker.Dockerfile -t herald/sms-worker:0.1.0 .
#
# prune   package.json files and a lockfile cut down to this app (tools/docker/prune-workspace.mjs)
# build   installs the build tools, generates the Prisma client, compiles with tsc --build
# deps    installs only this app's production dependencies (npm ci --omit=dev --ignore-scripts:
#         nothing it runs needs an install script)
# runtime distroless Node.js, non-root (65532), read-only friendly, `node` as PID 1 (it handles
#         SIGTERM itself and drains), no shell, no npm
ARG NODE_MAJOR=20

FROM node:${NODE_MAJOR}-bookworm-slim AS prune
WORKDIR /src
RUN --mount=type=bind,target=/src \
    node tools/docker/prune-workspace.mjs prune --app apps/sms-worker --mode runtime --out /out/runtime \
 && node tools/docker/prune-workspace.mjs prune --app apps/sms-worker --mode build --root-dev typescript,@types/node --out /out/build

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
COPY --from=prune /out/build/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs/ libs/
COPY apps/sms-worker/ apps/sms-worker/
COPY tools/docker/prune-workspace.mjs tools/docker/
RUN node libs/tracking/scripts/prisma-generate.mjs \
 && node node_modules/typescript/bin/tsc --build apps/sms-worker/tsconfig.app.json \
 && node tools/docker/prune-workspace.mjs collect --app apps/sms-worker --out /out/dist

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY --from=prune /out/runtime/ ./
# The Prisma client ships a query compiler per database; Herald only talks to PostgreSQL.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules/@prisma/client/runtime -type f \
      \( -name '*.mysql.*' -o -name '*.sqlite.*' -o -name '*.sqlserver.*' -o -name '*.cockroachdb.*' \) -delete

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="herald-sms-worker" \
      org.opencontainers.image.description="Herald's SMS worker: a BullMQ worker on SmsQueue sending through the HTTP SMS gateway." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# Owned by root and not writable by the app user: the code is immutable at runtime.
COPY --from=deps /app/ ./
COPY --from=build /out/dist/ ./
ENV HEALTH_PORT=9103
USER 65532:65532
EXPOSE 9103
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 9103) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["apps/sms-worker/dist/main.js"]
