// People are named on the command line by name (or by id when two share a name).
import type { Client, IdentitySummary } from '../../core/contract/api';
import { CliError } from './errors';

export async function findIdentity(client: Client, nameOrId: string): Promise<IdentitySummary> {
  const wanted = nameOrId.trim();
  const everyone = await client.identities.list({});
  const byId = everyone.find((i) => i.id === wanted);
  if (byId) return byId;
  let found = everyone.filter((i) => i.name === wanted);
  if (found.length === 0) found = everyone.filter((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new CliError(`Several people are named ${wanted} (ids ${found.map((i) => i.id).join(', ')}); use the id instead.`, 'ambiguous');
  }
  throw new CliError(`No one named ${wanted} is enrolled; \`normface list\` shows who is, \`normface enroll\` adds someone.`, 'not-found');
}
