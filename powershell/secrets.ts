// Keeps secrets out of every message and log line the backend produces.
const REDACTED = "***";

export type Redactor = (text: string) => string;

export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const present = secrets.filter(
    (secret): secret is string => typeof secret === "string" && secret.length > 0,
  );
  return (text) => present.reduce((redacted, secret) => redacted.split(secret).join(REDACTED), text);
}
