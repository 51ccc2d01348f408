import { hasUnsafeFreeTextCharacters, hasVisibleCharacter, isStorableText, isUuid } from '../text/text-rules.js';
import { invalidArgument } from './errors.js';

/**
 * Refuses what no store can keep the same way (NUL, lone surrogates): every string field a
 * handler passes on to a store goes through this (the text helpers below call it).
 */
export function requireStorable(field: string, value: string): string {
  if (!isStorableText(value)) throw invalidArgument(field, 'contains a NUL or an unpaired surrogate, which cannot be stored');
  return value;
}

/** Text that must be present: trimmed length within [min, max] characters. */
export function requireText(field: string, value: string, min: number, max: number): string {
  const trimmed = requireStorable(field, value).trim();
  if (trimmed.length < min) throw invalidArgument(field, min === 1 ? 'is required' : `must be at least ${min} characters`);
  if ([...trimmed].length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return trimmed;
}

/** Text that may be empty, but no longer than `max` characters. */
export function limitText(field: string, value: string, max: number): string {
  if ([...requireStorable(field, value)].length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return value;
}

/**
 * A name shown to other people: `requireText`, no control characters or bidi overrides, and
 * at least one character that draws something (not only spaces or invisible characters).
 */
export function requireVisibleText(field: string, value: string, max: number): string {
  const text = requireText(field, value, 1, max);
  if (hasUnsafeFreeTextCharacters(text)) throw invalidArgument(field, 'must not contain control characters or bidirectional overrides');
  if (!hasVisibleCharacter(text)) throw invalidArgument(field, 'must contain a visible character');
  return text;
}

export function requireUuid(field: string, value: string): string {
  if (value === '') throw invalidArgument(field, 'is required');
  if (!isUuid(value)) throw invalidArgument(field, 'must be a UUID');
  return value;
}

/** A page size from a List request: 0 means `defaultSize`; anything outside 0..max is refused (memory per call stays bounded). */
export function pageSize(value: number, defaultSize: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw invalidArgument('page_size', `must be from 0 to ${max}`);
  return value || defaultSize;
}
