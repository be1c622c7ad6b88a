import { signal } from '@preact/signals';

/** What a screen reader is told last (moves made with the keyboard, mostly). */
export const announcement = signal('');

export function announce(text: string): void {
  announcement.value = text;
}
