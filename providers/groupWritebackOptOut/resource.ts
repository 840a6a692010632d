import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { groupWritebackOptOut } from "./schema";

export type GroupWritebackOptOutArgs = ArgsOf<typeof groupWritebackOptOut.inputs>;

/**
 * writebackConfiguration.isEnabled = false on existing Microsoft 365 groups (Microsoft Graph; entra-writeback:graph):
 * every one, a list of ids, or a $filter; keepEnabled groups are kept in writeback.
 */
export const GroupWritebackOptOut = resourceClass(groupWritebackOptOut);
export type GroupWritebackOptOut = InstanceType<typeof GroupWritebackOptOut>;
