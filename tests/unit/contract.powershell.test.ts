// The contract suite against the PowerShell backend: real node-powershell and the real scripts' wire format,
// with the fake executable answering from the simulator (built into dist/ by npm run build). The suite's
// out-of-band control acts on the same simulator state file directly, as an administrator would on the server.
import * as fs from "node:fs";
import * as path from "node:path";
import { EntraConnectClient } from "../../contract/backend";
import { createPowerShellBackend } from "../../powershell/backend";
import { describeContract } from "../contract/contractSuite";
import { newContractLab } from "../contract/simulatorLab";
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
  const lab = await newContractLab("entra-ps-contract-");
  const fake = createFakePowerShell({ mode: "simulator", simulatorStateFile: lab.stateFile });
  const client = new EntraConnectClient(
    createPowerShellBackend({
      target: { kind: "local" },
      executable: fake.executable,
      callTimeoutMs: 10_000,
    }),
  );
  return {
    client,
    control: lab.control,
    cleanup: async () => {
      await client.close();
      // Every call went through the one-line bootstrap: the fake refused nothing.
      expect(fake.log().filter((record) => record.event === "refused" || record.event === "failure")).toEqual(
        [],
      );
      expect(fake.processIds()).toHaveLength(1);
      fake.cleanup();
      lab.removeDirectory();
    },
  };
});
