// Progress messages from the provider process. Pulumi shows a dynamic provider's stdout lines in the
// engine's output (stack-level diagnostics); resource-attached logging is not available there.
export type Progress = (message: string) => void;

export function progressFor(resource: string): Progress {
  return (message) => {
    console.log(`[entra-writeback] ${resource}: ${message}`);
  };
}
