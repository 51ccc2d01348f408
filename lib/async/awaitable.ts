/** A value, or a promise of it: what a store answers when one backend is synchronous (SQLite) and another is not. */
export type Awaitable<T> = T | Promise<T>;

/** `f(value)`, now if `value` is already there, else once it resolves: a synchronous answer costs no promise. */
export function andThen<T, R>(value: Awaitable<T>, f: (value: T) => R): Awaitable<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}
