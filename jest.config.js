/** One Jest run for the whole monorepo: unit tests and integration tests against real servers. */
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
  // the browser test exercises the site, the SDK build and CORS, not the database: CI runs it once, on the embedded default
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.DATABASE_URL ? ['/examples/test/partner-site\\.test\\.ts$'] : [])],
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
};
