// The contract suite against the PowerShell backend: real node-powershell and the real scripts' wire format,
// with the fake executable answering from the simulator (built into dist/ by npm run build). The suite's
// out-of-band control acts on the same simulator state file directly, as an administrator would on the server.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EntraConnectClient } from "../../operations/backend";
import { createPowerShellBackend } from "../../powershell/backend";
import {
  advance,
  initState,
  runAction,
  startBusyCycle,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "../../simulator";
import { describeContract } from "../contract/contractSuite";
import { createFakePowerShell } from "../support/fakePowerShellHarness";

const BUILT_SIMULATOR = path.join(__dirname, "..", "..", "dist", "simulator", "backend.js");

beforeAll(() => {
  if (!fs.existsSync(BUILT_SIMULATOR)) {
    throw new Error(
      `${BUILT_SIMULATOR} is missing: the fake powershell needs the built simulator; run npm run build`,
    );
  }
});

describeContract("PowerShell backend (fake powershell answering from the simulator)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-ps-contract-"));
  const stateFile = path.join(dir, "lab.json");
  const summary = await initState(stateFile, {
    clock: "simulated",
    now: "2025-01-06T08:00:00Z",
    era: "legacy",
  });
  const fake = createFakePowerShell({ mode: "simulator", simulatorStateFile: stateFile });
  const client = new EntraConnectClient(
    createPowerShellBackend({
      target: { kind: "local" },
      executable: fake.executable,
      callTimeoutMs: 10_000,
    }),
  );
  const meta = { client: "contract-control" };
  return {
    client,
    control: {
      connectorAccountDn: summary.connectorAccountDn,
      otherAccountDn: "CN=Administrator,CN=Users,DC=contoso,DC=com",
      scratchParentDn: "OU=Groups,OU=Corp,DC=contoso,DC=com",
      startBusyCycle: async (seconds) => {
        await runAction(stateFile, "busy", { seconds }, meta, (tx, server) =>
          startBusyCycle(tx, server, seconds),
        );
      },
      enableV1Wizard: async (ou) => {
        await wizardEnableGroupWriteback(stateFile, { ou, ...meta });
      },
      setStaging: async (enabled) => {
        await wizardSetStagingMode(stateFile, enabled, meta);
      },
      advance: async (seconds) => {
        await runAction(stateFile, "clock.advance", { seconds }, meta, (tx) => advance(tx, seconds));
      },
    },
    cleanup: async () => {
      await client.close();
      // Every call went through the one-line bootstrap: the fake refused nothing.
      expect(fake.log().filter((record) => record.event === "refused" || record.event === "failure")).toEqual(
        [],
      );
      expect(fake.processIds()).toHaveLength(1);
      fake.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
