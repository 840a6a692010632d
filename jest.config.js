// Two projects: fast unit tests, and end-to-end tests that drive the real Pulumi engine.
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleFileExtensions: ["ts", "js", "json"],
};

module.exports = {
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
