FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY shared ./shared
COPY cloud ./cloud
COPY edge ./edge
COPY simulators ./simulators
COPY scripts ./scripts
COPY provisioning ./provisioning
ENV DATA_DIR=/data
VOLUME /data
EXPOSE 1883 8080
CMD ["node", "cloud/main.ts"]
