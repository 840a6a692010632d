// Scenario 3: resources composed by hand with v1 before v2 are refused before anything is written back.
import * as fs from "fs";
import { GroupWritebackFeature, SchedulerState } from "../../providers";
import { createTestStack } from "./support/pulumiHarness";
import {
  failureOf,
  LAB_OU,
  newLabDirectory,
  newLabServer,
  providerOperations,
  show,
  simOk,
} from "./support/lab";

jest.setTimeout(5 * 60_000);

/** Every group written back anywhere in the domain (they carry a Group_<objectId> adminDescription). */
function writtenBackGroups(stateFile: string): unknown[] {
  const objects = JSON.parse(simOk(["ad", stateFile, "list", "DC=contoso,DC=com", "--json"])) as {
    objectClass: string;
    adminDescription?: string | null;
  }[];
  return objects.filter((o) => o.objectClass === "group" && o.adminDescription?.startsWith("Group_"));
}

test.each([
  ["v1 declared before v2", true],
  ["v1 declared without any v2", false],
])("%s: refused, and nothing is written back", async (_label, declareV2After) => {
  const directory = newLabDirectory();
  const stateFile = newLabServer(directory, ["--m365", "5", "--m365-opted-out", "2"]);
  const target = { kind: "simulator" as const, stateFile };
  const testStack = await createTestStack({
    stackName: "by-hand",
    program: async () => {
      const scheduler = new SchedulerState("scheduler", { target });
      const v1 = new GroupWritebackFeature(
        "v1-first",
        { target, version: "v1", writebackOu: LAB_OU },
        { dependsOn: [scheduler] },
      );
      if (declareV2After)
        new GroupWritebackFeature("v2-after", { target, version: "v2" }, { dependsOn: [v1] });
    },
  });
  try {
    const failure = await failureOf(testStack.stack.up());
    expect(failure).toContain("refusing group writeback v1");
    expect(failure).toContain("with v1 alone EVERY Microsoft 365 group is written back");
    expect(failure).toContain("Do not run the wizard step yet");
    expect(failure).not.toContain(
      "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
    );

    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(false);
    expect(state.tenant.features.unifiedGroupWriteback).toBe(false);
    expect(state.servers[0]?.groupWriteback.containerDn).toBeNull();
    expect(writtenBackGroups(stateFile)).toHaveLength(0);
    expect(providerOperations(stateFile).map((o) => o.operation)).not.toContain("setGroupWritebackV2");
  } finally {
    await testStack.cleanup();
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
