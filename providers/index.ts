// The dynamic resources. Each is a thin serialized shell (common/shell.ts) over an implementation in
// <resource>/provider.ts that talks to the server only through the operation contract (contract/).
export { SchedulerState, type SchedulerStateArgs } from "./schedulerState/resource";
export {
  GroupWritebackFeature,
  type GroupWritebackFeatureArgs,
  type GroupWritebackV1Args,
  type GroupWritebackV2Args,
} from "./groupWritebackFeature/resource";
export { WritebackOU, type WritebackOuArgs } from "./writebackOu/resource";
export { WritebackPermission, type WritebackPermissionArgs } from "./writebackPermission/resource";
export {
  UnifiedGroupWritebackDefault,
  type UnifiedGroupWritebackDefaultArgs,
} from "./unifiedGroupWritebackDefault/resource";
export { CloudSyncMigrationStep, type CloudSyncMigrationStepArgs } from "./cloudSyncMigration/resource";
export {
  CloudSyncConfiguration,
  type CloudSyncConfigurationArgs,
  CloudSyncJob,
  type CloudSyncJobArgs,
  CloudSyncMappings,
  type CloudSyncMappingsArgs,
  CloudSyncScope,
  type CloudSyncScopeArgs,
} from "./cloudSync/resource";
export { SyncRule, type SyncRuleArgs } from "./syncRule/resource";
