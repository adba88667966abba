import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors.js';

/** Station token lookups (the index holds only SHA-256 hashes of tokens). */
export interface TokenLookup {
  /** The token hash of a station; undefined when it has none. */
  tokenHash(stationId: string): Promise<string | undefined>;
  /** The station whose token has this hash. */
  stationForTokenHash(hash: string): Promise<string | undefined>;
}

export interface AuthSettings {
  /** Admin key; empty disables every mutating route. */
  apiKey: string;
  /** Read-only key (viewers): reads what the dashboard shows, changes nothing. Empty: none. */
  viewerKey: string;
  /** Read-only dashboard routes need no key (opt-in: it exposes clips and the live feed). */
  publicDashboard: boolean;
}

export type Guard = (request: FastifyRequest) => Promise<void>;

export interface AuthGuards {
  /** Mutating routes: the admin key. */
  admin: Guard;
  /** Read-only dashboard routes: public by configuration, else the viewer or the admin key. */
  read: Guard;
  /** Model routes stations poll: like `read`, and any valid (not revoked) station token also works. */
  readModels: Guard;
  /** Station routes with `:id`: that station's token, or the admin key. */
  station: Guard;
}

export function sha256Token(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new station token: 32 random bytes, URL-safe. */
export function newStationToken(): string {
  return `est_${randomBytes(32).toString('base64url')}`;
}

/** Equal-time comparison of two secrets (hashing first makes the lengths equal). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Token(a), 'hex'), Buffer.from(sha256Token(b), 'hex'));
}

export function adminKeyOf(request: FastifyRequest): string | undefined {
  const h = request.headers;
  const value = h['x-api-key'] ?? h['api_key'] ?? h['api-key'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function stationTokenOf(request: FastifyRequest): string | undefined {
  const h = request.headers;
  if (typeof h['x-station-token'] === 'string' && h['x-station-token'] !== '') return h['x-station-token'];
  const auth = h.authorization;
  if (typeof auth === 'string' && /^Bearer\s+\S+$/i.test(auth)) return auth.replace(/^Bearer\s+/i, '');
  return undefined;
}

export function createAuthGuards(settings: AuthSettings, tokens: TokenLookup): AuthGuards {
  const isAdmin = (request: FastifyRequest): boolean => {
    const key = adminKeyOf(request);
    return settings.apiKey !== '' && key !== undefined && secretsEqual(key, settings.apiKey);
  };
  const isViewer = (request: FastifyRequest): boolean => {
    const key = adminKeyOf(request);
    return settings.viewerKey !== '' && key !== undefined && secretsEqual(key, settings.viewerKey);
  };
  const requireReader = (request: FastifyRequest): void => {
    if (settings.publicDashboard || isViewer(request)) return;
    requireAdmin(request);
  };
  const requireAdmin = (request: FastifyRequest): void => {
    if (isAdmin(request)) return;
    if (settings.apiKey === '') throw unauthorized('API_KEY is not configured on the server: mutating routes are disabled');
    throw unauthorized(adminKeyOf(request) ? 'invalid API key' : 'missing API key (send the x-api-key header)');
  };
  return {
    admin: async (request) => requireAdmin(request),
    read: async (request) => requireReader(request),
    readModels: async (request) => {
      if (settings.publicDashboard || isAdmin(request) || isViewer(request)) return;
      const token = stationTokenOf(request);
      if (token && (await tokens.stationForTokenHash(sha256Token(token))) !== undefined) return;
      requireAdmin(request);
    },
    station: async (request) => {
      if (isAdmin(request)) return;
      const id = (request.params as { id?: string }).id ?? '';
      const token = stationTokenOf(request);
      if (!token) throw unauthorized('missing station token (send x-station-token or Authorization: Bearer)');
      const want = await tokens.tokenHash(id);
      if (want && secretsEqual(want, sha256Token(token))) return;
      // A valid token of another station gets 403 (authenticated, not allowed); anything else 401.
      if ((await tokens.stationForTokenHash(sha256Token(token))) !== undefined) throw forbidden(`this token may not act for station ${id}`);
      throw unauthorized('invalid station token');
    },
  };
}
