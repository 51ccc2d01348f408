import { invalidArgument } from '../../lib/grpc/errors.js';
import { decodePageToken, encodePageToken } from '../../lib/grpc/page-token.js';

/** A place in one change log: WatchNotes resumes after it. */
export interface ResumePosition {
  /** The log's id: a position in another database's log means nothing here. */
  readonly logId: string;
  readonly seq: number;
}

const FROM = 'WatchNotes or ListNotes';

/**
 * Opaque to clients, like page tokens: [log id, seq]. It only positions reads of the caller's
 * own changes, so tampering with it grants nothing.
 */
export function encodeResumeToken(position: ResumePosition): string {
  return encodePageToken([position.logId, position.seq]);
}

export function decodeResumeToken(token: string): ResumePosition {
  const position = decodePageToken(token, FROM, parse, 'resume_token');
  if (!position) throw invalidArgument('resume_token', `is not a token returned by ${FROM}`);
  return position;
}

function parse([logId, seq, ...rest]: unknown[]): ResumePosition | undefined {
  const ok = rest.length === 0 && typeof logId === 'string' && /^[0-9a-f]{16}$/.test(logId) && Number.isSafeInteger(seq) && (seq as number) >= 0;
  return ok ? { logId: logId as string, seq: seq as number } : undefined;
}
