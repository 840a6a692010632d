import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { cloudSyncMigrationStep } from "./schema";

export type CloudSyncMigrationStepArgs = ArgsOf<typeof cloudSyncMigrationStep.inputs>;

/** One step of the migration of Group Writeback V2 security groups to Cloud Sync (components/cloudSyncMigration.ts). */
export const CloudSyncMigrationStep = resourceClass(cloudSyncMigrationStep);
export type CloudSyncMigrationStep = InstanceType<typeof CloudSyncMigrationStep>;
