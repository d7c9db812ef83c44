/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Real-peer suites print why they skipped; see test/helpers/peers.ts.
  reporters: ['default', '<rootDir>/test/helpers/skip-reporter.js'],
  testTimeout: 30000,
  // A leaked socket or timer in one suite must not hang CI until its 90-minute limit; Jest
  // still names the leak ("did not exit") so it gets fixed.
  forceExit: true,
};
