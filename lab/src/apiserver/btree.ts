// sorted-btree is CommonJS (`exports.default = BTree`); under Node's ESM interop a default import
// is the whole exports object, so the class is its `default` member.
import btree from 'sorted-btree';

/** A sorted map (B+ tree) whose clone() is O(1) and copy-on-write. */
export const SortedMap = btree.default;
export type SortedMap<K, V> = InstanceType<typeof btree.default<K, V>>;
