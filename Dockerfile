# One image for every deployable of the platform; the role is its argument:
#   docker build -t eventgraph .
#   docker run --env-file .env eventgraph --role gateway     # or users, events, access, ingest, migrate
# The TypeScript sources run through tsx, as in development (there is no build step): tsx is a production
# dependency of @eventgraph/platform for that reason. docker-compose.yml and deploy/kubernetes use this image.

FROM node:20-slim AS build
WORKDIR /app
# the lockfile and every workspace's package.json first, so the dependency layer is reused while only sources change
COPY package.json package-lock.json ./
COPY packages/runtime/package.json packages/runtime/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/events/package.json subgraphs/events/
COPY subgraphs/access/package.json subgraphs/access/
COPY subgraphs/ingest/package.json subgraphs/ingest/
COPY gateway/package.json gateway/
COPY platform/package.json platform/
COPY sdk/package.json sdk/
COPY examples/package.json examples/
COPY bench/package.json bench/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# what `npm ci`'s postinstall does: the patched dependency, then each subgraph's Prisma Client (offline);
# then the development dependencies go
RUN npx patch-package && node scripts/prisma-generate.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# the gateway's and the subgraphs' default ports (PORT sets another)
EXPOSE 4000 4001 4002 4003 4004
ENTRYPOINT ["node", "--import", "tsx", "platform/src/serve.ts"]
CMD ["--role", "gateway"]
