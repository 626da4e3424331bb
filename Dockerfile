# The platform image: cloud (default), edge agent (node edge/main.ts), provisioning CLI
# (node scripts/provision.ts). Node 24 runs the TypeScript sources directly (type stripping).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY shared ./shared
COPY cloud ./cloud
COPY edge ./edge
COPY simulators ./simulators
COPY scripts ./scripts
COPY provisioning ./provisioning
# /data belongs to the unprivileged user before it becomes a volume: a new named volume mounted
# there takes over this ownership, so the cloud's and the edge agents' volumes are writable.
RUN mkdir -p /data && chown node:node /data
ENV DATA_DIR=/data
USER node
VOLUME /data
EXPOSE 1883 8080
CMD ["node", "cloud/main.ts"]
