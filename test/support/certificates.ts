import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @peculiar/x509 2.x resolves its ASN.1 classes through tsyringe, which needs this polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * Throwaway certificates made at test time (nothing secret is committed): a CA, a server
 * certificate for 127.0.0.1 / localhost, a client certificate from that CA, and a second,
 * unrelated CA with its own client certificate, to prove the wrong CA is refused.
 */
x509.cryptoProvider.set(webcrypto as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR_MS = 3_600_000;

/** PEM text of a certificate and its PKCS#8 private key. */
export interface Pem {
  readonly cert: Buffer;
  readonly key: Buffer;
}

interface Issued extends Pem {
  readonly x509: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

export interface TestPki {
  readonly ca: Pem;
  readonly server: Pem;
  /** A server certificate naming only `localhost`, not 127.0.0.1: a client at the IP must refuse it. */
  readonly serverByNameOnly: Pem;
  readonly client: Pem;
  /** Another client certificate from `ca`: trusted, but not the one a bound token names. */
  readonly secondClient: Pem;
  readonly otherCa: Pem;
  /** Client certificate signed by `otherCa`, not by `ca`. */
  readonly strangerClient: Pem;
}

/** The same material written as files, for the services' *_PATH variables. */
export interface TestPkiFiles {
  readonly dir: string;
  readonly pki: TestPki;
  /** `ca.crt`, `server.crt`, `server.key`, `client.crt`, … → absolute path. */
  path(file: string): string;
  remove(): void;
}

let serial = 1;

async function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function pem(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { cert: Buffer.from(cert.toString('pem') + '\n'), key: Buffer.from(key), x509: cert, keys };
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - HOUR_MS), notAfter: new Date(now + 24 * HOUR_MS) };
}

async function certificateAuthority(name: string): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALG,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return pem(cert, keys);
}

async function leaf(issuer: Issued, name: string, usage: 'server' | 'client', ips: readonly string[] = ['127.0.0.1']): Promise<Issued> {
  const keys = await keyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.x509),
  ];
  if (usage === 'server') {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([...ips.map((value) => ({ type: 'ip' as const, value })), { type: 'dns', value: 'localhost' }]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${name}`,
    issuer: issuer.x509.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    ...validity(),
    extensions,
  });
  return pem(cert, keys);
}

function plain({ cert, key }: Issued): Pem {
  return { cert, key };
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await certificateAuthority('grpc-token-auth test CA');
  const otherCa = await certificateAuthority('unrelated test CA');
  return {
    ca: plain(ca),
    server: plain(await leaf(ca, 'localhost', 'server')),
    serverByNameOnly: plain(await leaf(ca, 'localhost', 'server', [])),
    client: plain(await leaf(ca, 'business-svc', 'client')),
    secondClient: plain(await leaf(ca, 'reports-svc', 'client')),
    otherCa: plain(otherCa),
    strangerClient: plain(await leaf(otherCa, 'stranger', 'client')),
  };
}

/** Writes every certificate and key of `pki` to a fresh temp dir (keys with mode 0600). */
export function writeTestPki(pki: TestPki): TestPkiFiles {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  for (const [name, { cert, key }] of Object.entries(pki) as [string, Pem][]) {
    writeFileSync(join(dir, `${name}.crt`), cert);
    writeFileSync(join(dir, `${name}.key`), key, { mode: 0o600 });
  }
  return { dir, pki, path: (file) => join(dir, file), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
