// What the serialized provider shells load in the provider process (see providers/common/shell.ts).
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "./common/shell";
import { groupWritebackFeatureProvider } from "./groupWritebackFeature/provider";
import { schedulerStateProvider } from "./schedulerState/provider";
import { writebackOuProvider } from "./writebackOu/provider";
import { writebackPermissionProvider } from "./writebackPermission/provider";

export { configureProviders } from "./common/connection";

const implementations: Record<ProviderKind, Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>> = {
  SchedulerState: schedulerStateProvider,
  GroupWritebackFeature: groupWritebackFeatureProvider,
  WritebackOU: writebackOuProvider,
  WritebackPermission: writebackPermissionProvider,
};

export function implementationFor(kind: ProviderKind) {
  return implementations[kind];
}
