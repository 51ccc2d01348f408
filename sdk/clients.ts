import { credentials as grpcCredentials, type ChannelCredentials, type ChannelOptions, type Interceptor } from '@grpc/grpc-js';
import { AuthServiceClient } from '../gen/auth/v1/auth_service.js';
import { KeysServiceClient } from '../gen/auth/v1/keys_service.js';
import { RevocationServiceClient } from '../gen/auth/v1/revocation_service.js';
import { UserDirectoryClient } from '../gen/auth/v1/user_directory.js';
import { DashboardServiceClient } from '../gen/business/v1/dashboard_service.js';
import { NotesServiceClient } from '../gen/business/v1/notes_service.js';

export interface ClientOptions {
  /** Plaintext by default (local development); pass TLS credentials in production. */
  readonly credentials?: ChannelCredentials;
  /** E.g. `[session.interceptor]` to authenticate every call. */
  readonly interceptors?: readonly Interceptor[];
  readonly channelOptions?: ChannelOptions;
}

function clientArgs(opts: ClientOptions): [ChannelCredentials, ChannelOptions] {
  return [
    opts.credentials ?? grpcCredentials.createInsecure(),
    { ...opts.channelOptions, interceptors: [...(opts.interceptors ?? [])] },
  ];
}

export function createAuthClient(address: string, opts: ClientOptions = {}): AuthServiceClient {
  return new AuthServiceClient(address, ...clientArgs(opts));
}

export function createDashboardClient(address: string, opts: ClientOptions = {}): DashboardServiceClient {
  return new DashboardServiceClient(address, ...clientArgs(opts));
}

export function createNotesClient(address: string, opts: ClientOptions = {}): NotesServiceClient {
  return new NotesServiceClient(address, ...clientArgs(opts));
}

export function createKeysClient(address: string, opts: ClientOptions = {}): KeysServiceClient {
  return new KeysServiceClient(address, ...clientArgs(opts));
}

/** Service-to-service: needs a service token with `users.read` (pass ServiceCredentials' interceptor). */
export function createUserDirectoryClient(address: string, opts: ClientOptions = {}): UserDirectoryClient {
  return new UserDirectoryClient(address, ...clientArgs(opts));
}

/** Service-to-service: needs a service token with `revocations.watch`. */
export function createRevocationClient(address: string, opts: ClientOptions = {}): RevocationServiceClient {
  return new RevocationServiceClient(address, ...clientArgs(opts));
}
