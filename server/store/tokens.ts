// Client tokens and ids. The store keeps only SHA-256 hashes of tokens: a leaked database (or
// backup) lets nobody in. A token has 256 random bits, so a plain (unsalted) fast hash suffices:
// there is nothing to guess, unlike a password.
import * as crypto from 'node:crypto';

export const TOKEN_PREFIX = 'rllm_';

/** 'rllm_' + 32 random bytes in base64url (the prefix makes a leaked token easy to spot and grep). */
export function newToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** A short random id with a prefix ('u_' users, 'r_' reservations): 72 bits, no collisions in practice. */
export function newId(prefix: string): string {
  return prefix + crypto.randomBytes(9).toString('base64url');
}
