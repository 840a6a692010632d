// The simulated Microsoft Graph (docs/simulator.md, "Microsoft Graph").
export { generateLoopbackCertificate } from "./certificate";
export {
  GROUP_UNIFIED_TEMPLATE_ID,
  NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT,
  newUnifiedGroupWritebackDefault,
  SETTING_TEMPLATES,
} from "./directorySettings";
export { type GraphFaultInput, graphFaultInputSchema } from "./faults";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./routes";
export {
  GRAPH_HOST,
  type GraphSimulatorOptions,
  type RunningGraphSimulator,
  startGraphSimulator,
} from "./server";
export {
  addGraphAppCertificate,
  armGraphFault,
  GRAPH_JOURNAL_SERVER,
  type GraphCredentials,
  readGraphCredentials,
  withGraphTenant,
} from "./tenantAccess";
