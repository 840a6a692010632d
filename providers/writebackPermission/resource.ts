import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { writebackPermission } from "./schema";

export type WritebackPermissionArgs = ArgsOf<typeof writebackPermission.inputs>;

/**
 * The connector account's group writeback rights: generic read/write, create/delete child, delete and
 * delete tree on group objects below the OU (the ACE Set-ADSyncUnifiedGroupWritebackPermissions grants).
 */
export const WritebackPermission = resourceClass(writebackPermission);
export type WritebackPermission = InstanceType<typeof WritebackPermission>;
