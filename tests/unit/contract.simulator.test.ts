// The contract suite against the simulator backend.
import { EntraConnectClient } from "../../contract/backend";
import { createSimulatorBackend } from "../../simulator";
import { describeContract } from "../contract/contractSuite";
import { newContractLab } from "../contract/simulatorLab";

describeContract("simulator", async () => {
  const lab = await newContractLab("entra-sim-contract-");
  const client = new EntraConnectClient(
    createSimulatorBackend({ stateFile: lab.stateFile, client: "contract-suite" }),
  );
  return {
    client,
    control: lab.control,
    cleanup: async () => {
      await client.close();
      lab.removeDirectory();
    },
  };
});
