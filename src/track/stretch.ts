// A block's context is the program line after its allocation (the call it was allocated in),
// not known until that line is read.

/**
 * The allocations between two program lines: their context is the program line that ends
 * the stretch, set once it is read. Every block born in the stretch (a row of the live
 * table, a freed row of the window, a block sampled by the deferred-release detector) refers
 * to it, so that line gives all of them their context with one store. Before, each row born
 * without one went on a list the next program line walked (~65 rows a stretch on a growing
 * heap, a first touch of each row's memory), and the detector kept a list of its own.
 */
export class Stretch {
  context: string | null = null;
}

/** A block's context as text: a stretch's once its program line is read; null while not known (or never). */
export function contextText(c: string | Stretch | null | undefined): string | null {
  return typeof c === 'string' ? c : c === null || c === undefined ? null : c.context;
}
