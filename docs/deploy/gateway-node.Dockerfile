# gateway-node on a plain server. Build from the repository root:
#   docker build -f docs/deploy/gateway-node.Dockerfile -t ping-gateway .
#   docker run -d --name ping-gateway --restart unless-stopped --stop-timeout 40 \
#     --env-file /etc/ping/gateway.env -v ping-gateway-data:/data -p 127.0.0.1:8790:8790 ping-gateway
# Configuration is the environment only (docs/gateway.md); the session store lives in the /data volume.
FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=8790

COPY package.json package-lock.json ./
# Runtime dependencies only, plus the TypeScript loader the gateway runs with (a devDependency of the repo).
RUN npm ci --omit=dev --ignore-scripts && npm install --no-save --ignore-scripts tsx@4.23.15 && npm cache clean --force

COPY protocol ./protocol
COPY gateway-node ./gateway-node
COPY tsconfig.json ./

RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8790

# SIGTERM: stop pulling jobs, finish the send in flight, hand the rest back, close the sockets (≤ 25 s).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8790/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--import", "tsx", "gateway-node/src/main.ts"]
