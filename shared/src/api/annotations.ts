// Reading a Service annotation that has a metallb.io twin. herald.dev wins; when both are set
// and disagree, the answer is a conflict value (the caller reports it), never a silent pick.
import { ANNOTATION_TWINS, type ReadAnnotation } from './constants.js';

export type AnnotationValue =
  | { readonly type: 'absent' }
  | { readonly type: 'value'; readonly value: string; readonly from: string }
  | {
      readonly type: 'conflict';
      readonly key: string;
      readonly value: string;
      readonly twin: string;
      readonly twinValue: string;
      readonly message: string;
    };

export function readAnnotation(
  annotations: Readonly<Record<string, string>> | undefined | null,
  key: ReadAnnotation,
): AnnotationValue {
  const twin = ANNOTATION_TWINS[key];
  const own = annotations?.[key];
  const other = annotations?.[twin];
  if (typeof own === 'string' && typeof other === 'string' && own !== other) {
    return {
      type: 'conflict',
      key,
      value: own,
      twin,
      twinValue: other,
      message: `annotations ${key}=${JSON.stringify(own)} and ${twin}=${JSON.stringify(other)} disagree`,
    };
  }
  if (typeof own === 'string') return { type: 'value', value: own, from: key };
  if (typeof other === 'string') return { type: 'value', value: other, from: twin };
  return { type: 'absent' };
}
