import * as crypto from "node:crypto";
import { GraphAuthenticationError, GraphClient } from "../../../graph";
import { addGraphAppCertificate, generateLoopbackCertificate } from "../../../simulator/graph";
import { graphEntries, newGraphSim, type GraphSim } from "./support";

let g: GraphSim;
beforeEach(async () => {
  g = await newGraphSim({ m365: 2, security: 1, securityEnabled: 1 });
});
afterEach(async () => g.cleanup());

describe("a certificate instead of a client secret", () => {
  it("the loopback certificate is a valid self-signed CA for 127.0.0.1", () => {
    const certificate = new crypto.X509Certificate(g.graph.certificatePem);
    expect(certificate.ca).toBe(true);
    expect(certificate.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkIP("127.0.0.1")).toBe("127.0.0.1");
  });

  it("gets a token with a client assertion signed by a certificate uploaded to the app, and not with another one", async () => {
    const uploaded = generateLoopbackCertificate("entra-writeback app", 30, "rsa");
    const other = generateLoopbackCertificate("someone else", 30, "rsa");
    await addGraphAppCertificate(g.sim.file, g.writer.clientId, uploaded.certificatePem);
    const connection = (pem: string) => ({
      tenantId: g.tenantId,
      clientId: g.writer.clientId,
      certificatePem: pem,
      authorityHost: g.graph.authorityHost,
      graphEndpoint: g.graph.graphEndpoint,
      trustedCertificatePem: g.graph.certificatePem,
    });
    const good = new GraphClient(connection(`${uploaded.certificatePem}${uploaded.privateKeyPem}`));
    const bad = new GraphClient(connection(`${other.certificatePem}${other.privateKeyPem}`));
    try {
      expect(await good.listGroups()).toHaveLength(3);
      const error = await bad.listGroups().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GraphAuthenticationError);
      expect((error as Error).message).toContain(
        "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.",
      );
      expect((error as Error).message).not.toContain("PRIVATE KEY");
    } finally {
      await good.close();
      await bad.close();
    }
    const tokens = graphEntries(g).filter((entry) => entry.operation === "graph.token");
    expect(tokens.map((entry) => (entry.args as { status: number }).status)).toEqual([200, 401]);
    expect((tokens[0]?.args as { body: Record<string, unknown> }).body).toEqual({
      grant_type: "client_credentials",
      client_id: g.writer.clientId,
      scope: `${g.graph.graphEndpoint}/.default`,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    });
    expect(JSON.stringify(g.sim.journal())).not.toContain("eyJ");
  });
});
