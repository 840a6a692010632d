import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { unifiedGroupWritebackDefault } from "./schema";

export type UnifiedGroupWritebackDefaultArgs = ArgsOf<typeof unifiedGroupWritebackDefault.inputs>;

/**
 * The tenant's Group.Unified setting NewUnifiedGroupWritebackDefault (Microsoft Graph; entra-writeback:graph): the
 * writeback default of new Microsoft 365 groups. Existing groups keep their own writeback setting.
 */
export const UnifiedGroupWritebackDefault = resourceClass(unifiedGroupWritebackDefault);
export type UnifiedGroupWritebackDefault = InstanceType<typeof UnifiedGroupWritebackDefault>;
