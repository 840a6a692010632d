import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { writebackOu } from "./schema";

export type WritebackOuArgs = ArgsOf<typeof writebackOu.inputs>;

/** The writeback OU in Active Directory, protected from accidental deletion; an existing OU is adopted. */
export const WritebackOU = resourceClass(writebackOu);
export type WritebackOU = InstanceType<typeof WritebackOU>;
