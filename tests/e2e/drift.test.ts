// Scenario 2: drift, one case per resource. preview --refresh names the resource and --expect-no-changes
// fails; up --refresh repairs what can be repaired and explains what needs a person.
import { convergedLabsForThisFile } from "./support/convergedLab";
import {
  failureOf,
  groupsIn,
  LAB_ACCOUNT,
  LAB_OU,
  plannedStep,
  show,
  simOk,
  wizardEnable,
} from "./support/lab";
import type { TestStack } from "./support/pulumiHarness";

jest.setTimeout(10 * 60_000);

const DRIFT_LAB = ["--m365", "6", "--m365-opted-out", "2", "--security", "2", "--security-enabled", "1"];
// Each test starts from its own copy of one converged lab, so no test depends on what another left behind.
const convergedLab = convergedLabsForThisFile();
let stateFile: string;
let testStack: TestStack;

beforeAll(async () => {
  const lab = await convergedLab("drift", DRIFT_LAB);
  try {
    await lab.testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await lab.testStack.cleanup();
  }
});

beforeEach(async () => {
  ({ stateFile, testStack } = await convergedLab("drift", DRIFT_LAB));
});

afterEach(async () => {
  await testStack?.cleanup();
});

async function expectDriftOn(resourceName: string, step: "update" | "create"): Promise<string> {
  const output = await failureOf(testStack.stack.preview({ refresh: true, expectNoChanges: true }));
  expect(output).toMatch(/no changes were expected/i);
  expect(plannedStep(output, resourceName)).toMatch(new RegExp(`${step}$`));
  return output;
}

test("the scheduler left disabled shows on SchedulerState and up --refresh re-enables it", async () => {
  simOk(["scheduler", stateFile, "--sync-cycle-enabled", "false"]);
  await expectDriftOn("group-writeback-scheduler", "update");
  const up = await testStack.stack.up({ refresh: true });
  expect(up.summary.result).toBe("succeeded");
  expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  await testStack.stack.preview({ refresh: true, expectNoChanges: true });
});

test("a deleted OU shows on WritebackOU; up --refresh recreates it and re-grants the ACE", async () => {
  simOk(["ad", stateFile, "delete-ou", LAB_OU, "--recursive"]);
  expect(groupsIn(stateFile, LAB_OU)).toHaveLength(0);
  const output = await expectDriftOn("group-writeback-ou", "create");
  expect(plannedStep(output, "group-writeback-permission")).toMatch(/update$/);
  await testStack.stack.up({ refresh: true });
  const ou = JSON.parse(simOk(["ad", stateFile, "list", LAB_OU, "--json"]))[0];
  expect(ou).toMatchObject({ objectClass: "organizationalUnit", protectedFromAccidentalDeletion: true });
  expect(ou.aces.map((ace: { accountDn: string }) => ace.accountDn)).toContain(LAB_ACCOUNT);
  // The next sync cycle writes the groups back into the recreated OU.
  simOk(["sync", stateFile, "--wait"]);
  expect(groupsIn(stateFile, LAB_OU)).toHaveLength(4 + 1);
  await testStack.stack.preview({ refresh: true, expectNoChanges: true });
});

test("a revoked ACE shows on WritebackPermission and up --refresh grants it again", async () => {
  simOk(["ad", stateFile, "revoke", LAB_OU, LAB_ACCOUNT]);
  await expectDriftOn("group-writeback-permission", "update");
  await testStack.stack.up({ refresh: true });
  const ou = JSON.parse(simOk(["ad", stateFile, "list", LAB_OU, "--json"]))[0];
  expect(ou.aces.map((ace: { accountDn: string }) => ace.accountDn)).toContain(LAB_ACCOUNT);
  await testStack.stack.preview({ refresh: true, expectNoChanges: true });
});

test("a wizard OU changed by hand shows on v1 and up --refresh explains that a person must decide", async () => {
  const otherOu = "OU=Groups,OU=Corp,DC=contoso,DC=com";
  simOk(["wizard", stateFile, "group-writeback", "--disable"]);
  simOk(["sync", stateFile, "--wait"]);
  simOk(["wizard", stateFile, "group-writeback", "--enable", "--ou", otherOu]);
  simOk(["clock", stateFile, "--advance", "120"]);
  await expectDriftOn("group-writeback-v1", "update");
  const failure = await failureOf(testStack.stack.up({ refresh: true }));
  expect(failure).toContain(`writes to ${otherOu}`);
  expect(failure).toContain("DELETES every written-back group");
  expect(failure).toContain("entra-writeback will not do that for you");
  // Put the wizard back as declared (a person's decision), and the stack converges again.
  simOk(["wizard", stateFile, "group-writeback", "--disable"]);
  simOk(["sync", stateFile, "--wait"]);
  wizardEnable(stateFile);
  simOk(["clock", stateFile, "--advance", "120"]);
  await testStack.stack.up({ refresh: true });
  await testStack.stack.preview({ refresh: true, expectNoChanges: true });
});

test("v2 turned off shows on the v2 feature; up --refresh cannot re-enable it and says why", async () => {
  simOk(["feature", stateFile, "--group-writeback-v2", "false"]);
  await expectDriftOn("group-writeback-v2", "update");
  const failure = await failureOf(testStack.stack.up({ refresh: true }));
  expect(failure).toContain("has been turned off outside it");
  expect(failure).toContain("irreversible");
  expect(failure).toContain("Cloud Sync");
  expect(failure).toContain("The sync scheduler was re-enabled");
  expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
});
