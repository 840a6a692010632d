import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { groupWritebackFeature, type v1Inputs, type v2Inputs } from "./schema";

export type GroupWritebackV2Args = ArgsOf<typeof v2Inputs, "version">;
export type GroupWritebackV1Args = ArgsOf<typeof v1Inputs, "version">;
export type GroupWritebackFeatureArgs = ArgsOf<typeof groupWritebackFeature.inputs, "version">;

/**
 * Group writeback: v2 is the tenant-wide GroupWritebackV2 flag (set with the scheduler paused); v1 is the
 * wizard's configuration, which this resource verifies (and waits for) but never changes itself.
 */
export const GroupWritebackFeature = resourceClass<
  typeof groupWritebackFeature.inputs,
  typeof groupWritebackFeature.outputs,
  "version"
>(groupWritebackFeature);
export type GroupWritebackFeature = InstanceType<typeof GroupWritebackFeature>;
