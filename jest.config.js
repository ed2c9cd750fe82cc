/** One Jest run for the whole monorepo: unit tests and integration tests against real servers. */
const ONCE_ON_THE_DEFAULT = [
  '<rootDir>/gateway/test/',
  '<rootDir>/sdk/test/',
  '<rootDir>/examples/test/',
  '<rootDir>/platform/test/api-guide\\.test\\.ts$',
  '<rootDir>/platform/test/readme\\.test\\.ts$',
  '<rootDir>/platform/test/deploy\\.test\\.ts$',
];

// needs the PostgreSQL server, NATS and Redis together (separate processes share nothing else): the second pass only
const ONLY_ON_THE_SERVER = ['<rootDir>/platform/test/scale-out\\.test\\.ts$'];

module.exports = {
  testEnvironment: 'node',
  // workspace packages resolve to their TypeScript source (the `eventgraph-source` export condition), not a build
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'eventgraph-source'] },
  roots: [
    '<rootDir>/packages',
    '<rootDir>/subgraphs',
    '<rootDir>/gateway',
    '<rootDir>/platform',
    '<rootDir>/sdk',
    '<rootDir>/examples',
  ],
  testMatch: ['**/test/**/*.test.ts'],
  // CI's second pass (DATABASE_URL: the PostgreSQL server and NATS) reruns what depends on the database and the bus;
  // what does not — the gateway's own tests, the SDK and its package, the examples (one drives a browser), the
  // README and client-guide runners — runs once, on the embedded default
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.DATABASE_URL ? ONCE_ON_THE_DEFAULT : ONLY_ON_THE_SERVER)],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies that Jest's CommonJS runtime must see transformed.
  transformIgnorePatterns: ['/node_modules/(?!(@prisma/schema-engine-wasm|graphql-ws)/)'],
  // generated Prisma clients import their TypeScript siblings with .js extensions
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 60000,
  // two files at a time: most of a file's time is waiting on its platform (servers, PGlite, the bus), and each file
  // has its own ports, databases, schemas and bus stream. A worker past 2 GB is replaced between files.
  maxWorkers: 2,
  workerIdleMemoryLimit: '2GB',
};
