import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Project } from '../domain/index.js';
import { ApiError, del } from './api.js';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}
export const toasts = signal<Toast[]>([]);
let toastId = 0;

/** A short message in the corner; errors stay until closed. */
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = ++toastId;
  toasts.value = [...toasts.value, { id, kind, text }];
  if (kind === 'info') setTimeout(() => dismiss(id), 4000);
}
export const dismiss = (id: number) => (toasts.value = toasts.value.filter((t) => t.id !== id));

export function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`}>
          <span>{t.text}</span>
          <button class="icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Loads data for a view and loads it again on demand; keeps showing the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    try {
      const value = await load();
      if (mine === latest.current) {
        setData(value);
        setError(undefined);
      }
    } catch (e) {
      if (mine === latest.current) setError(e);
    }
  }, deps);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload, setData };
}

export function Problem({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p class="problem" role="alert">
      {messageOf(error)}
    </p>
  );
}

export function Badge({ value, title }: { value: string; title?: string }) {
  return (
    <span class={`badge b-${value}`} title={title}>
      {value.replace(/_/g, ' ')}
    </span>
  );
}

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    return () => dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'wide' : ''}
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <header>
        <h2>{props.title}</h2>
        <button class="icon" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

/** Runs an action once at a time, with its error as a toast. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      toast(messageOf(error), 'error');
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, run };
}

/** A table's header row. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

/** Deletes a record (a tombstone), after asking when `question` is given. */
export function RemoveButton(props: { path: string; onDone: () => void; label?: string; question?: string; name?: string }) {
  const { busy, run } = useAction();
  return (
    <button
      class="link danger"
      disabled={busy}
      aria-label={props.name}
      onClick={() => {
        if (props.question && !confirm(props.question)) return;
        void run(async () => {
          await del(props.path);
          props.onDone();
        });
      }}
    >
      {props.label ?? 'remove'}
    </button>
  );
}

/** The projects to choose from, with a first option for none when `none` names it. */
export function ProjectSelect(props: {
  projects: readonly Project[] | undefined;
  value: string;
  onChange: (key: string) => void;
  none?: string;
}) {
  return (
    <select aria-label="Project" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {props.none !== undefined && <option value="">{props.none}</option>}
      {props.projects?.map((p) => (
        <option key={p.id} value={p.key}>
          {p.key} — {p.title}
        </option>
      ))}
    </select>
  );
}
