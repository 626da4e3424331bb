/**
 * Sets `key` in `map` as its newest entry; past `most` entries, the earliest set goes: the bound of
 * the map's texts kept per device (`LoneTexts`, `DeviceFeatures`).
 */
export function keep<K, V>(map: Map<K, V>, key: K, value: V, most: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > most) map.delete(map.keys().next().value as K);
}
