import type { DependencyView, ItemDetails } from '../../tracker/index.js';
import { useState } from 'preact/hooks';
import { enc, post } from '../api.js';
import { href } from '../router.js';
import { RemoveButton, useAction } from '../ui.js';

type Kind = 'blocks' | 'blocked_by' | 'relates_to';

export function Dependencies({ details, onChange }: { details: ItemDetails; onChange: () => void }) {
  const [kind, setKind] = useState<Kind>('blocked_by');
  const [other, setOther] = useState('');
  const { busy, run } = useAction();
  const key = details.item.key;
  const row = (dep: DependencyView, otherKey: string) => (
    <li key={dep.id}>
      <a href={href(`/items/${otherKey}`)}>{otherKey}</a>
      <RemoveButton path={`/dependencies/${enc(dep.id)}`} onDone={onChange} name={`Remove dependency on ${otherKey}`} />
    </li>
  );
  return (
    <section class="panel">
      <h2>Dependencies</h2>
      <dl>
        <dt>Blocked by</dt>
        <dd>
          <ul class="inline">{details.blocked_by.map((d) => row(d, d.blocking_key))}</ul>
        </dd>
        <dt>Blocks</dt>
        <dd>
          <ul class="inline">{details.blocks.map((d) => row(d, d.blocked_key))}</ul>
        </dd>
        <dt>Relates to</dt>
        <dd>
          <ul class="inline">{details.relates_to.map((d) => row(d, d.blocking_key === key ? d.blocked_key : d.blocking_key))}</ul>
        </dd>
      </dl>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const body =
            kind === 'blocked_by'
              ? { blocking: other, dependency_type: 'blocks', blocked: details.item.id }
              : { blocking: details.item.id, dependency_type: kind, blocked: other };
          void run(async () => {
            await post('/dependencies', body);
            setOther('');
            onChange();
          });
        }}
      >
        <select aria-label="Dependency kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          <option value="blocked_by">is blocked by</option>
          <option value="blocks">blocks</option>
          <option value="relates_to">relates to</option>
        </select>
        <input
          aria-label="Other item"
          required
          placeholder="WEB-7"
          value={other}
          onInput={(e) => setOther(e.currentTarget.value)}
        />
        <button disabled={busy}>Add</button>
      </form>
    </section>
  );
}
