/** Jest runs TypeScript through ts-jest as CommonJS; typechecking is `npm run typecheck`'s job. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }],
  },
  // The config rule table the build injects into the firmware (esbuild define).
  setupFiles: ['<rootDir>/test/support/config-rules-global.ts'],
  testTimeout: 30000,
  // A test that leaves a socket or timer open must fail loudly, not hang CI.
  openHandlesTimeout: 2000,
  maxWorkers: 2,
};
