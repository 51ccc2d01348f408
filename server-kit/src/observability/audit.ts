import type { FailureReason } from '../auth-failure.js';
import type { MethodPolicy, PolicyTable } from '../policy.js';
import { LinesPerSecond } from './lines-per-second.js';
import type { Logger } from './logger.js';
import type { RpcEnd, RpcObserver } from './observer.js';

/**
 * One authorization decision, in the shape of gRFC A59's audit event: the method, who called (a
 * principal's kind and subject, never a token or a claim beyond these), the policy and the entry
 * of it that decided, and whether the call was allowed.
 */
export interface AuthzAuditEvent {
  /** `/pkg.Service/Method`. */
  readonly fullMethodName: string;
  /** `anonymous` when no verified caller (no token, or one that failed verification). */
  readonly principal: { readonly kind: 'user' | 'service' | 'anonymous'; readonly subject: string | undefined };
  /** The policy table's name (e.g. the service's name). */
  readonly policyName: string;
  /** The entry that decided: `public`, `user`, `user(roles=admin)`, `service(scope=users.read)`, or `none` (not in the table). */
  readonly matchedRule: string;
  readonly authorized: boolean;
  /** Why it was refused (the `auth-failure-reason` trailer's value); undefined when allowed. */
  readonly reason: FailureReason | undefined;
}

/** Which decisions are audited: refusals only (the default), every decision, or none. */
export type AuditedDecisions = 'denials' | 'all' | 'off';

export interface AuditOptions {
  /** The table authentication decides with (the same object passed to `auth.interceptor(…)`). */
  readonly policies: PolicyTable;
  /** Names the table in each event. */
  readonly policyName: string;
  readonly decisions?: AuditedDecisions | undefined;
  /**
   * Where events go. Default: one line at info, `authz decision`, on `log`, at most
   * `maxLinesPerSecond` a second (the rest are counted in one warning a second).
   */
  readonly sink?: ((event: AuthzAuditEvent) => void) | undefined;
  readonly log?: Logger | undefined;
  /** Default 100. */
  readonly maxLinesPerSecond?: number | undefined;
}

/**
 * An observer that audits authentication's decisions (gRFC A59): place it among the observers
 * (`serverInterceptors({ observers: [..., auditObserver({ policies, policyName })] })`). Calls
 * that ended before authentication decided (a limit refused them) are not decisions and are
 * not audited; nor is anything when `decisions` is `off` (then it adds no work per call).
 */
export function auditObserver(opts: AuditOptions): RpcObserver {
  const decisions = opts.decisions ?? 'denials';
  const sink = opts.sink ?? logSink(opts.log, opts.maxLinesPerSecond ?? 100);
  const rules = new Map<string, string>();
  const ruleOf = (method: string) => {
    let rule = rules.get(method);
    if (rule === undefined) {
      rule = describe(Object.hasOwn(opts.policies, method) ? opts.policies[method] : undefined);
      // Only declared methods reach a handler, but any path can be asked for: bound the memo.
      if (rules.size < 1000) rules.set(method, rule);
    }
    return rule;
  };
  const audit = (method: string, end: RpcEnd) => {
    if (end.decision === undefined) return;
    const authorized = end.decision === 'allowed';
    if (authorized && decisions !== 'all') return;
    const who = end.principal ?? end.refusedPrincipal;
    sink({
      fullMethodName: method,
      principal: who ? { kind: who.kind, subject: who.subject } : { kind: 'anonymous', subject: undefined },
      policyName: opts.policyName,
      matchedRule: ruleOf(method),
      authorized,
      reason: end.refusal?.reason,
    });
  };
  return { start: (call) => (decisions === 'off' ? undefined : (end) => audit(call.method, end)) };
}

function describe(policy: MethodPolicy | undefined): string {
  if (!policy) return 'none';
  switch (policy.access) {
    case 'public':
      return 'public';
    case 'user':
      return policy.roles ? `user(roles=${policy.roles.join('|')})` : 'user';
    case 'service':
      return `service(scope=${policy.scope})`;
  }
}

function logSink(log: Logger | undefined, perSecond: number): (event: AuthzAuditEvent) => void {
  if (!log) throw new Error('auditObserver needs a sink or a log');
  const lines = new LinesPerSecond(perSecond, (left) => log.warn({ left }, 'authz audit lines left out: more decisions than maxLinesPerSecond'));
  return (event) => {
    if (!lines.take()) return;
    log.info(
      {
        audit: 'authz',
        method: event.fullMethodName,
        principal: event.principal.kind,
        sub: event.principal.subject,
        policy: event.policyName,
        rule: event.matchedRule,
        authorized: event.authorized,
        reason: event.reason,
      },
      'authz decision',
    );
  };
}
