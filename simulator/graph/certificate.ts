// A self-signed TLS certificate for the simulated Graph, made at start: an EC P-256 key and a minimal X.509 v3
// certificate (CA:TRUE, subjectAltName 127.0.0.1 and localhost), DER-encoded here because Node can parse and
// verify certificates but not issue them. Clients trust exactly this certificate (docs/simulator.md).
import * as crypto from "node:crypto";

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...content: Buffer[]): Buffer => der(0x30, ...content);

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = part >> 7; rest > 0; rest >>= 7) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  const trimmed = bytes[0] === 0 ? bytes.subarray(1) : bytes;
  return der(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return der(0x17, Buffer.from(text, "ascii"));
}

function name(commonName: string): Buffer {
  return sequence(der(0x31, sequence(oid("2.5.4.3"), der(0x0c, Buffer.from(commonName, "utf8")))));
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));
const SHA256_WITH_RSA = sequence(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));

export interface GeneratedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * A certificate valid from one hour ago for the given days, for 127.0.0.1 and localhost. EC for the server; RSA
 * for an app registration's certificate credential (MSAL signs client assertions with RSA).
 */
export function generateLoopbackCertificate(
  commonName = "entra-sim Microsoft Graph (loopback)",
  days = 30,
  keyType: "ec" | "rsa" = "ec",
): GeneratedCertificate {
  const { privateKey, publicKey } =
    keyType === "ec"
      ? crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" })
      : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signatureAlgorithm = keyType === "ec" ? ECDSA_WITH_SHA256 : SHA256_WITH_RSA;
  const spki = publicKey.export({ type: "spki", format: "der" });
  const now = Date.now();
  const basicConstraints = sequence(
    oid("2.5.29.19"),
    der(0x01, Buffer.from([0xff])),
    der(0x04, sequence(der(0x01, Buffer.from([0xff])))),
  );
  const subjectAltName = sequence(
    oid("2.5.29.17"),
    der(0x04, sequence(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from("localhost", "ascii")))),
  );
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    positiveInteger(crypto.randomBytes(16)),
    signatureAlgorithm,
    name(commonName),
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + days * 86_400_000))),
    name(commonName),
    spki,
    der(0xa3, sequence(basicConstraints, subjectAltName)),
  );
  const signature = crypto.sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, signatureAlgorithm, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString("base64").replace(/.{1,64}/g, "$&\n");
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
