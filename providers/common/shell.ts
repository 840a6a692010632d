// The part of each dynamic provider that Pulumi serializes into state: a thin shell that loads the
// real implementation from the project's compiled code in the provider process. Keeping it thin keeps
// state small, avoids serializing zod, sessions or node-powershell, and means that the current code (not
// the code of the last update) runs read and delete for existing stacks.
import type * as pulumi from "@pulumi/pulumi";

export type ProviderKind = "SchedulerState" | "GroupWritebackFeature" | "WritebackOU" | "WritebackPermission";

type Implementation = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

export function serializableProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  // Runs in the provider process, whose working directory is the Pulumi project directory.
  // `require` is never captured by Pulumi's closure serializer, so this resolves there, not here.
  const load = (): {
    implementationFor(kind: ProviderKind): Implementation;
    configureProviders(settings: Record<string, string | undefined>): void;
  } => {
    const path = require("path");
    const root = process.env.ENTRA_WRITEBACK_PROJECT_DIR || process.cwd();
    const registry = path.join(root, "dist", "providers", "registry.js");
    try {
      return require(registry);
    } catch (error) {
      throw new Error(
        `entra-writeback: cannot load the compiled providers from ${registry} (${(error as Error).message}). ` +
          "Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.",
        { cause: error },
      );
    }
  };
  return {
    async configure(request) {
      load().configureProviders({
        password: request.config.get("entra-writeback:password"),
        callTimeoutSeconds: request.config.get("entra-writeback:callTimeoutSeconds"),
      });
    },
    check: (olds, news) => load().implementationFor(kind).check(olds, news),
    diff: (id, olds, news) => load().implementationFor(kind).diff(id, olds, news),
    create: (inputs) => load().implementationFor(kind).create(inputs),
    read: (id, props) => load().implementationFor(kind).read(id, props),
    update: (id, olds, news) => load().implementationFor(kind).update(id, olds, news),
    delete: (id, props) => load().implementationFor(kind).delete(id, props),
  };
}
