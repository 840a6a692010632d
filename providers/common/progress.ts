// Progress messages from the provider process. Pulumi shows a dynamic provider's stdout lines in the
// engine's output (stack-level diagnostics); resource-attached logging is not available there.
import type { Progress } from "../../domain/progress";

export type { Progress };

export function progressFor(resource: string): Progress {
  return (message) => {
    console.log(`[entra-writeback] ${resource}: ${message}`);
  };
}
