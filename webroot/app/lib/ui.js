// The one place the view library is imported from: Preact with hooks, written with htm tagged templates (no build step).
import { h, render, Fragment, createContext } from '../../vendor/preact.mjs';
import {
  useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext, useReducer, useId,
} from '../../vendor/hooks.mjs';
import htm from '../../vendor/htm.mjs';

export const html = htm.bind(h);
export {
  h, render, Fragment, createContext,
  useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext, useReducer, useId,
};
