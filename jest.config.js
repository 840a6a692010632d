// Two projects: fast unit tests, and end-to-end tests that drive the real Pulumi engine.
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleFileExtensions: ["ts", "js", "json"],
};

module.exports = {
  // Two test files at a time on the 2-core machine the suite is timed on. Jest's default (cores - 1 = 1) runs
  // every file in its own process one after another; an end-to-end file spends much of its time waiting on the
  // Pulumi CLI, its plugins and simulated waits, so a second worker fills that time. maxWorkers is one pool
  // for both projects (jest has no per-project setting): unit files run beside e2e files.
  maxWorkers: 2,
  // End-to-end files first, unit files to fill the end (tests/support/testSequencer.js).
  testSequencer: "<rootDir>/tests/support/testSequencer.js",
  reporters: ["default", "<rootDir>/tests/support/plainSummaryReporter.js"],
  projects: [
    { ...shared, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      ...shared,
      displayName: "e2e",
      testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/tests/e2e/globalSetup.js",
    },
  ],
};
