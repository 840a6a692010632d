// The Pulumi program: stack configuration (entra-writeback:*) -> one GroupWriteback for one Entra Connect
// server. `pulumi up` runs it; the Automation API tools import it (see tools/).
import * as pulumi from "@pulumi/pulumi";
import { GroupWriteback } from "./components/groupWriteback";
import { readStackConfig } from "./components/stackConfig";

export default async function program() {
  const args = readStackConfig(new pulumi.Config("entra-writeback"));
  const writeback = new GroupWriteback("group-writeback", args);
  return {
    computerName: writeback.computerName,
    serverVersion: writeback.serverVersion,
    v2State: writeback.v2State,
    v1State: writeback.v1State,
    writebackOu: writeback.writebackOu,
    writtenBackGroupCount: writeback.writtenBackGroupCount,
    pendingExports: writeback.pendingExports,
    pendingManualSteps: writeback.pendingManualSteps,
    needsAttention: writeback.needsAttention,
  };
}
