// A save sent twice from the same form is made once: the form's idempotency key is claimed in
// the database (api.save_begin, migration 0026) in the save's own transaction, and a repeat is
// answered with what the first save produced.
import { createHash } from 'node:crypto';
import { AppError } from '../../contract/result';
import { execute, queryOne, type Queryable } from './database';

/** What a save made: the id a repeat of it is answered from, and its answer. */
export type Saved<T> = { id: number; answer: T };

interface Claim {
  first_save: boolean;
  same_request: boolean;
  result_id: string | null;
}

/**
 * Runs `save` once per key: `db` must be the save's transaction. Without a key (callers other
 * than forms) it just saves. `save` returns the id its answer is about (event, reaction, batch)
 * with the answer; `replay` gives the answer again for that id, through the audited reads.
 */
export async function saveOnce<T>(
  db: Queryable,
  key: string | undefined,
  request: { channel: string; input: unknown },
  save: () => Promise<Saved<T>>,
  replay: (id: number) => Promise<T>,
): Promise<T> {
  if (key === undefined) return (await save()).answer;
  const digest = createHash('sha256')
    .update(`${request.channel}\n${JSON.stringify(request.input)}`)
    .digest('hex');
  const claim = (await queryOne<Claim>(db, `SELECT first_save, same_request, result_id::text FROM api.save_begin($1::uuid, $2)`, [
    key,
    digest,
  ])) as Claim;
  if (claim.first_save) {
    const { id, answer } = await save();
    await execute(db, `SELECT api.save_finish($1::uuid, $2)`, [key, id]);
    return answer;
  }
  if (!claim.same_request || claim.result_id === null) {
    throw new AppError(
      'CONFLICT',
      'This form was already saved, with different details. Close it and open it again to make another change.',
      { kind: 'conflict', constraint: null, id: null },
    );
  }
  return replay(Number(claim.result_id));
}
