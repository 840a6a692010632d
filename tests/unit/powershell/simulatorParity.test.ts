// The same scenarios against the simulator directly and through the PowerShell backend (real node-powershell,
// the fake executable in simulator mode): the wire format and the error mapping must not change any outcome.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Backend } from "../../../contract/backend";
import type { OperationName } from "../../../contract/contract";
import { addFault, createSimulatorBackend, initState, type InitOptions, runAction } from "../../../simulator";
import { createTestBackend, type TestBackend } from "../../support/powerShellTestBackend";

const BUILT_SIMULATOR = path.join(__dirname, "..", "..", "..", "dist", "simulator", "backend.js");
const SCRATCH = "OU=Groups,OU=Corp,DC=contoso,DC=com";
const UNICODE_NAME = "\u00dcn\u00efc\u00f8d\u00e9 \u2013 \u201Cquotes\u201D";

type Call = [OperationName, unknown];
type Outcome = { result: unknown } | { code: string; message: string };

interface Pair {
  direct: Backend;
  throughPowerShell: TestBackend;
  stateFiles: [string, string];
}

const directories: string[] = [];

async function pair(options: InitOptions, callTimeoutMs = 5_000): Promise<Pair> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-ps-parity-"));
  directories.push(directory);
  const stateFiles: [string, string] = [
    path.join(directory, "direct.json"),
    path.join(directory, "powershell.json"),
  ];
  for (const file of stateFiles) {
    await initState(file, { clock: "simulated", now: "2025-01-06T08:00:00Z", ...options });
  }
  return {
    direct: createSimulatorBackend({ stateFile: stateFiles[0] }),
    throughPowerShell: createTestBackend({
      mode: "simulator",
      simulatorStateFile: stateFiles[1],
      callTimeoutMs,
    }),
    stateFiles,
  };
}

async function outcomeOf(backend: Backend, [operation, args]: Call): Promise<Outcome> {
  try {
    return { result: await backend.run(operation, args) };
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

async function expectSameOutcomes(calls: Call[], options: InitOptions = {}): Promise<Outcome[]> {
  const { direct, throughPowerShell } = await pair(options);
  try {
    const outcomes: Outcome[] = [];
    for (const call of calls) {
      const expected = await outcomeOf(direct, call);
      expect({ call: call[0], outcome: await outcomeOf(throughPowerShell.backend, call) }).toEqual({
        call: call[0],
        outcome: expected,
      });
      outcomes.push(expected);
    }
    expect(throughPowerShell.fake.log().filter((record) => record.event === "refused")).toEqual([]);
    return outcomes;
  } finally {
    await direct.close();
    await throughPowerShell.dispose();
  }
}

beforeAll(() => {
  if (!fs.existsSync(BUILT_SIMULATOR)) throw new Error(`${BUILT_SIMULATOR} is missing: run npm run build`);
});
afterAll(() => {
  for (const directory of directories) fs.rmSync(directory, { recursive: true, force: true });
});

describe("the PowerShell backend over the simulator gives the simulator's own outcomes", () => {
  it("every read", async () => {
    await expectSameOutcomes([
      ["getServerInfo", {}],
      ["getScheduler", {}],
      ["getCompanyFeatures", {}],
      ["getGroupWritebackV1Config", {}],
      ["getSyncScope", {}],
      ["getOrganizationalUnit", { dn: SCRATCH }],
      ["listWrittenBackGroups", { dn: SCRATCH }],
      ["listPendingExports", { dn: SCRATCH }],
      ["getCloudGroupWriteback", { dn: SCRATCH, sampleSize: 5 }],
      ["getCloudGroupWriteback", { dn: null, sampleSize: 5 }],
    ]);
  });

  it("a current-era tenant refuses GroupWritebackV2 (FeatureRefused)", async () => {
    const [outcome] = await expectSameOutcomes([["setGroupWritebackV2", { enabled: true }]], {
      era: "current",
    });
    expect(outcome).toMatchObject({ code: "FeatureRefused" });
  });

  it("a build without -GroupWritebackV2 (CmdletError)", async () => {
    const [outcome] = await expectSameOutcomes([["setGroupWritebackV2", { enabled: true }]], {
      connectVersion: "1.5.45.0",
    });
    expect(outcome).toMatchObject({ code: "CmdletError" });
  });

  it("OU errors: name in use, missing parent, missing account", async () => {
    const outcomes = await expectSameOutcomes([
      ["newOrganizationalUnit", { name: "Writeback", parentDn: SCRATCH }],
      ["newOrganizationalUnit", { name: "Writeback", parentDn: SCRATCH }],
      ["newOrganizationalUnit", { name: "Writeback", parentDn: "OU=Nowhere,DC=contoso,DC=com" }],
      [
        "grantWritebackAccess",
        { dn: `OU=Writeback,${SCRATCH}`, accountDn: "CN=Nobody,CN=Users,DC=contoso,DC=com" },
      ],
    ]);
    expect(outcomes.slice(1).map((outcome) => ("code" in outcome ? outcome.code : "ok"))).toEqual([
      "CmdletError",
      "NotFound",
      "NotFound",
    ]);
  });

  it("a non-ASCII OU name round-trips", async () => {
    const [created] = await expectSameOutcomes([
      ["newOrganizationalUnit", { name: UNICODE_NAME, parentDn: SCRATCH }],
      ["getOrganizationalUnit", { dn: `OU=${UNICODE_NAME},${SCRATCH}` }],
    ]);
    expect(created).toMatchObject({ result: { name: UNICODE_NAME } });
  });
});

describe("where the two differ on purpose", () => {
  it("an injected fault is a cmdlet error to PowerShell (a real server has no fault injection)", async () => {
    const { direct, throughPowerShell, stateFiles } = await pair({});
    try {
      for (const file of stateFiles) {
        await runAction(file, "fault", {}, { client: "test" }, (tx) =>
          addFault(tx, { operation: "getScheduler", message: "injected for the test" }),
        );
      }
      expect(await outcomeOf(direct, ["getScheduler", {}])).toEqual({
        code: "InjectedFault",
        message: "injected for the test",
      });
      expect(await outcomeOf(throughPowerShell.backend, ["getScheduler", {}])).toEqual({
        code: "CmdletError",
        message: "injected for the test",
      });
    } finally {
      await direct.close();
      await throughPowerShell.dispose();
    }
  });

  it("an injected hang is a real timeout, after which a fresh session answers", async () => {
    // 1.2 s: the hang costs that much, and the first call on the fresh session (the simulator's SQLite and the
    // operation; the session's opening, with the fake's module load, is under the 60 s open timeout) must fit in it
    // on a loaded machine (400 ms failed once at load 12).
    const { direct, throughPowerShell, stateFiles } = await pair({}, 1_200);
    try {
      await runAction(stateFiles[1], "fault", {}, { client: "test" }, (tx) =>
        addFault(tx, { operation: "getScheduler", kind: "hang" }),
      );
      expect(await outcomeOf(throughPowerShell.backend, ["getScheduler", {}])).toMatchObject({
        code: "Timeout",
      });
      expect(await outcomeOf(throughPowerShell.backend, ["getScheduler", {}])).toMatchObject({
        result: { syncCycleInProgress: false },
      });
      expect(throughPowerShell.fake.processIds()).toHaveLength(2);
    } finally {
      await direct.close();
      await throughPowerShell.dispose();
    }
  });
});
