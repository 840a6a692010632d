// Input pieces every resource shares.
import { z } from "zod";
import { windowOwner } from "../../contract/contract";
import { target } from "../../contract/target";

export const commonInputs = {
  /** The Entra Connect server (stack config entra-writeback:target). */
  target,
  /** Set by the resource classes; see providers/common/version.ts. */
  providerVersion: z.string(),
};

/**
 * project/stack of the deploying stack, set by the component: it names the pause window on the server and the
 * simulator's journal entries. Not compared in diff (a renamed stack is not a change to the server).
 */
export const deployingStack = windowOwner.optional();

export const syncIdleTimeoutSeconds = z.number().int().min(0).max(86_400).default(600);
