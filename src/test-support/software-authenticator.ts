import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests: an ES256 (P-256) key pair per credential, answers built
 * byte by byte as the specification lays them out (clientDataJSON, authenticatorData, a `none`
 * attestation object in CBOR), so the server's verification runs for real without a browser.
 */

// ---- a minimal CBOR encoder (RFC 8949): the few types WebAuthn needs ---------------------------------

export type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const out = Buffer.alloc(3);
    out[0] = (major << 5) | 25;
    out.writeUInt16BE(length, 1);
    return out;
  }
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}

export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('only integers');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cborEncode)]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [key, item] of value) parts.push(cborEncode(key), cborEncode(item));
  return Buffer.concat(parts);
}

// ---- the authenticator -----------------------------------------------------------------------------

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export type SoftCredential = {
  id: string;
  rawId: Buffer;
  privateKey: KeyObject;
  /** The signature counter the next answer will carry (raised before each assertion). */
  counter: number;
};

/** The COSE_Key (RFC 9052) of an EC2 P-256 public key for ES256. */
export function coseEc2PublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  return cborEncode(
    new Map<CborValue, CborValue>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, x],
      [-3, y],
    ]),
  );
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function counterBytes(counter: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(counter >>> 0, 0);
  return out;
}

export class SoftwareAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    /** The origin the "browser" reports, e.g. http://localhost:3000. */
    readonly origin: string,
    /** The RP ID this authenticator signs for (its hash goes into authenticatorData). */
    readonly rpID: string = new URL(origin).hostname,
    /** The counter a new credential starts from; 0 means "no counter kept". */
    readonly initialCounter = 1,
  ) {}

  /** Answers registration options with a new credential: a RegistrationResponseJSON. */
  register(
    options: { challenge: string; rp: { id?: string } },
    overrides: { origin?: string; challenge?: string } = {},
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(32);
    const credential: SoftCredential = {
      id: b64url(rawId),
      rawId,
      privateKey,
      counter: this.initialCounter,
    };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length, 0);
    const authData = Buffer.concat([
      sha256(options.rp.id ?? this.rpID),
      Buffer.from([FLAG_UP | FLAG_UV | FLAG_AT]),
      counterBytes(credential.counter),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      rawId,
      coseEc2PublicKey(publicKey),
    ]);
    const attestationObject = cborEncode(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = clientData(
      'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal' as const],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  /**
   * Answers authentication options with an assertion of a credential (the first one by default): an
   * AuthenticationResponseJSON. `counter` pins the signature counter (to test a replay or a clone).
   */
  authenticate(
    options: { challenge: string },
    overrides: { origin?: string; challenge?: string; counter?: number; credential?: SoftCredential } = {},
  ) {
    const credential = overrides.credential ?? this.credentials[0];
    if (!credential) throw new Error('no credential registered');
    if (overrides.counter !== undefined) credential.counter = overrides.counter;
    else if (credential.counter > 0) credential.counter += 1;
    const authData = Buffer.concat([
      sha256(this.rpID),
      Buffer.from([FLAG_UP | FLAG_UV]),
      counterBytes(credential.counter),
    ]);
    const clientDataJSON = clientData(
      'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    // ES256: ECDSA with SHA-256 over authenticatorData || SHA-256(clientDataJSON), DER-encoded.
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }
}
