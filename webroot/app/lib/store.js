// A small observable store: one object of state, replaced (never mutated) on each change.
import { useEffect, useRef, useState } from './ui.js';

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    /** set({key: value}) or set(state => ({key: value})): shallow merge, then notify. */
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : patch;
      if (!next) return;
      state = { ...state, ...next };
      for (const fn of [...listeners]) fn(state);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/**
 * The selected part of a store; the component re-renders when it changes (Object.is). The selector may use props:
 * it is read at each render and at each change.
 */
export function useStore(store, selector = (s) => s) {
  const sel = useRef(selector);
  sel.current = selector;
  const value = selector(store.get());
  const last = useRef(value);
  last.current = value;
  const [, force] = useState(0);
  useEffect(() => store.subscribe((s) => {
    if (!Object.is(sel.current(s), last.current)) force((n) => n + 1);
  }), [store]);
  return value;
}
