// Two projects: fast unit tests, and end-to-end tests that drive the real Pulumi engine.
const { availableParallelism, homedir } = require("node:os");
const path = require("node:path");

// Node's compile cache for the run's own Node processes, as the plugin launchers (tools/plugins/) set it for theirs,
// in the same directory: jest's workers (typescript, ts-jest) and what the tests start themselves (scripts that load
// the SDK, the fake PowerShell, the drift tool, entra-sim). Set here so that the workers inherit it; a cache the
// caller set is kept. docs/toolchain.md, "How the test suite runs".
process.env.NODE_COMPILE_CACHE ||= path.join(
  process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache"),
  "entra-writeback",
  "node-compile-cache",
);
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleFileExtensions: ["ts", "js", "json"],
};

module.exports = {
  // Three test files at a time on the 2-core machine the suite is timed on (one and a half per core). Jest's default
  // (cores - 1 = 1) runs every file in its own process one after another; an end-to-end file spends much of its time
  // waiting on the Pulumi CLI and its plugins, real timeouts and kills (interruptions.test.ts alone keeps 0.6 of a
  // core busy), so with two workers a sixth of the machine stayed idle; a third worker fills it (docs/toolchain.md,
  // "How the test suite runs"). Measured on 2 cores only; larger machines get 1.5 per core as well. maxWorkers is one
  // pool for both projects (jest has no per-project setting): unit files run beside e2e files. Computed here: jest
  // reads "N%" as a share of the cores only up to 100 % ("150%" would be 150 workers).
  maxWorkers: Math.max(1, Math.floor(availableParallelism() * 1.5)),

  // Tests that start processes (fake PowerShell, hosts, fronts) wait on them: jest's 5 s is short on a loaded machine;
  // a passing test costs nothing more. At the top level: jest ignores testTimeout inside a project (jestjs/jest#9696);
  // the e2e files set their own with jest.setTimeout.
  testTimeout: 30_000,
  // End-to-end files first, unit files to fill the end (tests/support/testSequencer.js).
  testSequencer: "<rootDir>/tests/support/testSequencer.js",
  reporters: ["default", "<rootDir>/tests/support/plainSummaryReporter.js"],
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
    },
    {
      ...shared,
      displayName: "e2e",
      testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/tests/e2e/globalSetup.js",
    },
  ],
};
