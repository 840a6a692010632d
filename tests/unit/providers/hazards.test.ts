// The hazard messages' arithmetic and wording rules, the drift explanation of v1, and user-facing errors without
// stack traces. The end-to-end proof of each hazard is tests/e2e/hazards.test.ts.
import type { GroupSet } from "../../../contract/contract";
import { explainDrift } from "../../../providers/driftDetails";
import { groupWritebackSettings, writebackDefaults } from "../../../components/schema";
import { NAMESPACE, readStackConfig } from "../../../components/stackConfig";
import { DELETE_RULE_NAME } from "../../../domain/groupWritebackRules";
import {
  DELETE_RULE_KEY,
  describeSet,
  optedOutInOuMessage,
  skipMessage,
  v1BeforeV2Message,
  v2TurnedOffMessage,
  wizardChangeMessage,
} from "../../../providers/groupWritebackFeature/hazards";
import { withoutStackTrace } from "../../../providers/registry";

const set = (count: number, names: string[]): GroupSet => ({
  count,
  sample: names.map((displayName, index) => ({
    cloudObjectId: `00000000-0000-0000-0000-00000000000${index}`,
    displayName,
    dn: null,
  })),
});

const counts = {
  microsoft365Groups: 12,
  optedOutMicrosoft365Groups: set(3, ["Legal", "HR"]),
  securityGroups: 4,
  writebackEnabledSecurityGroups: 2,
  inOu: { writtenBack: 3, optedOutMicrosoft365: set(1, ["Legal"]), security: set(2, ["SG-A", "SG-B"]) },
};

test("a sample names its groups and how many more there are", () => {
  expect(describeSet(set(5, ["A", "B"]))).toBe("A, B and 3 more");
  expect(describeSet(set(2, ["A", "B"]))).toBe("A, B");
  expect(describeSet(set(0, []))).toBe("");
});

test("skip: all Microsoft 365 groups against the opted-out ones", () => {
  const message = skipMessage({ ok: true, counts });
  expect(message).toContain(
    "On this tenant that is all 12 Microsoft 365 groups, including the 3 that opted out",
  );
  expect(message).toContain("Legal, HR and 1 more");
  expect(message).toContain("The 2 security groups enabled for writeback are not written back");
});

test("v2 turned off: opted-out groups not yet in AD, and the security groups it deletes", () => {
  const message = v2TurnedOffMessage("CONNECT01", "OU=W,DC=c", { ok: true, counts });
  expect(message).toContain("the 3 Microsoft 365 groups that opted out (2 not yet in Active Directory)");
  expect(message).toContain("And it DELETES the 2 security groups v2 wrote back to OU=W,DC=c: SG-A, SG-B.");
});

test("without counts the hazard is still said, with the reason", () => {
  const message = v1BeforeV2Message("CONNECT01", "OU=W,DC=c", {
    ok: false,
    reason: "not connected to Graph",
  });
  expect(message).toContain("HAZARD: group writeback v1 was enabled in the wizard on CONNECT01");
  expect(message).toContain("(The group counts could not be read from the tenant: not connected to Graph)");
});

test("a wizard-only change names the key to set back", () => {
  const message = wizardChangeMessage({
    currentOu: "OU=A,DC=c",
    declaredOu: "OU=A,DC=c",
    currentDnFormat: "objectId",
    declaredDnFormat: "displayName",
    writtenBack: 7,
  });
  expect(message).toContain("CHANGE NEEDS A PERSON: dnFormat objectId -> displayName.");
  expect(message).toContain("DELETES all 7 groups written back to OU=A,DC=c");
  expect(message).toContain("set entra-writeback:dnFormat back to objectId.");
});

test("v1 drift names the unacknowledged opted-out groups, and nothing once acknowledged", () => {
  const outputs = {
    configured: true,
    containerDn: "OU=W,DC=c",
    displayNameDn: false,
    writtenBackGroupCount: 9,
    optedOutGroupsInOu: set(2, ["Legal", "HR"]),
  };
  const inputs = { version: "v1", writebackOu: "OU=W,DC=c", dnFormat: "objectId", requireV2: true };
  expect(
    explainDrift("GroupWritebackFeature", outputs, { ...inputs, acknowledgedOptedOutGroups: 0 }),
  ).toEqual([
    { property: "optedOutGroupsInOu", live: 2, declared: "at most 0 (acknowledgedOptedOutGroups)" },
  ]);
  expect(
    explainDrift("GroupWritebackFeature", outputs, { ...inputs, acknowledgedOptedOutGroups: 2 }),
  ).toEqual([]);
});

test("a user-facing error prints as one statement; a programming error keeps its stack", () => {
  const clean = withoutStackTrace(
    new Error("refusing to delete OU=W: set allowNonEmptyOuDeletion"),
    "WritebackOU delete",
  );
  expect(`${clean}: ${(clean as Error).stack}`).toBe(
    "WritebackOU delete failed: refusing to delete OU=W: set allowNonEmptyOuDeletion",
  );
  expect((clean as Error).message).toBe("refusing to delete OU=W: set allowNonEmptyOuDeletion");
  const bug = new TypeError("x is undefined");
  expect(withoutStackTrace(bug, "WritebackOU delete")).toBe(bug);
});

test("advice (a) names the stack key that declares Microsoft's delete rule, and its command is accepted as stack configuration", () => {
  const message = optedOutInOuMessage("OU=Entra Writeback,DC=contoso,DC=com", set(2, ["Legal", "Sales"]), 0);
  const command = /`pulumi config set --path (\S+) (\S+)`/.exec(message);
  expect(command).not.toBeNull();
  const [, key, value] = command!;
  expect(key).toBe(DELETE_RULE_KEY);
  expect(message).toContain(`(a) add Microsoft's documented delete rule "${DELETE_RULE_NAME}"`);
  // entra-writeback:defaults.deleteRulePrecedence is a real key: the namespace, defaults, and its precedence.
  const [namespace, path] = key!.split(":");
  const [top, nested] = path!.split(".");
  expect(namespace).toBe(NAMESPACE);
  expect(Object.keys(groupWritebackSettings.shape)).toContain(top);
  expect(Object.keys(writebackDefaults.shape)).toContain(nested);
  // What the command stores (--path: a number) is accepted without Graph, and declares that precedence.
  const values: Record<string, string> = {
    target: JSON.stringify({ kind: "simulator", stateFile: "lab.json" }),
    writebackOu: "OU=Entra Writeback,DC=contoso,DC=com",
    connectorAccountDn: "CN=MSOL_a1b2c3d4e5f6,CN=Users,DC=contoso,DC=com",
    [top!]: JSON.stringify({ [nested!]: Number(value) }),
  };
  const config = { get: (name: string) => values[name] } as unknown as Parameters<typeof readStackConfig>[0];
  expect(readStackConfig(config, Object.keys(values)).defaults).toEqual({ deleteRulePrecedence: 50 });
});
