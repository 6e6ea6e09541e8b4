# polaris-mirror as a container: Node 22 slim, runs as a non-root user, the ledger on a volume.
# Not built in this project's CI (no Docker engine there): keep it simple and boring.
#   docker build -t polaris-mirror .
#   docker run -v $PWD/config:/config:ro -v polaris-mirror-state:/var/lib/polaris-mirror \
#     -e POLARIS_CLIENT_ID -e POLARIS_CLIENT_SECRET -p 9470:9470 polaris-mirror
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY test/emulators ./test/emulators
COPY test/bench ./test/bench
COPY test/support ./test/support
COPY fixtures ./fixtures
RUN npm ci && npm prune --omit=dev

FROM node:22-bookworm-slim
# MIT Kerberos's GSSAPI library: Kerberized Hive Metastores (auth.type kerberos). Mount krb5.conf at
# /etc/krb5.conf (or set KRB5_CONFIG) and the keytab read-only.
RUN apt-get update && apt-get install -y --no-install-recommends libgssapi-krb5-2 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production POLARIS_MIRROR_CONFIG=/config/polaris-mirror.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/fixtures ./fixtures
COPY package.json ./
RUN mkdir -p /var/lib/polaris-mirror && chown node:node /var/lib/polaris-mirror
USER node
# The ledger: set state.path to /var/lib/polaris-mirror/state.db in the config.
VOLUME /var/lib/polaris-mirror
EXPOSE 9470
# The config's server.host must be 0.0.0.0 inside a container for the port to be reachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:9470/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "bin/polaris-mirror.js"]
CMD ["run"]
