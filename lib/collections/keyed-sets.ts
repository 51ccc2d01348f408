/**
 * Adds `value` to the set under `key` (creating it) and returns the remover, which also drops the
 * set once it is empty, so a map of listeners never keeps keys nobody listens to.
 */
export function addToKeyedSet<K, V>(map: Map<K, Set<V>>, key: K, value: V): () => void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
  return () => {
    set.delete(value);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}
