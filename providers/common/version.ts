/**
 * The behaviour version of every provider. It is an input of every resource, so bumping it makes the
 * next `pulumi up` update each resource, which refreshes the serialized provider stored in state.
 */
export const PROVIDER_VERSION = "1";

/** The oldest Entra Connect build that supports Group Writeback V2 (Microsoft's documented prerequisite). */
export const MINIMUM_V2_CONNECT_VERSION = "2.0.89.0";

export { compareVersions } from "../../operations/version";
