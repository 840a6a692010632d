// The Pulumi program: stack configuration (entra-writeback:*) -> one GroupWriteback for one Entra Connect
// server. `pulumi up` runs it; the Automation API tools import it (see tools/).
import * as pulumi from "@pulumi/pulumi";
import { GroupWriteback } from "./components/groupWriteback";
import { readStackConfig } from "./components/stackConfig";
import { requireCompiledProviders } from "./providers/common/shell";
import { connectSyncMembersNote } from "./domain/cloudSync";

export default async function program() {
  // Once, before anything is declared: every provider shell loads the compiled code.
  requireCompiledProviders();
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
    // Only a stack that declares the migration has this output.
    ...(writeback.migration ? { cloudSyncMigrationPlan: writeback.cloudSyncMigrationPlan } : {}),
    ...(writeback.cloudSync
      ? {
          cloudSync: {
            servicePrincipalId: writeback.cloudSync.servicePrincipalId,
            jobId: writeback.cloudSync.jobId,
            jobState: writeback.cloudSync.jobState,
            statusCode: writeback.cloudSync.statusCode,
            quarantineReason: writeback.cloudSync.quarantineReason,
            quarantineRelease: writeback.cloudSync.quarantineRelease,
            synchronizedCounts: writeback.cloudSync.synchronizedCounts,
            needsAttention: writeback.cloudSync.needsAttention,
            // The Connect server of this stack decides whether the users it syncs can be members.
            prerequisites: pulumi
              .all([writeback.cloudSync.prerequisites, writeback.computerName, writeback.serverVersion])
              .apply(([notes, server, build]) => [...notes, connectSyncMembersNote(server, build)]),
          },
        }
      : {}),
  };
}
