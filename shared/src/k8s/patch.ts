// Per-call options for client-node's generated patch methods, which default to JSON patch.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Makes a generated `patchNamespacedX(...)` send an RFC 7386 JSON merge patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
