// Signed checkpoints: the head of a workspace's chain, signed with the Ed25519 key from config
// ([compliance] signing_key, PEM), so that a third party holding them can prove later that the
// chain up to that record was not rewritten, even by someone able to recompute every hash.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkpointPayload, type Checkpoint } from '../../core/compliance.js';
import { StewardError } from '../../core/errors.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { insertCheckpoint, listCheckpoints } from '../chain/integrity.repository.js';

export interface SigningKey {
  keyId: string;
  privateKey: crypto.KeyObject;
  publicKey: string; // SPKI DER, base64
}

export const keyIdOf = (spkiB64: string) =>
  crypto.createHash('sha256').update(Buffer.from(spkiB64, 'base64')).digest('hex').slice(0, 16);

export function loadSigningKey(cfg: { signing_key?: string; signing_key_file?: string }): SigningKey | undefined {
  let pem = cfg.signing_key;
  if (!pem && cfg.signing_key_file) {
    try {
      pem = fs.readFileSync(cfg.signing_key_file, 'utf8');
    } catch (e) {
      throw new StewardError('not_configured', `compliance.signing_key_file: ${(e as Error).message}`);
    }
  }
  if (!pem) return undefined;
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(
      pem.includes('-----BEGIN') ? pem : { key: Buffer.from(pem, 'base64'), format: 'der', type: 'pkcs8' },
    );
  } catch (e) {
    throw new StewardError(
      'not_configured',
      `compliance.signing_key is not a PKCS#8 private key: ${(e as Error).message}`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new StewardError(
      'not_configured',
      `compliance.signing_key must be an Ed25519 key (got ${privateKey.asymmetricKeyType})`,
    );
  const publicKey = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

type KeyConfig = {
  data: string;
  compliance: { signing_key?: string; signing_key_file?: string; public_key?: string; public_keys?: readonly string[] };
};

// Where `serve` keeps the key it made itself: in the data directory, never in the database (anyone
// who can write the database could otherwise sign checkpoints of a rewritten chain).
export const defaultKeyFile = (config: KeyConfig) => path.join(config.data, 'checkpoint-ed25519.pem');

// The configured key (signing_key, or signing_key_file), else the one `serve` made before.
export function configuredSigningKey(config: KeyConfig): SigningKey | undefined {
  const c = config.compliance;
  if (c.signing_key || c.signing_key_file) return loadSigningKey(c);
  const file = defaultKeyFile(config);
  return fs.existsSync(file) ? loadSigningKey({ signing_key_file: file }) : undefined;
}

// Signed checkpoints out of the box: `serve` makes an Ed25519 key (mode 0600, beside it the public
// key for verifiers) on first start unless one is configured.
export function ensureSigningKey(config: KeyConfig): SigningKey {
  const existing = configuredSigningKey(config);
  if (existing) return existing;
  const file = defaultKeyFile(config);
  const k = generateSigningKey();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, k.privateKeyPem, { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(file.replace(/\.pem$/, '') + '.pub', k.publicKey + '\n', { mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new StewardError(
        'not_configured',
        `cannot write the checkpoint signing key ${file}: ${(e as Error).message}`,
      );
  }
  return loadSigningKey({ signing_key_file: file })!;
}

// The public keys verify trusts: those given (--public-key, repeatable), else [compliance] public_key
// and public_keys together, else the signing key's. More than one after a key rotation, so that the
// checkpoints the old key signed still count.
export function trustedPublicKeys(
  config: KeyConfig,
  given: readonly string[] = [],
  signing = () => configuredSigningKey(config),
): string[] {
  if (given.length) return [...new Set(given)];
  const { public_key, public_keys = [] } = config.compliance;
  const configured = [...new Set([...(public_key ? [public_key] : []), ...public_keys])];
  if (configured.length) return configured;
  const own = signing()?.publicKey;
  return own ? [own] : [];
}

export function generateSigningKey(): { privateKeyPem: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: pub,
    keyId: keyIdOf(pub),
  };
}

export function signCheckpoint(
  head: { workspace_id: string; seq: number; hash: string; recorded_at: number },
  key: SigningKey,
  now = Date.now(),
  prevSeq?: number,
): Checkpoint {
  const unsigned = {
    format: 'steward.compliance.checkpoint/1' as const,
    workspace_id: head.workspace_id,
    seq: head.seq,
    hash: head.hash,
    recorded_at: head.recorded_at,
    signed_at: new Date(now).toISOString(),
    key_id: key.keyId,
    public_key: key.publicKey,
    ...(prevSeq === undefined ? {} : { prev_seq: prevSeq }),
  };
  const signature = crypto.sign(null, Buffer.from(checkpointPayload(unsigned)), key.privateKey).toString('base64');
  return { ...unsigned, signature };
}

// True when the signature is valid for the checkpoint's own public key (and, given one, that key
// is the expected public key).
export function checkSignature(c: Checkpoint, expectedPublicKey?: string): boolean {
  if (expectedPublicKey && expectedPublicKey !== c.public_key) return false;
  try {
    const pub = crypto.createPublicKey({ key: Buffer.from(c.public_key, 'base64'), format: 'der', type: 'spki' });
    const { signature, ...unsigned } = c;
    return crypto.verify(null, Buffer.from(checkpointPayload(unsigned)), pub, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

// Signs the current head; `store` keeps it for later verification runs.
export async function checkpointNow(
  db: DbOrTrx,
  workspaceId: string,
  key: SigningKey | undefined,
  store: boolean,
): Promise<Checkpoint> {
  if (!key)
    throw new StewardError(
      'not_configured',
      'checkpoints need an Ed25519 signing key: set [compliance] signing_key (PEM) or signing_key_file; ' +
        '"steward compliance keygen" makes one',
    );
  const head = (await getHead(db, workspaceId)) ?? {
    workspace_id: workspaceId,
    seq: 0,
    hash: '0'.repeat(64),
    recorded_at: 0,
    max_ts: 0,
  };
  // A stored checkpoint names the one before it, so verify notices one deleted between two.
  const prev = store ? (await listCheckpoints(db, workspaceId, 1, undefined, key.keyId))[0] : undefined;
  const c = signCheckpoint(head, key, Date.now(), store ? (prev?.seq ?? 0) : undefined);
  if (store && head.seq > 0)
    await insertCheckpoint(db, {
      workspace_id: workspaceId,
      seq: c.seq,
      hash: c.hash,
      recorded_at: c.recorded_at,
      signed_at: Date.parse(c.signed_at),
      key_id: c.key_id,
      body: JSON.stringify(c),
    });
  return c;
}

export async function storedCheckpoints(db: DbOrTrx, workspaceId: string, limit = 100): Promise<Checkpoint[]> {
  return (await listCheckpoints(db, workspaceId, limit)).map((r) => JSON.parse(r.body) as Checkpoint);
}
