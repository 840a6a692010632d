// The contract suite against the simulator backend.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EntraConnectClient } from "../../operations/backend";
import {
  advance,
  createSimulatorBackend,
  initState,
  runAction,
  startBusyCycle,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "../../simulator";
import { describeContract } from "../contract/contractSuite";

describeContract("simulator", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-contract-"));
  const stateFile = path.join(dir, "lab.json");
  const summary = await initState(stateFile, {
    clock: "simulated",
    now: "2025-01-06T08:00:00Z",
    era: "legacy",
  });
  const client = new EntraConnectClient(createSimulatorBackend({ stateFile, client: "contract-suite" }));
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
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
