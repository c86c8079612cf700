# syntax=docker/dockerfile:1
# Herald's receipts endpoint: providers' delivery callbacks (POST|GET /providers/{provider}/events),
# verified and produced to Kafka; /healthz, /readyz, /metrics on the same port.
#
# Build from the repository root (the context is the workspace, cut down by /.dockerignore):
#   docker build -f deploy/docker/receipts-api.Dockerfile -t herald/receipts-api:0.1.0 .
#
# prune   package.json files and a lockfile cut down to this app (tools/docker/prune-workspace.mjs)
# build   installs the build tools, compiles with tsc --build (no Prisma client: the receipts-api
#         has no database, and libs/tracking is not in its closure)
# deps    installs only this app's production dependencies (npm ci --omit=dev --ignore-scripts:
#         nothing it runs needs an install script)
# runtime distroless Node.js, non-root (65532), read-only friendly, `node` as PID 1 (it handles
#         SIGTERM itself and drains), no shell, no npm
ARG NODE_MAJOR=20

FROM node:${NODE_MAJOR}-bookworm-slim AS prune
WORKDIR /src
RUN --mount=type=bind,target=/src \
    node tools/docker/prune-workspace.mjs prune --app apps/receipts-api --mode runtime --out /out/runtime \
 && node tools/docker/prune-workspace.mjs prune --app apps/receipts-api --mode build --root-dev typescript,@types/node --out /out/build

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
COPY --from=prune /out/build/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs/ libs/
COPY apps/receipts-api/ apps/receipts-api/
COPY tools/docker/prune-workspace.mjs tools/docker/
RUN node node_modules/typescript/bin/tsc --build apps/receipts-api/tsconfig.app.json \
 && node tools/docker/prune-workspace.mjs collect --app apps/receipts-api --out /out/dist

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY --from=prune /out/runtime/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="herald-receipts-api" \
      org.opencontainers.image.description="Herald's receipts endpoint: providers' delivery callbacks verified and produced to Kafka; /healthz, /readyz, /metrics." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# Owned by root and not writable by the app user: the code is immutable at runtime.
COPY --from=deps /app/ ./
COPY --from=build /out/dist/ ./
ENV PORT=9004
USER 65532:65532
EXPOSE 9004
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9004) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["apps/receipts-api/dist/main.js"]
