import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals small secrets of the identity module (TOTP shared secrets, staff email addresses) with AES-256-GCM under the identity
 * key. Format: `v1.<iv>.<tag>.<ciphertext>` in base64url; the purpose string is bound as associated data,
 * so a sealed TOTP secret cannot be passed off as another kind of secret.
 */
export class SecretBox {
  readonly #macKeys = new Map<string, Buffer>();

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the identity key must be 32 bytes');
  }

  /**
   * A keyed HMAC-SHA256 (hex) of a value, under a key derived from the identity key for `purpose` alone:
   * lets a sealed value be found and kept unique (staff emails) without a plain hash anyone could
   * recompute from a guessed address.
   */
  keyedHash(value: string, purpose: string): string {
    let macKey = this.#macKeys.get(purpose);
    if (!macKey) {
      macKey = Buffer.from(
        hkdfSync('sha256', this.key, Buffer.alloc(0), `claimguard/identity/${purpose}`, 32),
      );
      this.#macKeys.set(purpose, macKey);
    }
    return createHmac('sha256', macKey).update(value, 'utf8').digest('hex');
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, purpose: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new Error('unknown sealed-secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
