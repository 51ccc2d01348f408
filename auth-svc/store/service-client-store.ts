export interface ServiceClient {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly scopes: readonly string[];
  /** The services it may exchange users' tokens for (ExchangeToken's `audience`). */
  readonly audiences: readonly string[];
  /** The `sid` of every token the client gets; revoking the client revokes them. */
  readonly sessionId: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export class ClientNameTakenError extends Error {
  constructor(name: string) {
    super(`a service client named "${name}" already exists`);
  }
}

/** Service clients (client-credentials callers). Names are unique (create throws ClientNameTakenError). */
export interface ServiceClientStore {
  create(c: Omit<ServiceClient, 'revokedAt'>): Promise<void>;
  findById(id: string): Promise<ServiceClient | undefined>;
  findByName(name: string): Promise<ServiceClient | undefined>;
  list(): Promise<ServiceClient[]>;
  replaceSecret(id: string, secretHash: string): Promise<boolean>;
  markRevoked(id: string, now: number): Promise<boolean>;
}
