// The stack file of a simulated lab stack, as the measurement tools write it: one place for its OU and keys.
export const LAB_OU = "OU=Entra Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com";

/** Pulumi.<stack>.yaml for a lab stack on the simulated server in stateFile. */
export function labStackConfig(stateFile: string, connectorAccountDn: string): string {
  return [
    "config:",
    "  entra-writeback:target:",
    "    kind: simulator",
    `    stateFile: ${stateFile}`,
    `  entra-writeback:writebackOu: ${LAB_OU}`,
    `  entra-writeback:connectorAccountDn: ${connectorAccountDn}`,
    "",
  ].join("\n");
}
