// Two projects: fast unit tests, and end-to-end tests that drive the real Pulumi engine.
const { availableParallelism } = require("node:os");
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleFileExtensions: ["ts", "js", "json"],
};

module.exports = {
  // Three test files at a time on the 2-core machine the suite is timed on (one and a half per core). Jest's default
  // (cores - 1 = 1) runs every file in its own process one after another; an end-to-end file spends much of its time
  // waiting on the Pulumi CLI, its plugins, real timeouts and kills (alone, one keeps 1.2 of the 2 cores busy), so
  // with two workers a third of the machine stayed idle; a third worker fills it (docs/toolchain.md, "How the test
  // suite runs"). maxWorkers is one pool for both projects (jest has no per-project setting): unit files run beside
  // e2e files.
  maxWorkers: Math.max(1, Math.floor(availableParallelism() * 1.5)), // jest's "N%" stops at 100 %

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
