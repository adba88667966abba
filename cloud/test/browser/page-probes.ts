/**
 * Functions that run inside the page (page.evaluate / waitForFunction). The
 * cloud project compiles without the DOM lib, so each names the few browser
 * things it touches through PageWindow instead of the global DOM types.
 * Playwright serialises these functions: they may not use anything from this
 * module's scope at run time (type-only references are fine).
 */

export interface PageElement {
  id: string;
  className: string;
  tagName: string;
  hidden: boolean;
  textContent: string | null;
  parentElement: PageElement | null;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number };
  /** <img> */
  complete?: boolean;
  naturalWidth?: number;
  /** <audio> */
  readyState?: number;
  duration?: number;
  /** <progress> */
  value?: number;
}

export interface PageWindow {
  innerWidth: number;
  document: {
    activeElement: PageElement | null;
    documentElement: { scrollWidth: number };
    getElementById(id: string): PageElement | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
  };
  sessionStorage: { getItem(key: string): string | null };
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: Record<string, boolean>): void };
  /** What recordJobPanel collected: "<progress value>|<state line>" per change. */
  jobStates?: string[];
  /** A marker the test sets to prove later that the page never reloaded. */
  sameDocument?: boolean;
}

/** Starts recording every change of the job panel (progress value and state line). */
export function recordJobPanel(): void {
  const w = globalThis as unknown as PageWindow;
  const seen: string[] = [];
  w.jobStates = seen;
  const state = w.document.getElementById('job-state') as PageElement;
  const progress = w.document.getElementById('job-progress') as PageElement;
  new w.MutationObserver(() => seen.push(`${progress.value}|${state.textContent}`))
    .observe(w.document.getElementById('job') as PageElement, { subtree: true, childList: true, characterData: true, attributes: true });
}

export function recordedJobStates(): string[] {
  return (globalThis as unknown as PageWindow).jobStates ?? [];
}

export function markDocument(): void {
  (globalThis as unknown as PageWindow).sameDocument = true;
}

export function isSameDocument(): boolean {
  return (globalThis as unknown as PageWindow).sameDocument === true;
}

export function activeElementId(): string | undefined {
  return (globalThis as unknown as PageWindow).document.activeElement?.id;
}

export function storedApiKey(): string | null {
  return (globalThis as unknown as PageWindow).sessionStorage.getItem('ecosight.apiKey');
}

/** The card's clip media once both have really loaded (image decoded, audio duration known), else undefined. */
export function loadedMedia(eventId: string): { img: string; audio: string; durationSec: number } | undefined {
  const w = globalThis as unknown as PageWindow;
  const li = w.document.querySelector(`#detections li[data-id="${eventId}"]`);
  const img = li?.querySelector('img.spectrogram');
  const audio = li?.querySelector('audio');
  if (!img || !audio || img.hidden || audio.hidden || !img.complete || !img.naturalWidth) return undefined;
  if ((audio.readyState ?? 0) < 1 || !((audio.duration ?? 0) > 0)) return undefined;
  return { img: img.getAttribute('src') ?? '', audio: audio.getAttribute('src') ?? '', durationSec: audio.duration ?? 0 };
}

/** Page width and the outermost elements wider than the window (wide tables scroll inside their own region). */
export function horizontalOverflow(): { width: number; culprits: string[] } {
  const w = globalThis as unknown as PageWindow;
  const sticksOut = (el: PageElement) => el.getBoundingClientRect().right > w.innerWidth + 1;
  const culprits = [...w.document.querySelectorAll('body *')]
    .filter((el) => !el.closest('.scroll') && sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)))
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`);
  return { width: w.document.documentElement.scrollWidth, culprits };
}
