// A fresh simulated server for the contract suite, and the out-of-band control that acts on its state file
// directly, as an administrator would on the server. Both backends' contract tests share it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  addCloudGroup,
  advance,
  initState,
  runAction,
  setGroupExternalDirectoryObjectId,
  startBusyCycle,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "../../simulator";
import type { ContractControl } from "./contractSuite";

export interface ContractLab {
  directory: string;
  stateFile: string;
  control: ContractControl;
  removeDirectory(): void;
}

export async function newContractLab(prefix: string): Promise<ContractLab> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stateFile = path.join(directory, "lab.json");
  const summary = await initState(stateFile, {
    clock: "simulated",
    now: "2025-01-06T08:00:00Z",
    era: "legacy",
  });
  const meta = { client: "contract-control" };
  return {
    directory,
    stateFile,
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
      addWritebackSecurityGroup: async (name) => {
        await runAction(stateFile, "tenant.add-group", { name }, meta, (tx) => {
          addCloudGroup(tx, { type: "security", name, writeback: "true" });
        });
      },
      setExternalDirectoryObjectId: async (dn, value) => {
        await runAction(stateFile, "ad.set-attribute", { dn, value }, meta, (tx) =>
          setGroupExternalDirectoryObjectId(tx, dn, value),
        );
      },
      advance: async (seconds) => {
        await runAction(stateFile, "clock.advance", { seconds }, meta, (tx) => advance(tx, seconds));
      },
    },
    removeDirectory: () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}
