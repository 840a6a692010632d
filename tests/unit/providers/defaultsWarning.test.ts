// The v1 resource's warning for a stack that declares no defaults: printed by check while v1 is not in the stack's
// state (counted on the Connect server when Graph is not configured), never once v1 is there. The end-to-end proof,
// with Graph, is tests/e2e/defaults.test.ts.
import { implementationFor } from "../../../providers/registry";
import { captureProgress, type Lab, newLab, versioned } from "./support";

const provider = implementationFor("GroupWritebackFeature");

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab({ m365: 5, m365OptedOut: 2, security: 1, securityEnabled: 0 });
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

const v1 = (extra: object = {}) =>
  versioned({ target: lab.target, version: "v1", writebackOu: lab.ou, ...extra });
const warnings = () => progress.lines.filter((line) => line.includes("NO DEFAULTS DECLARED"));

test("before v1 is in the state, check warns with the count from the Connect server; once it is, never", async () => {
  await provider.check({}, v1({ warnWithoutDefaults: true }));
  expect(warnings()).toEqual([
    expect.stringContaining(
      "NO DEFAULTS DECLARED: group writeback will write back 3 of the tenant's 5 existing Microsoft 365 groups " +
        "(all but the 2 opted out of writeback) to Active Directory; counted by the Entra Connect server (simulator",
    ),
  ]);
  expect(warnings()[0]).toContain("declare entra-writeback:defaults");
  progress.lines.length = 0;
  // In the state already (the filter above finds the line when it is printed).
  await provider.check({ version: "v1", configured: true }, v1({ warnWithoutDefaults: true }));
  expect(warnings()).toEqual([]);
});

test("with defaults declared (or composed by hand) there is no warning", async () => {
  await provider.check({}, v1({ warnWithoutDefaults: false }));
  await provider.check({}, v1());
  expect(warnings()).toEqual([]);
  // The same check prints it when asked (the filter can match).
  await provider.check({}, v1({ warnWithoutDefaults: true }));
  expect(warnings()).toHaveLength(1);
});

test("skip: every Microsoft 365 group is counted (v1 alone ignores each group's setting)", async () => {
  await provider.check({}, v1({ warnWithoutDefaults: true, requireV2: false }));
  expect(warnings().join("\n")).toContain("every one of the tenant's 5 existing Microsoft 365 groups");
});
