import { invalidArgument } from './errors.js';

/** Text that must be present: trimmed length within [min, max] characters. */
export function requireText(field: string, value: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < min) throw invalidArgument(field, min === 1 ? 'is required' : `must be at least ${min} characters`);
  if ([...trimmed].length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return trimmed;
}

/** Text that may be empty, but no longer than `max` characters. */
export function limitText(field: string, value: string, max: number): string {
  if ([...value].length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requireUuid(field: string, value: string): string {
  if (value === '') throw invalidArgument(field, 'is required');
  if (!UUID.test(value)) throw invalidArgument(field, 'must be a UUID');
  return value;
}

/** A page size from a List request: 0 means `defaultSize`; anything outside 0..max is refused (memory per call stays bounded). */
export function pageSize(value: number, defaultSize: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw invalidArgument('page_size', `must be from 0 to ${max}`);
  return value || defaultSize;
}
