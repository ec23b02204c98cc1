/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Builds whisper-cli and generates the model files once, before any test file runs.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Native jobs use every core; running test files one at a time keeps timings honest
  // (event-loop delay) and memory bounded (the distil-medium.en shape is ~800 MB).
  maxWorkers: 1,
  testTimeout: 180_000,
  verbose: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
