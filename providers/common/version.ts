/**
 * The version of the provider shell (shell.ts) stored in state. It is an input of every resource, so bumping it
 * makes the next `pulumi up` update each resource, which stores the current shell. Bump it only when a stored
 * shell can no longer drive the current code (the path it loads, or the registry's exports it calls, change):
 * the shell loads the current compiled implementation, so behaviour fixes reach existing stacks without a bump,
 * and a bump costs every stack an update of every resource. See docs/design.md, "Serialization and versions".
 */
export const PROVIDER_VERSION = "1";

/** The oldest Entra Connect build that supports Group Writeback V2 (Microsoft's documented prerequisite). */
export const MINIMUM_V2_CONNECT_VERSION = "2.0.89.0";

export { compareVersions } from "../../domain/version";
