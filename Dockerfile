# The platform image: cloud (default), edge agent with simulated devices (node --lite-mode
# dist/scripts/simulated-gateway.js, as `npm run edge` runs it), provisioning CLI (node scripts/provision.ts). The cloud and the scripts
# run their TypeScript sources directly (Node 24 type stripping); the edge agent runs JavaScript
# compiled in the build stage, so that it can run with --lite-mode (no WebAssembly, hence no type
# stripping) and within its memory budget (issue 7: 1,000 devices under 80 MB RSS).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace of the API types generator (development only; its packages are devDependencies).
COPY scripts/api-types/package.json ./scripts/api-types/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY edge ./edge
COPY simulators ./simulators
COPY scripts ./scripts
COPY console ./console
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/api-types/package.json ./scripts/api-types/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY shared ./shared
COPY cloud ./cloud
COPY edge ./edge
COPY simulators ./simulators
COPY scripts ./scripts
COPY provisioning ./provisioning
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
# /data belongs to the unprivileged user before it becomes a volume: a new named volume mounted
# there takes over this ownership, so the cloud's and the edge agents' volumes are writable.
RUN mkdir -p /data && chown node:node /data
ENV DATA_DIR=/data
# glibc's malloc gives large blocks (the API's answers, the registry's flushes) back to the system
# when they are freed, instead of keeping their pages in the heap: as scripts/cloud-process.ts says.
ENV MALLOC_MMAP_THRESHOLD_=131072
USER node
VOLUME /data
EXPOSE 1883 8080
CMD ["node", "cloud/main.ts"]
