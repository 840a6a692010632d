// Input pieces every resource shares.
import { z } from "zod";
import { target } from "../../operations/target";

export const commonInputs = {
  target,
  /** Set by the resource classes; see providers/common/version.ts. */
  providerVersion: z.string(),
};

export const syncIdleTimeoutSeconds = z.number().int().min(0).max(86_400).default(600);
