import { invalidArgument } from '../../lib/grpc/errors.js';
import { decodeOpaque, encodeOpaque, isPosition } from './page-token.js';

/** A place in one change log: WatchNotes resumes after it. */
export interface ResumePosition {
  /** The log's id: a position in another database's log means nothing here. */
  readonly logId: string;
  readonly seq: number;
}

/**
 * Opaque to clients: base64url of [log id, seq]. It only positions reads of the caller's
 * own changes, so tampering with it grants nothing.
 */
export function encodeResumeToken(position: ResumePosition): string {
  return encodeOpaque([position.logId, position.seq]);
}

export function decodeResumeToken(token: string): ResumePosition {
  const value = decodeOpaque(token);
  if (value?.length === 2 && typeof value[0] === 'string' && /^[0-9a-f]{16}$/.test(value[0]) && isPosition(value[1])) {
    return { logId: value[0], seq: value[1] };
  }
  throw invalidArgument('resume_token', 'is not a token returned by WatchNotes or ListNotes');
}
